import { HeadCommand } from './firmware/command';
import { CommandError } from './firmware/errors';
import { formatNeckCommand } from './firmware/format';
import { NeckLimits } from './firmware/neck-limits';
import { parseNeckCommand } from './firmware/parse';

/** How an eased move goes from one pose to the next: min-jerk (10t³−15t⁴+6t⁵, the default) or linear. */
export const EASINGS = ['minjerk', 'linear'] as const;
export type Easing = (typeof EASINGS)[number];

/** Default length of a GOTO or POSE GO, ms. */
export const DEFAULT_GOTO_MS = 1000;
/** Longest GOTO, ms: a minute is plenty for a gesture, and an operator may still STOP it. */
export const MAX_GOTO_MS = 60_000;
/** Rate at which the agent writes the poses of an eased move, Hz. */
export const GOTO_RATE_HZ = 50;
/** A pose name: letters, digits, `_` and `-`, at most 32 (also its key in the agent's poses.json). */
export const POSE_NAME = /^[A-Za-z0-9_-]{1,32}$/;
/** A recording's id: its file name without `.mcap` (e.g. `2026-12-08T00-12-03Z-0001`). */
export const RECORDING_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Replay speeds accepted, as a factor of the recorded timing. */
export const MIN_REPLAY_SPEED = 0.1;
export const MAX_REPLAY_SPEED = 10;

/** Where the eased move goes: an explicit head command or a pose the agent keeps. */
export interface GotoCommand {
  readonly kind: 'goto';
  readonly target: HeadCommand | { readonly pose: string };
  readonly durationMs: number;
  readonly ease: Easing;
}
export interface PoseSaveCommand {
  readonly kind: 'pose-save';
  readonly name: string;
}
export interface ReplayCommand {
  readonly kind: 'replay';
  readonly recording: string;
  readonly speed: number;
  /** Play from this many ms into the recording (its first written line is 0). */
  readonly fromMs: number;
  /** Stop this many ms into the recording; undefined: to its end. */
  readonly toMs?: number;
}
/** What an operator may ask the agent to do over time (never written to the firmware as such). */
export type MotionCommand = GotoCommand | PoseSaveCommand | ReplayCommand;

export type MotionParse =
  | { readonly ok: true; readonly command: MotionCommand; readonly line: string }
  | { readonly ok: false; readonly error: CommandError };

/** The words that start a motion command: a text starting with another word is not one. */
const MOTION_WORDS = ['GOTO', 'POSE', 'REPLAY'] as const;

/**
 * Parses `GOTO X50,Y-20 [IN 800] [EASE MINJERK|LINEAR]`, `POSE SAVE NAME`, `POSE GO NAME [IN ms] [EASE …]`
 * and `REPLAY ID [SPEED x] [FROM ms] [TO ms]` (any case); undefined when the text is none of them.
 */
export function parseMotionCommand(text: string, limits?: Partial<NeckLimits>): MotionParse | undefined {
  if (typeof text !== 'string') return undefined;
  const words = text.trim().split(/\s+/);
  const head = (words[0] ?? '').toUpperCase();
  if (!(MOTION_WORDS as readonly string[]).includes(head)) return undefined;
  try {
    const command = parseWords(head, words.slice(1), limits);
    return { ok: true, command, line: formatMotionCommand(command) };
  } catch (error) {
    if (error instanceof MotionSyntaxError) return { ok: false, error: error.detail };
    throw error;
  }
}

/** The canonical line of a motion command, as the agent acks it. */
export function formatMotionCommand(command: MotionCommand): string {
  switch (command.kind) {
    case 'goto': {
      const target =
        'pose' in command.target ? `POSE GO ${command.target.pose}` : `GOTO ${formatNeckCommand(command.target)}`;
      return `${target} IN ${command.durationMs} EASE ${command.ease.toUpperCase()}`;
    }
    case 'pose-save':
      return `POSE SAVE ${command.name}`;
    case 'replay':
      return [
        `REPLAY ${command.recording} SPEED ${command.speed} FROM ${command.fromMs}`,
        ...(command.toMs === undefined ? [] : [`TO ${command.toMs}`]),
      ].join(' ');
  }
}

/** The fraction of the way an eased move has gone at fraction `t` of its time (both 0…1). */
export function easeAt(ease: Easing, t: number): number {
  const u = Math.min(1, Math.max(0, t));
  return ease === 'linear' ? u : u * u * u * (10 - 15 * u + 6 * u * u);
}

class MotionSyntaxError extends Error {
  constructor(readonly detail: CommandError) {
    super(detail.message);
  }
}

function fail(message: string, token?: string): never {
  throw new MotionSyntaxError({ code: 'UNKNOWN_COMMAND', message, ...(token === undefined ? {} : { token }) });
}

function parseWords(head: string, rest: string[], limits?: Partial<NeckLimits>): MotionCommand {
  if (head === 'GOTO') {
    const [target = '', ...options] = rest;
    const parsed = parseNeckCommand(target, limits);
    if (!parsed.ok) throw new MotionSyntaxError(parsed.error);
    if (parsed.command.kind !== 'head') fail(`GOTO takes a head pose such as X50,Y-20, not ${parsed.line}`, target);
    return { kind: 'goto', target: parsed.command, ...easeOptions(options) };
  }
  if (head === 'POSE') {
    const [verb = '', name = '', ...options] = rest;
    if (!POSE_NAME.test(name)) fail(`a pose name is 1-32 letters, digits, _ or -: ${JSON.stringify(name)}`, name);
    if (verb.toUpperCase() === 'SAVE' && options.length === 0) return { kind: 'pose-save', name };
    if (verb.toUpperCase() === 'GO') return { kind: 'goto', target: { pose: name }, ...easeOptions(options) };
    fail('use POSE SAVE NAME or POSE GO NAME [IN ms] [EASE MINJERK|LINEAR]', verb);
  }
  const [recording = '', ...options] = rest;
  if (!RECORDING_ID.test(recording)) fail(`not a recording id: ${JSON.stringify(recording)}`, recording);
  const values = keywordValues(options, ['SPEED', 'FROM', 'TO']);
  const speed = values.SPEED ?? 1;
  if (!(speed >= MIN_REPLAY_SPEED && speed <= MAX_REPLAY_SPEED)) {
    fail(`SPEED is a factor from ${MIN_REPLAY_SPEED} to ${MAX_REPLAY_SPEED}`, String(speed));
  }
  const fromMs = values.FROM ?? 0;
  const toMs = values.TO;
  if (toMs !== undefined && toMs <= fromMs) fail('TO must come after FROM', String(toMs));
  return { kind: 'replay', recording, speed, fromMs, ...(toMs === undefined ? {} : { toMs }) };
}

function easeOptions(options: string[]): { durationMs: number; ease: Easing } {
  const values = keywordValues(options, ['IN', 'EASE']);
  const durationMs = values.IN ?? DEFAULT_GOTO_MS;
  if (!Number.isInteger(durationMs) || durationMs < 0 || durationMs > MAX_GOTO_MS) {
    fail(`IN is a whole number of ms from 0 to ${MAX_GOTO_MS}`, String(durationMs));
  }
  return { durationMs, ease: values.EASE ?? 'minjerk' };
}

type KeywordValues = { IN?: number; SPEED?: number; FROM?: number; TO?: number; EASE?: Easing };

function keywordValues(options: string[], allowed: readonly (keyof KeywordValues)[]): KeywordValues {
  const values: KeywordValues = {};
  for (let i = 0; i < options.length; i += 2) {
    const key = (options[i] ?? '').toUpperCase();
    const value = options[i + 1];
    if (!(allowed as readonly string[]).includes(key)) fail(`unknown option ${options[i]}`, options[i]);
    if (value === undefined) fail(`${key} needs a value`, key);
    if (Object.hasOwn(values, key)) fail(`${key} is given twice`, key);
    if (key === 'EASE') {
      const ease = value.toLowerCase();
      if (!(EASINGS as readonly string[]).includes(ease)) fail(`EASE is ${EASINGS.join(' or ')}`, value);
      values.EASE = ease as Easing;
      continue;
    }
    const number = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
    if (!Number.isFinite(number)) fail(`${key} needs a number, not ${JSON.stringify(value)}`, value);
    values[key as 'IN' | 'SPEED' | 'FROM' | 'TO'] = number;
  }
  return values;
}
