import { FreshnessGate } from './freshness';

describe('FreshnessGate: late poses without synchronised clocks', () => {
  let now: number;
  let gate: FreshnessGate;
  beforeEach(() => {
    now = 1_000_000;
    gate = new FreshnessGate(250, () => now);
  });

  /** A sender whose clock is `skew` ms off ours sends at its `t`; it arrives `delay` ms later on our clock. */
  const arrive = (sender: string, t: number, delay: number, skew = -777_000) => {
    now = t + delay;
    return gate.judge(sender, t + skew);
  };

  it('learns each sender’s usual delay, whatever its clock, and drops what comes much later than that', () => {
    const start = now;
    for (let t = start; t < start + 1000; t += 10) expect(arrive('a', t, 5 + (t % 3))).toEqual({ fresh: true });
    // A frozen hub: what was sent during the freeze arrives at once when it resumes.
    const frozen = start + 1000;
    const resumed = frozen + 5000;
    const late = [];
    for (let t = frozen; t < resumed; t += 10) {
      now = resumed;
      late.push(gate.judge('a', t - 777_000));
    }
    expect(late.slice(0, -30).every((verdict) => !verdict.fresh)).toBe(true);
    expect(late[0]).toEqual({ fresh: false, lateByMs: expect.any(Number) });
    expect(late[0].fresh ? 0 : late[0].lateByMs).toBeGreaterThan(4900);
    // What is sent after the freeze is fresh again.
    expect(arrive('a', resumed + 10, 6)).toEqual({ fresh: true });
  });

  it('keeps senders apart, and takes commands without a stamp as fresh', () => {
    const start = now;
    arrive('a', start, 5, 0);
    expect(arrive('b', start + 10, 900, 123_456)).toEqual({ fresh: true });
    expect(gate.judge('a', undefined)).toEqual({ fresh: true });
  });

  it('within the bound is fresh, past it stale', () => {
    const start = now;
    arrive('a', start, 10);
    expect(arrive('a', start + 10, 260)).toEqual({ fresh: true });
    expect(arrive('a', start + 20, 261)).toEqual({ fresh: false, lateByMs: 251 });
  });

  it('takes a sender’s clock stepping back as a new usual once its late poses keep arriving at their pace', () => {
    const start = now;
    for (let t = start; t < start + 500; t += 10) arrive('a', t, 5, 0);
    // The sender's clock jumps back 3 s: every pose now looks 3 s late, but they arrive at the pace they are sent.
    const verdicts = [];
    for (let t = start + 500; t < start + 2000; t += 10) verdicts.push(arrive('a', t, 5, -3000));
    expect(verdicts[0].fresh).toBe(false);
    expect(verdicts.at(-1)).toEqual({ fresh: true });
    expect(verdicts.filter((verdict) => !verdict.fresh).length).toBeLessThan(110);
  });
});
