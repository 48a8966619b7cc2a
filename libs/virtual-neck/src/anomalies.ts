/** What the firmware can lose or get wrong without a word; the virtual neck reports each one. */
export const NECK_ANOMALY_KINDS = [
  'bytes-lost',
  'garbled-line',
  'split-line',
  'refused-speed',
  'refused-accel',
  'undefined-targets',
] as const;
export type NeckAnomalyKind = (typeof NECK_ANOMALY_KINDS)[number];

/** One thing the firmware lost or got wrong. */
export interface NeckAnomaly {
  readonly kind: NeckAnomalyKind;
  /** What happened, in words (`212 bytes: UART buffer full while homing`, or the garbled line itself). */
  readonly detail: string;
  /** Scheduler time (ms) at which the firmware met it; for lost bytes, when the first of the burst was lost. */
  readonly atMs: number;
}

/** Counts of everything the firmware lost or got wrong since the neck was made. */
export interface NeckStats {
  /** Bytes sent that the firmware never read: a full UART buffer, booting, or unread at a reset (includes bytesLostBooting). */
  readonly bytesLost: number;
  /** Of bytesLost, those lost to a reset: arriving while the board booted, or unread when it reset. */
  readonly bytesLostBooting: number;
  /** Lines that ran with bytes missing (cut, or fused with the next because their `\n` was lost). */
  readonly garbledLines: number;
  /** Pieces of a line taken by the 1 s read timeout, without their `\n`. */
  readonly splitLines: number;
  /** Speeds and accelerations the stepper library refused (it kept the previous value). */
  readonly refusedSettings: number;
  /** Commands that left every actuator target undefined (NaN), as a quaternion at ±90° pitch does. */
  readonly undefinedTargets: number;
  /** Lines the firmware read and ran, blank and garbled ones included. */
  readonly linesRun: number;
}

const LABELS: Readonly<Record<NeckAnomalyKind, string>> = {
  'bytes-lost': 'LOST',
  'garbled-line': 'GARBLED line ran:',
  'split-line': 'SPLIT by the read timeout, ran:',
  'refused-speed': 'REFUSED',
  'refused-accel': 'REFUSED',
  'undefined-targets': 'UNDEFINED targets:',
};

/** One loud line for an anomaly, e.g. `LOST 212 bytes: UART buffer full while homing`. */
export function describeAnomaly(anomaly: NeckAnomaly): string {
  return `${LABELS[anomaly.kind]} ${anomaly.detail}`;
}

/** The stats on one line: `12 lines run; 212 bytes lost (0 to a reset); 1 garbled lines; …`. */
export function describeStats(stats: NeckStats): string {
  return [
    `${stats.linesRun} lines run`,
    `${stats.bytesLost} bytes lost (${stats.bytesLostBooting} to a reset)`,
    `${stats.garbledLines} garbled lines`,
    `${stats.splitLines} split lines`,
    `${stats.refusedSettings} refused speed/accel settings`,
    `${stats.undefinedTargets} undefined targets`,
  ].join('; ');
}
