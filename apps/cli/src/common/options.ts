import { InvalidArgumentError } from 'commander';

/** A commander argument parser for a duration in seconds (decimals allowed), returned in ms. */
export function secondsOption(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 24 * 60 * 60) {
    throw new InvalidArgumentError('expected a number of seconds such as 5 or 0.5');
  }
  return Math.round(seconds * 1000);
}
