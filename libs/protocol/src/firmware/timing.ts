import { HealthKeyword, HomeKeyword, NeckCommand, SimpleCommand } from './command';

/** Bits on the wire per byte at 8N1: a start bit, eight data bits, a stop bit. */
export const BITS_PER_BYTE_8N1 = 10;

/** How long one byte takes on the wire at `baudRate` 8N1, in ms (0.0868 at 115200). */
export function byteTimeMs(baudRate: number): number {
  return (1000 * BITS_PER_BYTE_8N1) / baudRate;
}

/**
 * How long each homing blocks the firmware (its `delay()` calls), in ms: HOME and HOME_BRUTE 2.3 s + 0.15 s +
 * 2.6 s, HOME_SOFT 2.2 s. Every boot runs HOME_BRUTE before the firmware reads anything.
 */
export const HOMING_DURATION_MS: Readonly<Record<HomeKeyword, number>> = Object.freeze({
  HOME: 5050,
  HOME_BRUTE: 5050,
  HOME_SOFT: 2200,
});

/** Firmware before Feb 2026 has none of these: it runs HEALTH and HOME_SOFT as head moves, STATUS as S0. */
export const LEGACY_MISSING_KEYWORDS: readonly (HomeKeyword | HealthKeyword)[] = Object.freeze([
  'HEALTH',
  'STATUS',
  'HOME_SOFT',
]);

/** The simple commands a command runs, in order. */
export function partsOf(command: NeckCommand): readonly SimpleCommand[] {
  return command.kind === 'compound' ? command.parts : [command];
}

/** The homing keywords a command runs, in order (a compound may home more than once). */
export function homingsOf(command: NeckCommand): HomeKeyword[] {
  return partsOf(command).flatMap((part) => (part.kind === 'home' ? [part.keyword] : []));
}

/** How long a command blocks the firmware while it homes, in ms (0 for a command without HOME). */
export function blockingMsOf(command: NeckCommand): number {
  return homingsOf(command).reduce((total, keyword) => total + HOMING_DURATION_MS[keyword], 0);
}

/** The keywords of a command that firmware before Feb 2026 does not know (and would run as something else). */
export function legacyMissingKeywordsOf(command: NeckCommand): string[] {
  return partsOf(command).flatMap((part) =>
    (part.kind === 'home' || part.kind === 'health') && LEGACY_MISSING_KEYWORDS.includes(part.keyword)
      ? [part.keyword]
      : [],
  );
}

/** True when the line is the firmware's announcement of a homing it starts (`Executing HOME_BRUTE command...`). */
export function isHomingAnnouncement(line: string): boolean {
  return /^Executing HOME_(BRUTE|SOFT) command/.test(line.trim());
}
