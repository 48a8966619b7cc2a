import { eulerToQuaternion, quaternionToEuler } from '@neck-signal/protocol';
import { firmwareEuler, float32Norm } from './firmware-euler';

describe('firmwareEuler (float components, double conversion, as the sketch computes it)', () => {
  it('makes pitch undefined at ±90°: sinp = 2(wy − zx) rounds to 1.0000001 and asin is NaN, stored as some int', () => {
    for (const y of [0.7071, -0.7071]) {
      const euler = firmwareEuler(0.7071, 0, y, 0);
      expect(euler.undefinedAngles).toEqual(['pitch']);
      expect(Number.isInteger(euler.pitch)).toBe(true);
    }
    expect(quaternionToEuler(0.7071, 0, 0.7071, 0).pitch).toBe(90);
  });

  it('agrees with the protocol lib’s quaternionToEuler away from ±90° pitch', () => {
    const mismatches: string[] = [];
    for (let yaw = -165; yaw <= 165; yaw += 15) {
      for (let pitch = -85; pitch <= 85; pitch += 5) {
        for (let roll = -165; roll <= 165; roll += 30) {
          const [w, x, y, z] = eulerToQuaternion(yaw, pitch, roll).map(Math.fround);
          const { yaw: fy, pitch: fp, roll: fr } = firmwareEuler(w, x, y, z);
          const firmware = { yaw: fy, pitch: fp, roll: fr };
          const exact = quaternionToEuler(w, x, y, z);
          if (JSON.stringify(firmware) !== JSON.stringify(exact)) {
            mismatches.push(`${yaw},${pitch},${roll}: ${JSON.stringify(firmware)} vs ${JSON.stringify(exact)}`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('turns a non-finite component into undefined angles, which the int conversion still makes numbers', () => {
    const euler = firmwareEuler(Infinity, 0, 0, 0);
    expect(euler.undefinedAngles).toEqual(['yaw', 'pitch', 'roll']);
    expect([euler.yaw, euler.pitch, euler.roll].every(Number.isInteger)).toBe(true);
  });

  it('squares tiny components to zero, as a 32-bit float does', () => {
    expect(float32Norm(1e-30, 0, 0, 0)).toBe(0);
    expect(float32Norm(3, 0, 4, 0)).toBe(5);
  });
});
