/** The firmware's answer to HEALTH or STATUS, e.g. `HEALTH|DEVICE=NECK|ROLE=STEWART_NECK|PROTO=1|…`. */
export interface FirmwareHealth {
  readonly device: string;
  readonly role: string;
  readonly proto: number | null;
  readonly uptimeMs: number | null;
  readonly baud: number | null;
  readonly btName: string | null;
  readonly motors: number | null;
  /** Step rate in Hz. */
  readonly speedHz: number | null;
  /** Acceleration in steps/s². */
  readonly accel: number | null;
  readonly bypassClamp: boolean;
  /** Every KEY=VALUE field as printed, including ones this version does not know. */
  readonly fields: Readonly<Record<string, string>>;
}

/** Parses a `HEALTH|KEY=VALUE|…` line; anything else gives null. */
export function parseHealthLine(line: string): FirmwareHealth | null {
  const parts = line.trim().split('|');
  if (parts[0] !== 'HEALTH' || parts.length < 2) return null;
  const fields: Record<string, string> = {};
  for (const part of parts.slice(1)) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    fields[part.slice(0, eq)] = part.slice(eq + 1);
  }
  if (fields.DEVICE === undefined) return null;
  return {
    device: fields.DEVICE,
    role: fields.ROLE ?? '',
    proto: numberOrNull(fields.PROTO),
    uptimeMs: numberOrNull(fields.UPTIME_MS),
    baud: numberOrNull(fields.BAUD),
    btName: fields.BT_NAME ?? null,
    motors: numberOrNull(fields.MOTORS),
    speedHz: numberOrNull(fields.SPEED_HZ),
    accel: numberOrNull(fields.ACCEL),
    bypassClamp: fields.BYPASS_CLAMP === '1',
    fields,
  };
}

/** True when a health answer comes from a neck (DEVICE=NECK). */
export function isNeckHealth(health: FirmwareHealth | null): boolean {
  return health?.device === 'NECK';
}

function numberOrNull(text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}
