/** Yaw, pitch and roll in whole degrees, as the firmware derives them. */
export interface EulerDegrees {
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
}

/**
 * Normalises a quaternion (w, x, y, z) and turns it into yaw (about z), pitch (about y) and roll (about x),
 * in degrees rounded to integers — what the firmware prints and applies as X=yaw, Y=pitch, Z=roll.
 * The quaternion must not be all zeros.
 */
export function quaternionToEuler(w: number, x: number, y: number, z: number): EulerDegrees {
  const norm = Math.hypot(w, x, y, z);
  const [qw, qx, qy, qz] = [w / norm, x / norm, y / norm, z / norm];
  const yaw = Math.atan2(2 * (qw * qz + qx * qy), 1 - 2 * (qy * qy + qz * qz));
  const pitch = Math.asin(Math.max(-1, Math.min(1, 2 * (qw * qy - qz * qx))));
  const roll = Math.atan2(2 * (qw * qx + qy * qz), 1 - 2 * (qx * qx + qy * qy));
  return { yaw: toDegrees(yaw), pitch: toDegrees(pitch), roll: toDegrees(roll) };
}

/** The unit quaternion for yaw, pitch and roll in degrees (the inverse of quaternionToEuler, unrounded). */
export function eulerToQuaternion(yawDeg: number, pitchDeg: number, rollDeg: number): [number, number, number, number] {
  const [cy, sy] = halfAngle(yawDeg);
  const [cp, sp] = halfAngle(pitchDeg);
  const [cr, sr] = halfAngle(rollDeg);
  return [
    cr * cp * cy + sr * sp * sy,
    sr * cp * cy - cr * sp * sy,
    cr * sp * cy + sr * cp * sy,
    cr * cp * sy - sr * sp * cy,
  ];
}

function halfAngle(degrees: number): [number, number] {
  const radians = (degrees * Math.PI) / 360;
  return [Math.cos(radians), Math.sin(radians)];
}

function toDegrees(radians: number): number {
  const degrees = Math.round((radians * 180) / Math.PI);
  return degrees === 0 ? 0 : degrees;
}
