import { ActuatorId, HeadPose } from './command';

/** Steps per mm for head commands (400) and for direct actuator commands (426.67), as the firmware uses. */
export const HEAD_STEPS_PER_MM = 400;
export const ACTUATOR_STEPS_PER_MM = 426.67;
/** The firmware clamps head targets to 0…32000 steps (0–80 mm) except while homing. */
export const MAX_ACTUATOR_STEPS = 32_000;
/** Step rate at S1, in Hz, and acceleration at A1, in steps/s². */
export const BASE_SPEED_HZ = 48_000;
export const BASE_ACCEL = 36_000;
/**
 * The fastest step rate the firmware's stepper driver takes, in Hz (48000 × 4.19). A faster one, or a rate or
 * acceleration that comes out at 0 or less, is refused without a word and the previous value stays.
 */
export const MAX_SPEED_HZ = 201_120;

/** The step rate the firmware computes for S, in Hz: `int speed = 48000 * S` in 32-bit floats, truncated. */
export function firmwareSpeedHz(speedScale: number): number {
  return truncateToInt(Math.fround(BASE_SPEED_HZ * Math.fround(speedScale)));
}

/** The acceleration the firmware computes for A, in steps/s²: `int accel = 36000 * A`, as for the speed. */
export function firmwareAccel(accelScale: number): number {
  return truncateToInt(Math.fround(BASE_ACCEL * Math.fround(accelScale)));
}

/** Whether the stepper driver takes this step rate (Hz); otherwise it keeps the previous one. */
export function isAcceptedSpeedHz(hz: number): boolean {
  return Number.isFinite(hz) && hz > 0 && hz <= MAX_SPEED_HZ;
}

/** Whether the stepper driver takes this acceleration (steps/s²); otherwise it keeps the previous one. */
export function isAcceptedAccel(accel: number): boolean {
  return Number.isFinite(accel) && accel > 0;
}

function truncateToInt(value: number): number {
  if (Number.isNaN(value)) return 0;
  const truncated = Math.trunc(value);
  return truncated === 0 ? 0 : truncated;
}

type Signs = readonly [sX: number, sY: number, sZ: number, sP: number, sR: number];

/** Per-actuator signs of X, Y, Z, P, R in the firmware's inverse kinematics. */
export const ACTUATOR_SIGNS: Readonly<Record<ActuatorId, Signs>> = {
  1: [-1, 1, 1, 1, 1],
  2: [1, -1, -1, 1, 1],
  3: [-1, -1, -1, -1, 1],
  4: [1, 1, -1, -1, -1],
  5: [-1, 1, -1, 1, -1],
  6: [1, -1, 1, 1, -1],
};

/** Target of each actuator (index 0 is actuator 1) in steps for a head pose, clamped as the firmware does. */
export function headPoseToSteps(pose: Readonly<HeadPose>): number[] {
  return ([1, 2, 3, 4, 5, 6] as const).map((id) => {
    const [sX, sY, sZ, sP, sR] = ACTUATOR_SIGNS[id];
    const raw = 10 * (sX * pose.X + sY * pose.Y + sZ * pose.Z + sP * pose.P + sR * pose.R) + HEAD_STEPS_PER_MM * pose.H;
    return Math.min(MAX_ACTUATOR_STEPS, Math.max(0, Math.round(raw)));
  });
}

/** Target of each actuator in mm for a head pose (steps / 400). */
export function headPoseToMm(pose: Readonly<HeadPose>): number[] {
  return headPoseToSteps(pose).map((steps) => steps / HEAD_STEPS_PER_MM);
}
