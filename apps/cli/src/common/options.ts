import { InvalidArgumentError } from 'commander';
import { MAX_GOTO_MS } from '@neck-signal/protocol';

/** A commander argument parser for a duration in seconds (decimals allowed), returned in ms. */
export function secondsOption(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 24 * 60 * 60) {
    throw new InvalidArgumentError('expected a number of seconds such as 5 or 0.5');
  }
  return Math.round(seconds * 1000);
}

/** A commander argument parser for a move's length: `800ms`, `1.5s` or plain ms (`800`), returned in ms. */
export function durationOption(value: string, maxMs = MAX_GOTO_MS): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value.trim());
  const ms = match ? Math.round(Number(match[1]) * (match[2] === 's' ? 1000 : 1)) : NaN;
  if (!Number.isFinite(ms) || ms > maxMs) {
    throw new InvalidArgumentError(`expected a duration such as 800ms or 1.5s, at most ${maxMs / 1000}s`);
  }
  return ms;
}
