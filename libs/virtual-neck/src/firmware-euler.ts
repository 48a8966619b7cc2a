const f = Math.fround;
const DEGREES_PER_RADIAN = f(180 / Math.PI);

/** Yaw, pitch and roll in whole degrees as the firmware computes them; NaN where its maths is undefined. */
export interface FirmwareEuler {
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
}

/** The quaternion's norm in 32-bit floats, where tiny components square to zero as on the ESP32. */
export function float32Norm(w: number, x: number, y: number, z: number): number {
  const sum = [w, x, y, z].reduce((total, c) => f(total + f(f(c) * f(c))), 0);
  return f(Math.sqrt(sum));
}

/**
 * The firmware's quaternion → Euler conversion, in 32-bit floats as the ESP32 runs it: normalise, then
 * yaw = atan2(2(wz + xy), 1 − 2(y² + z²)), pitch = asin(2(wy − zx)), roll = atan2(2(wx + yz), 1 − 2(x² + y²)),
 * in degrees rounded to integers. It does not clamp the asin argument, so at ±90° pitch (`Q:0.7071,0,0.7071,0`
 * gives 1.0000001) pitch is NaN; so is anything computed from a non-finite component. For other quaternions it
 * agrees with the protocol lib's `quaternionToEuler`. The norm must be above 0 (the firmware checks it first).
 */
export function firmwareEuler(w: number, x: number, y: number, z: number): FirmwareEuler {
  const norm = float32Norm(w, x, y, z);
  const [qw, qx, qy, qz] = [w, x, y, z].map((c) => f(f(c) / norm));
  const mul = (a: number, b: number) => f(a * b);
  const sinyCosp = f(2 * f(mul(qw, qz) + mul(qx, qy)));
  const cosyCosp = f(1 - f(2 * f(mul(qy, qy) + mul(qz, qz))));
  const sinp = f(2 * f(mul(qw, qy) - mul(qz, qx)));
  const sinrCosp = f(2 * f(mul(qw, qx) + mul(qy, qz)));
  const cosrCosp = f(1 - f(2 * f(mul(qx, qx) + mul(qy, qy))));
  return {
    yaw: degrees(f(Math.atan2(sinyCosp, cosyCosp))),
    pitch: degrees(f(Math.asin(sinp))),
    roll: degrees(f(Math.atan2(sinrCosp, cosrCosp))),
  };
}

function degrees(radians: number): number {
  const rounded = Math.round(f(radians * DEGREES_PER_RADIAN));
  return rounded === 0 ? 0 : rounded;
}
