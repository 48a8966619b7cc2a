import { ActuatorId, HeadPose } from './command';

/** Steps per mm for head commands (400) and for direct actuator commands (426.67), as the firmware uses. */
export const HEAD_STEPS_PER_MM = 400;
export const ACTUATOR_STEPS_PER_MM = 426.67;
/** The firmware clamps head targets to 0…32000 steps (0–80 mm) except while homing. */
export const MAX_ACTUATOR_STEPS = 32_000;
/** Step rate at S1, in Hz, and acceleration at A1, in steps/s². */
export const BASE_SPEED_HZ = 48_000;
export const BASE_ACCEL = 36_000;

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
