import {
  ACTUATOR_IDS,
  ACTUATOR_SIGNS,
  BASE_ACCEL,
  BASE_SPEED_HZ,
  HEAD_STEPS_PER_MM,
  HeadPose,
  MAX_ACTUATOR_STEPS,
} from '@neck-signal/protocol';
import { addInt32, toInt32 } from './arduino-numbers';

const f = Math.fround;
/** The sketch's scale of X, Y, Z, P and R into steps (`pitchScale`, `rollScale`… all 10.0f). */
const AXIS_SCALE = 10;
/** FastAccelStepper's timer on the ESP32: 16 MHz ticks; it refuses a step period under 80 ticks. */
const TICKS_PER_S = 16_000_000;
const MIN_STEP_TICKS = 80;

/**
 * The six targets `moveHead` computes, in steps, with the sketch's own C arithmetic: every angle is an `int`
 * multiplied by a `float` scale and summed in float, the sum stored in an `int`; the height's steps (another
 * `int`) are added in int arithmetic, which wraps (`X-200000000,H5000000` takes actuator 1 past 2³¹, to a
 * negative number, clamped to 0); then each target is clamped to 0…32000.
 */
export function firmwareHeadTargets(pose: Readonly<HeadPose>): number[] {
  const height = toInt32(f(f(pose.H) * HEAD_STEPS_PER_MM));
  return ACTUATOR_IDS.map((id) => {
    const [sX, sY, sZ, sP, sR] = ACTUATOR_SIGNS[id];
    // The first term negates an int (`-angleX`), which wraps at INT_MIN; the others subtract a float product.
    const first = f(f(sX < 0 ? -pose.X | 0 : pose.X) * AXIS_SCALE);
    const rest: [number, number][] = [
      [sY, pose.Y],
      [sZ, pose.Z],
      [sP, pose.P],
      [sR, pose.R],
    ];
    const sum = rest.reduce((total, [sign, value]) => f(total + sign * f(f(value) * AXIS_SCALE)), first);
    const target = addInt32(toInt32(sum), height);
    return Math.min(MAX_ACTUATOR_STEPS, Math.max(0, target));
  });
}

/** `int newSpeed = speedVar * speedMultiplier` (speedVar is always 48000): float product, stored in an int. */
export function firmwareSpeedInt(speedScale: number): number {
  return toInt32(f(BASE_SPEED_HZ * f(speedScale)));
}

/** `int newAccel = accVar * accelMultiplier` (accVar is always 36000). */
export function firmwareAccelInt(accelScale: number): number {
  return toInt32(f(BASE_ACCEL * f(accelScale)));
}

/**
 * Whether FastAccelStepper's `setSpeedInHz(uint32_t)` takes the int it is passed: a negative int arrives as a
 * huge unsigned one; the period is `divForHz`'s rounded (16 MHz + hz/2) / hz, refused under 80 ticks. So up to
 * 201,257 Hz is taken (S4.192, 201,216 Hz, is).
 */
export function stepperTakesSpeed(speedInt: number): boolean {
  const hz = speedInt >>> 0;
  if (hz === 0) return false;
  return Math.floor((TICKS_PER_S + Math.floor(hz / 2)) / hz) >= MIN_STEP_TICKS;
}

/** Whether `setAcceleration(int32_t)` takes it: above 0. */
export function stepperTakesAccel(accelInt: number): boolean {
  return accelInt > 0;
}
