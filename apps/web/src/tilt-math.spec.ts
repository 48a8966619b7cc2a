import {
  DEFAULT_TILT_SETTINGS,
  TiltSmoother,
  parseTiltSettings,
  shapeTilt,
  turnFrom,
  type TiltSettings,
} from './tilt-math';

const settings = (changes: Partial<TiltSettings> = {}): TiltSettings => ({
  ...DEFAULT_TILT_SETTINGS,
  gain: { ...DEFAULT_TILT_SETTINGS.gain },
  invert: { ...DEFAULT_TILT_SETTINGS.invert },
  ...changes,
});

describe('tilt', () => {
  it('measures the turn from the zero the shorter way round (across north, across ±180°)', () => {
    expect(turnFrom({ alpha: 350, beta: 0, gamma: 0 }, { alpha: 10, beta: 20, gamma: -30 })).toEqual({
      yaw: 20,
      pitch: 20,
      roll: -30,
    });
    expect(turnFrom({ alpha: 10, beta: 170, gamma: 0 }, { alpha: 340, beta: -170, gamma: 0 })).toEqual({
      yaw: -30,
      pitch: 20,
      roll: 0,
    });
  });

  it('scales and inverts each axis on its own, clamps to the head’s limits, whole degrees', () => {
    const turn = { yaw: 30, pitch: -20.4, roll: 10 };
    expect(shapeTilt(turn, settings())).toEqual({ yaw: 30, pitch: -20, roll: 10 });
    const tuned = settings({ gain: { yaw: 2, pitch: 1, roll: 0.5 }, invert: { yaw: false, pitch: true, roll: false } });
    expect(shapeTilt(turn, tuned)).toEqual({ yaw: 60, pitch: 20, roll: 5 });
    // Adversary: a phone turned far past what a neck (or the firmware, at ±90° pitch) can take.
    expect(shapeTilt({ yaw: 170, pitch: -89, roll: 100 }, settings({ gain: { yaw: 3, pitch: 3, roll: 3 } }))).toEqual({
      yaw: 90,
      pitch: -60,
      roll: 60,
    });
    expect(Object.is(shapeTilt({ yaw: -0.2, pitch: 0, roll: 0 }, settings()).yaw, 0)).toBe(true);
  });

  it('filters each axis with the One Euro filter, starts where it is told, and passes through when off', () => {
    const settings = { filter: true, minCutoffHz: 1, beta: 0 };
    const smoother = new TiltSmoother(() => settings);
    smoother.reset({ yaw: 0, pitch: 0, roll: 0 }, 0);
    // A jump, read 20 ms later: at 1 Hz and no speed term the output moves ~11% of the way.
    const first = smoother.next({ yaw: 40, pitch: -20, roll: 0 }, 20);
    expect(first.yaw).toBeCloseTo(40 * (1 / (1 + 1 / (2 * Math.PI) / 0.02)), 6);
    expect(first.pitch).toBeCloseTo(-20 * (1 / (1 + 1 / (2 * Math.PI) / 0.02)), 6);
    // The shorter way round: from 170° to −170° is 20°, not 340°.
    smoother.reset({ yaw: 170, pitch: 0, roll: 0 }, 0);
    expect(smoother.next({ yaw: -170, pitch: 0, roll: 0 }, 20).yaw).toBeGreaterThan(170);
    settings.filter = false;
    expect(smoother.next({ yaw: 12, pitch: 3, roll: 4 }, 40)).toEqual({ yaw: 12, pitch: 3, roll: 4 });
    smoother.reset();
    settings.filter = true;
    expect(smoother.next({ yaw: 30, pitch: 0, roll: 0 }, 60).yaw).toBe(30);
  });

  it('reads stored settings back, and only valid values of them', () => {
    const saved = {
      gain: { yaw: 2, pitch: 9, roll: 'x' },
      invert: { roll: true, yaw: 1 },
      filter: false,
      minCutoffHz: 0.5,
      beta: 7,
    };
    expect(parseTiltSettings(saved)).toEqual({
      gain: { yaw: 2, pitch: 1, roll: 1 },
      invert: { yaw: false, pitch: false, roll: true },
      filter: false,
      minCutoffHz: 0.5,
      beta: 0.05,
    });
    expect(parseTiltSettings('garbage')).toEqual(DEFAULT_TILT_SETTINGS);
    expect(parseTiltSettings(null)).toEqual(DEFAULT_TILT_SETTINGS);
  });
});
