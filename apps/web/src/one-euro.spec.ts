import { OneEuroFilter } from './one-euro';

/** A reading every 10 ms (100 Hz, a phone's orientation rate). */
const STEP_MS = 10;

/** A deterministic noise in ±amplitude. */
function noise(i: number, amplitude: number): number {
  return amplitude * Math.sin(i * 12.9898) * Math.cos(i * 78.233);
}

describe('OneEuroFilter', () => {
  // Adversary: a trembling hand held still, then a fast turn; a plain low-pass trades one for the other.
  it('removes most jitter when still and lags little when turning fast', () => {
    const filter = new OneEuroFilter(() => ({ minCutoffHz: 1, beta: 0.05 }));
    const still: number[] = [];
    for (let i = 0; i < 200; i += 1) still.push(filter.next(20 + noise(i, 2), i * STEP_MS));
    const spread = (values: number[]) => Math.max(...values) - Math.min(...values);
    expect(spread(still.slice(100))).toBeLessThan(
      spread(Array.from({ length: 100 }, (_, i) => 20 + noise(i + 100, 2))) / 4,
    );

    // Then 180°/s for half a second: the output trails the input by a few degrees, not tens.
    let last = 0;
    for (let i = 0; i < 50; i += 1) last = filter.next(20 + 1.8 * (i + 1), (200 + i) * STEP_MS);
    expect(20 + 1.8 * 50 - last).toBeLessThan(10);

    const sluggish = new OneEuroFilter(() => ({ minCutoffHz: 1, beta: 0 }));
    sluggish.reset(20, 1990);
    let lagged = 0;
    for (let i = 0; i < 50; i += 1) lagged = sluggish.next(20 + 1.8 * (i + 1), (200 + i) * STEP_MS);
    // Without the speed term (beta 0) it is a plain low-pass: far more lag.
    expect(20 + 1.8 * 50 - lagged).toBeGreaterThan(3 * (20 + 1.8 * 50 - last));
  });

  it('takes the first reading as it is, and goes the shorter way round ±180°', () => {
    const filter = new OneEuroFilter(() => ({ minCutoffHz: 1, beta: 0 }));
    expect(filter.next(175, 0)).toBe(175);
    const next = filter.next(-175, 10);
    expect(next > 175 || next < -179).toBe(true);
  });
});
