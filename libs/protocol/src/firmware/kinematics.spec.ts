import { HOME_POSE } from './command';
import { headPoseToMm, headPoseToSteps } from './kinematics';
import { eulerToQuaternion, quaternionToEuler } from './quaternion';

describe('kinematics', () => {
  it('puts every actuator at 400 steps per unit of H', () => {
    expect(headPoseToSteps({ ...HOME_POSE, H: 30 })).toEqual(Array(6).fill(12_000));
    expect(headPoseToMm({ ...HOME_POSE, H: 30 })).toEqual(Array(6).fill(30));
  });

  it('applies the per-actuator signs of X', () => {
    // X signs: 1 −, 2 +, 3 −, 4 +, 5 −, 6 +; 10 steps per unit on top of H20 = 8000 steps.
    expect(headPoseToSteps({ ...HOME_POSE, H: 20, X: 50 })).toEqual([7500, 8500, 7500, 8500, 7500, 8500]);
  });

  it('applies the signs of P and R', () => {
    expect(headPoseToSteps({ ...HOME_POSE, H: 20, P: 10 })).toEqual([8100, 8100, 7900, 7900, 8100, 8100]);
    expect(headPoseToSteps({ ...HOME_POSE, H: 20, R: 10 })).toEqual([8100, 8100, 8100, 7900, 7900, 7900]);
  });

  it('clamps to 0…32000 steps', () => {
    expect(headPoseToSteps({ ...HOME_POSE, X: 700 })).toEqual([0, 7000, 0, 7000, 0, 7000]);
    expect(Math.max(...headPoseToSteps({ ...HOME_POSE, H: 70, Y: 700 }))).toBe(32_000);
  });
});

describe('quaternionToEuler', () => {
  it('gives the identity for w=1', () => {
    expect(quaternionToEuler(1, 0, 0, 0)).toEqual({ yaw: 0, pitch: 0, roll: 0 });
  });

  it('normalises before converting', () => {
    expect(quaternionToEuler(2, 0, 0, 2)).toEqual({ yaw: 90, pitch: 0, roll: 0 });
    expect(quaternionToEuler(16384, 0, 16384, 0)).toEqual({ yaw: 0, pitch: 90, roll: 0 });
  });

  it('inverts eulerToQuaternion to the degree', () => {
    for (const [yaw, pitch, roll] of [
      [30, 20, 10],
      [-45, 15, -60],
      [170, -80, 5],
    ]) {
      const [w, x, y, z] = eulerToQuaternion(yaw, pitch, roll);
      expect(quaternionToEuler(w, x, y, z)).toEqual({ yaw, pitch, roll });
    }
  });
});
