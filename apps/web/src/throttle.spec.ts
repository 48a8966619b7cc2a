import { Throttle } from './throttle';

describe('Throttle', () => {
  let now = 0;
  beforeEach(() => {
    jest.useFakeTimers();
    now = 0;
  });
  afterEach(() => jest.useRealTimers());

  function advance(ms: number): void {
    now += ms;
    jest.advanceTimersByTime(ms);
  }

  it('runs at once, then at most once per interval, and always once after the last request', () => {
    const runs: number[] = [];
    let value = 0;
    const throttle = new Throttle(
      20,
      () => runs.push(value),
      () => now,
    );
    for (let i = 1; i <= 50; i++) {
      value = i;
      throttle.request();
      advance(3);
    }
    advance(20);
    // 150 ms of requests every 3 ms: the first at once, then one per 20 ms, the newest value last.
    expect(runs[0]).toBe(1);
    expect(runs.at(-1)).toBe(50);
    expect(runs.length).toBeLessThanOrEqual(Math.ceil(150 / 20) + 1);
    advance(100);
    expect(runs.at(-1)).toBe(50);
    expect(new Set(runs).size).toBe(runs.length);
  });

  it('runs a request after a quiet spell at once', () => {
    const task = jest.fn();
    const throttle = new Throttle(20, task, () => now);
    throttle.request();
    advance(50);
    throttle.request();
    expect(task).toHaveBeenCalledTimes(2);
  });

  it('cancel() drops the waiting run', () => {
    const task = jest.fn();
    const throttle = new Throttle(20, task, () => now);
    throttle.request();
    throttle.request();
    throttle.cancel();
    advance(100);
    expect(task).toHaveBeenCalledTimes(1);
  });
});
