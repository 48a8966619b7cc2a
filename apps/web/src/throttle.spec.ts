import { ChangedLines, Throttle } from './throttle';

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

describe('ChangedLines', () => {
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

  it('sends the newest line at most once per interval, and never the same line twice in a row', () => {
    const sent: string[] = [];
    const lines = new ChangedLines(
      50,
      (line) => sent.push(line) > 0,
      () => now,
    );
    lines.offer('Q:1');
    advance(60);
    // The phone held still: the same line again and again sends nothing.
    for (let i = 0; i < 5; i++) {
      lines.offer('Q:1');
      advance(60);
    }
    expect(sent).toEqual(['Q:1']);
    // A burst within one interval: only its newest line goes, at the end of the interval.
    lines.offer('Q:2');
    advance(10);
    lines.offer('Q:3');
    lines.offer('Q:4');
    advance(60);
    expect(sent).toEqual(['Q:1', 'Q:2', 'Q:4']);
  });

  it('keeps a line the sender could not send, sends it on resume, and starts afresh after stop', () => {
    const sent: string[] = [];
    let open = false;
    const lines = new ChangedLines(
      50,
      (line) => open && sent.push(line) > 0,
      () => now,
    );
    lines.offer('Q:1');
    advance(60);
    expect(sent).toEqual([]);
    open = true;
    lines.resume();
    advance(60);
    expect(sent).toEqual(['Q:1']);
    // A new hold repeats the last line: it goes out, since the neck may have moved meanwhile.
    lines.stop();
    lines.offer('Q:1');
    // Offered within the interval, then stopped: it never goes.
    lines.offer('Q:2');
    lines.stop();
    advance(60);
    expect(sent).toEqual(['Q:1', 'Q:1']);
  });
});
