import { cRound, toInt32 } from './arduino-numbers';

const f = Math.fround;

/** Yaw, pitch and roll in whole degrees as the firmware computes them (C `int`s: never NaN). */
export interface FirmwareEuler {
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
  /** The angles whose maths was undefined (NaN before the conversion to `int`), e.g. pitch at ±90°. */
  readonly undefinedAngles: readonly ('yaw' | 'pitch' | 'roll')[];
}

/** The quaternion's norm in 32-bit floats, where tiny components square to zero as on the ESP32. */
export function float32Norm(w: number, x: number, y: number, z: number): number {
  const sum = [w, x, y, z].reduce((total, c) => f(total + f(f(c) * f(c))), 0);
  return f(Math.sqrt(sum));
}

/**
 * The firmware's quaternion → Euler conversion (`handleQuaternionCommand`): the components are normalised in
 * 32-bit floats, the products and sums inside the parentheses stay float, but `2.0 * (…)` and `1.0 - …` make
 * the rest double; `atan2`/`asin` run in double and land in a `float`, which is multiplied by `180.0 / PI` in
 * double and passed to C `round` (half away from zero), then stored in an `int`. It does not clamp the asin
 * argument, so at ±90° pitch (`Q:0.7071,0,0.7071,0` gives 1.0000001) pitch is NaN, and the `int` it becomes is
 * whatever the chip makes of NaN (see `toInt32`). The norm must be above 0 (the firmware checks it first).
 */
export function firmwareEuler(w: number, x: number, y: number, z: number): FirmwareEuler {
  const norm = float32Norm(w, x, y, z);
  const [qw, qx, qy, qz] = [w, x, y, z].map((c) => f(f(c) / norm));
  const mul = (a: number, b: number) => f(a * b);
  const rollRad = f(Math.atan2(2 * f(mul(qw, qx) + mul(qy, qz)), 1 - 2 * f(mul(qx, qx) + mul(qy, qy))));
  const pitchRad = f(Math.asin(2 * f(mul(qw, qy) - mul(qz, qx))));
  const yawRad = f(Math.atan2(2 * f(mul(qw, qz) + mul(qx, qy)), 1 - 2 * f(mul(qy, qy) + mul(qz, qz))));
  const radians = { yaw: yawRad, pitch: pitchRad, roll: rollRad };
  return {
    yaw: degrees(yawRad),
    pitch: degrees(pitchRad),
    roll: degrees(rollRad),
    undefinedAngles: (['yaw', 'pitch', 'roll'] as const).filter((name) => Number.isNaN(radians[name])),
  };
}

function degrees(radians: number): number {
  return toInt32(cRound(radians * (180 / Math.PI)));
}
