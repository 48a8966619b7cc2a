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

/** Bytes of the firmware's longest answer to each kind of part, `\r\n` included (it answers nothing else). */
const PRINTED_BYTES = Object.freeze({
  // UPTIME_MS up to 2³² − 1; BAUD, SPEED_HZ and ACCEL are constants in the sketch.
  health:
    'HEALTH|DEVICE=NECK|ROLE=STEWART_NECK|PROTO=1|UPTIME_MS=4294967295|BAUD=115200|BT_NAME=NECK_BT|MOTORS=6|SPEED_HZ=48000|ACCEL=36000|BYPASS_CLAMP=0\r\n'
      .length,
  // The grammar keeps pitch within ±89°; yaw and roll are within ±180°.
  quaternion: 'Quaternion command received. Euler angles (deg): Yaw=-180, Pitch=-89, Roll=-180\r\n'.length,
  home: 'Executing HOME_BRUTE command...\r\n'.length,
});

/**
 * At most how many bytes the firmware prints when it runs a command the grammar accepts: a HEALTH answer
 * (≈ 160), a quaternion's debug line (≈ 85), a homing's announcement (33); moves print nothing. Printing blocks
 * the firmware's reading while its TX drains (docs/firmware.md), so the agent paces itself by it.
 */
export function printedBytesOf(command: NeckCommand): number {
  return partsOf(command).reduce((total, part) => {
    if (part.kind === 'health' || part.kind === 'quaternion' || part.kind === 'home') {
      return total + PRINTED_BYTES[part.kind];
    }
    return total;
  }, 0);
}
