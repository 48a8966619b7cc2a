import { NeckCommand } from './firmware/command';
import { ParseResult, parseNeckCommand } from './firmware/parse';
import { NeckLimits } from './firmware/neck-limits';
import { partsOf } from './firmware/timing';

/**
 * What an operator may tell a neck's agent besides firmware commands (never written to the firmware):
 * `STOP` (also `ESTOP`, `HALT`) drops everything queued and refuses all motion until `RELEASE`; `TAKE` takes
 * the neck's control from whoever holds it; `YIELD` gives one's control up.
 */
export const DIRECTIVE_WORDS = Object.freeze({
  STOP: 'stop',
  ESTOP: 'stop',
  HALT: 'stop',
  RELEASE: 'release',
  TAKE: 'take',
  YIELD: 'yield',
} as const);
export type Directive = (typeof DIRECTIVE_WORDS)[keyof typeof DIRECTIVE_WORDS];

/** The line each directive is sent as. */
export const DIRECTIVE_LINES: Readonly<Record<Directive, string>> = Object.freeze({
  stop: 'STOP',
  release: 'RELEASE',
  take: 'TAKE',
  yield: 'YIELD',
});

/** The directive a text names (any case, spaces around it ignored), or undefined. */
export function parseDirective(text: unknown): Directive | undefined {
  if (typeof text !== 'string') return undefined;
  const word = text.trim().toUpperCase();
  return Object.hasOwn(DIRECTIVE_WORDS, word) ? DIRECTIVE_WORDS[word as keyof typeof DIRECTIVE_WORDS] : undefined;
}

/** An operator's line: a directive for the agent, or a firmware command (parsed with the grammar). */
export type OperatorCommand =
  | { readonly ok: true; readonly kind: 'directive'; readonly directive: Directive; readonly line: string }
  | ({ readonly kind: 'firmware' } & Extract<ParseResult, { ok: true }>)
  | Extract<ParseResult, { ok: false }>;

/** Parses what an operator typed: a directive, else a firmware command; never throws. */
export function parseOperatorCommand(text: string, limits?: Partial<NeckLimits>): OperatorCommand {
  const directive = parseDirective(text);
  if (directive) return { ok: true, kind: 'directive', directive, line: DIRECTIVE_LINES[directive] };
  const parsed = parseNeckCommand(text, limits);
  return parsed.ok ? { ...parsed, kind: 'firmware' } : parsed;
}

/** True for a command that moves the neck: anything but HEALTH/STATUS (what needs the neck's control). */
export function isMotionCommand(command: NeckCommand): boolean {
  return partsOf(command).some((part) => part.kind !== 'health');
}
