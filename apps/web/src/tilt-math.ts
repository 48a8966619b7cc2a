import { OneEuroFilter } from './one-euro';

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
  /** Filter the readings with the One Euro filter (default true); off: each reading as it is. */
  filter: boolean;
  /** The filter's cutoff when the phone is still, Hz: MIN_CUTOFF_RANGE, default 1 (lower: less jitter). */
  minCutoffHz: number;
  /** How fast the cutoff rises with speed: BETA_RANGE, default 0.05 (higher: less lag when turning fast). */
  beta: number;
}

export const GAIN_RANGE = { min: 0.2, max: 3, step: 0.1 } as const;
export const MIN_CUTOFF_RANGE = { min: 0.05, max: 5, step: 0.05 } as const;
export const BETA_RANGE = { min: 0, max: 1, step: 0.01 } as const;

export const DEFAULT_TILT_SETTINGS: TiltSettings = Object.freeze({
  gain: { yaw: 1, pitch: 1, roll: 1 },
  invert: { yaw: false, pitch: false, roll: false },
  filter: true,
  minCutoffHz: 1,
  beta: 0.05,
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
 * A One Euro filter per axis over a stream of turns (little jitter when still, little lag when turning fast);
 * with the filter off, readings pass as they are. The first reading after `reset` starts it where it is given.
 */
export class TiltSmoother {
  private readonly filters: Record<TiltAxis, OneEuroFilter>;

  constructor(private readonly settings: () => Pick<TiltSettings, 'filter' | 'minCutoffHz' | 'beta'>) {
    const parameters = () => this.settings();
    this.filters = {
      yaw: new OneEuroFilter(parameters),
      pitch: new OneEuroFilter(parameters),
      roll: new OneEuroFilter(parameters),
    };
  }

  reset(start?: TiltAngles, atMs?: number): void {
    for (const axis of TILT_AXES) this.filters[axis].reset(start?.[axis], atMs);
  }

  /** The filtered turn for a reading taken at `atMs` (ms, a monotonic clock). */
  next(target: TiltAngles, atMs: number): TiltAngles {
    const filtered = { ...target };
    for (const axis of TILT_AXES) {
      const value = this.filters[axis].next(target[axis], atMs);
      if (this.settings().filter) filtered[axis] = value;
    }
    return filtered;
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
    filter: typeof saved.filter === 'boolean' ? saved.filter : DEFAULT_TILT_SETTINGS.filter,
    minCutoffHz: inRange(saved.minCutoffHz, MIN_CUTOFF_RANGE) ?? DEFAULT_TILT_SETTINGS.minCutoffHz,
    beta: inRange(saved.beta, BETA_RANGE) ?? DEFAULT_TILT_SETTINGS.beta,
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
