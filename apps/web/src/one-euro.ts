/**
 * The One Euro filter (Casiez, Roussel, Vogel, CHI 2012; https://gery.casiez.net/1euro/): a low-pass filter whose
 * cutoff rises with speed, so that a still pointer does not jitter and a moving one does not lag. `minCutoffHz`
 * sets how smooth it is when still (lower: smoother), `beta` how fast the cutoff rises with speed (higher: less
 * lag). For angles in degrees: each step goes the shorter way round.
 */
export class OneEuroFilter {
  private value: number | undefined;
  private speed = 0;
  private at: number | undefined;

  constructor(
    private readonly parameters: () => { minCutoffHz: number; beta: number },
    /** Cutoff of the speed estimate, Hz: the paper's 1 Hz. */
    private readonly speedCutoffHz = 1,
  ) {}

  /** Starts again from `value` (or from the next reading). */
  reset(value?: number, atMs?: number): void {
    this.value = value;
    this.speed = 0;
    this.at = value === undefined ? undefined : atMs;
  }

  /** The filtered angle for a reading `value` taken at `atMs` (ms, any monotonic clock). */
  next(value: number, atMs: number): number {
    const previous = this.value;
    const dtS = this.at === undefined ? 0 : (atMs - this.at) / 1000;
    this.at = atMs;
    // The first reading, or two at the same instant: taken as they are.
    if (previous === undefined || dtS <= 0) {
      this.value = wrap(value);
      return this.value;
    }
    const { minCutoffHz, beta } = this.parameters();
    const step = wrap(value - previous);
    const speed = step / dtS;
    this.speed += smoothing(this.speedCutoffHz, dtS) * (speed - this.speed);
    const cutoff = minCutoffHz + beta * Math.abs(this.speed);
    const next = previous + smoothing(cutoff, dtS) * step;
    this.value = wrap(next);
    return this.value;
  }
}

/** The exponential smoothing factor of a first-order low-pass at `cutoffHz` for a step of `dtS` seconds. */
function smoothing(cutoffHz: number, dtS: number): number {
  const tau = 1 / (2 * Math.PI * cutoffHz);
  return 1 / (1 + tau / dtS);
}

function wrap(degrees: number): number {
  return ((((degrees + 180) % 360) + 360) % 360) - 180;
}
