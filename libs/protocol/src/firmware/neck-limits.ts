/** An inclusive numeric range. */
export interface Range {
  readonly min: number;
  readonly max: number;
  /** `min` itself is refused: the value must be above it (S and A must be above 0). */
  readonly minExclusive?: boolean;
}

/**
 * What the firmware accepts and can execute. Defaults are the Stewart-neck firmware's own ranges, tightened
 * to what its stepper driver takes (see the README's grammar table); a robot's config may narrow them.
 */
export interface NeckLimits {
  /** Head yaw-like axis X, integer firmware units. Default −700…700. */
  readonly X: Range;
  /** Head axis Y, integer. Default −700…700. */
  readonly Y: Range;
  /** Head axis Z, integer. Default −700…700. */
  readonly Z: Range;
  /** Head axis R, integer. Default −700…700. */
  readonly R: Range;
  /** Head axis P, integer. Default −700…700. */
  readonly P: Range;
  /** Head height H, integer. Default 0…70. */
  readonly H: Range;
  /** Speed scale S, decimal (speed = 48000 Hz × S). Default above 0, at most 4.19 (the stepper driver's 201 kHz). */
  readonly S: Range;
  /** Acceleration scale A, decimal (36000 steps/s² × A). Default above 0, at most 10. */
  readonly A: Range;
  /** Direct actuator target in mm, decimal. Default 0…80. */
  readonly actuatorMm: Range;
  /** Each quaternion component w, x, y, z. Default −1000000…1000000 (raw sensor quaternions fit). */
  readonly quaternion: Range;
  /** Most characters in one command line, without the newline. Default 128. */
  readonly maxLineLength: number;
  /** Most commands joined with `|` in one line. Default 8. */
  readonly maxCompoundParts: number;
}

const AXIS_RANGE: Range = { min: -700, max: 700 };

export const DEFAULT_NECK_LIMITS: NeckLimits = Object.freeze({
  X: AXIS_RANGE,
  Y: AXIS_RANGE,
  Z: AXIS_RANGE,
  R: AXIS_RANGE,
  P: AXIS_RANGE,
  H: { min: 0, max: 70 },
  S: { min: 0, max: 4.19, minExclusive: true },
  A: { min: 0, max: 10, minExclusive: true },
  actuatorMm: { min: 0, max: 80 },
  quaternion: { min: -1_000_000, max: 1_000_000 },
  maxLineLength: 128,
  maxCompoundParts: 8,
});

/** The defaults with the given overrides applied. */
export function resolveNeckLimits(overrides?: Partial<NeckLimits>): NeckLimits {
  return overrides ? { ...DEFAULT_NECK_LIMITS, ...overrides } : DEFAULT_NECK_LIMITS;
}
