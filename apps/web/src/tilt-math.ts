/** Degrees, as DeviceOrientationEvent reports them: alpha about the vertical, beta front-back, gamma left-right. */
export interface Orientation {
  alpha: number;
  beta: number;
  gamma: number;
}

/** A head turn in degrees, as the neck takes it from a quaternion. */
export interface TiltAngles {
  yaw: number;
  pitch: number;
  roll: number;
}

export const TILT_AXES = ['yaw', 'pitch', 'roll'] as const;
export type TiltAxis = (typeof TILT_AXES)[number];

/** How the phone's turn becomes the head's; kept in the browser (localStorage). */
export interface TiltSettings {
  /** Head degrees per degree the phone turns, per axis: GAIN_RANGE, default 1. */
  gain: Record<TiltAxis, number>;
  /** Turn that axis the other way. */
  invert: Record<TiltAxis, boolean>;
  /** How much of the previous angle each new reading keeps: SMOOTHING_RANGE, 0 for none. Default 0.5. */
  smoothing: number;
}

export const GAIN_RANGE = { min: 0.2, max: 3, step: 0.1 } as const;
export const SMOOTHING_RANGE = { min: 0, max: 0.9, step: 0.1 } as const;

export const DEFAULT_TILT_SETTINGS: TiltSettings = Object.freeze({
  gain: { yaw: 1, pitch: 1, roll: 1 },
  invert: { yaw: false, pitch: false, roll: false },
  smoothing: 0.5,
});

/**
 * The largest head angle tilt sends, per axis, in degrees: about how far a person turns (yaw) and nods or tilts
 * (pitch, roll) a head; pitch stays well short of ±90°, where the firmware computes NaN.
 */
export const TILT_LIMITS: Readonly<TiltAngles> = Object.freeze({ yaw: 90, pitch: 60, roll: 60 });

/** The phone's turn from `zero` to `now`, each angle in −180…180°. */
export function turnFrom(zero: Orientation, now: Orientation): TiltAngles {
  return {
    yaw: wrap(now.alpha - zero.alpha),
    pitch: wrap(now.beta - zero.beta),
    roll: wrap(now.gamma - zero.gamma),
  };
}

/** The head's angles for a phone turn: inverted and scaled per axis, clamped to TILT_LIMITS, whole degrees. */
export function shapeTilt(turn: TiltAngles, settings: TiltSettings): TiltAngles {
  const shaped = { yaw: 0, pitch: 0, roll: 0 };
  for (const axis of TILT_AXES) {
    const value = turn[axis] * settings.gain[axis] * (settings.invert[axis] ? -1 : 1);
    const limit = TILT_LIMITS[axis];
    // `+ 0` turns a rounded -0 into 0, so that the same pose always makes the same line.
    shaped[axis] = Math.round(Math.max(-limit, Math.min(limit, value))) + 0;
  }
  return shaped;
}

/**
 * Exponential smoothing of a stream of turns: each reading moves the output by (1 − smoothing) of the way to it,
 * along the shorter way round. The first reading after `reset` starts it where it is given.
 */
export class TiltSmoother {
  private current: TiltAngles | undefined;

  constructor(private readonly smoothing: () => number) {}

  reset(start?: TiltAngles): void {
    this.current = start === undefined ? undefined : { ...start };
  }

  next(target: TiltAngles): TiltAngles {
    const previous = this.current;
    const keep = this.smoothing();
    const next = { ...target };
    if (previous !== undefined) {
      for (const axis of TILT_AXES)
        next[axis] = wrap(previous[axis] + (1 - keep) * wrap(target[axis] - previous[axis]));
    }
    this.current = next;
    return { ...next };
  }
}

/** Settings read back from storage: every value checked, anything missing or out of range is the default's. */
export function parseTiltSettings(stored: unknown): TiltSettings {
  const record = (value: unknown): Record<string, unknown> =>
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const saved = record(stored);
  const gain = record(saved.gain);
  const invert = record(saved.invert);
  const settings: TiltSettings = {
    gain: { ...DEFAULT_TILT_SETTINGS.gain },
    invert: { ...DEFAULT_TILT_SETTINGS.invert },
    smoothing: inRange(saved.smoothing, SMOOTHING_RANGE) ?? DEFAULT_TILT_SETTINGS.smoothing,
  };
  for (const axis of TILT_AXES) {
    settings.gain[axis] = inRange(gain[axis], GAIN_RANGE) ?? DEFAULT_TILT_SETTINGS.gain[axis];
    const flip = invert[axis];
    if (typeof flip === 'boolean') settings.invert[axis] = flip;
  }
  return settings;
}

function inRange(value: unknown, range: { min: number; max: number }): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= range.min && value <= range.max
    ? value
    : undefined;
}

function wrap(degrees: number): number {
  return ((((degrees + 180) % 360) + 360) % 360) - 180;
}
