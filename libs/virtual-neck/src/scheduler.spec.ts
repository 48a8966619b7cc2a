import { ManualScheduler, realScheduler } from './scheduler';

describe('ManualScheduler', () => {
  it('starts at 0 and moves only when advanced', () => {
    const scheduler = new ManualScheduler();
    expect(scheduler.now()).toBe(0);
    scheduler.advance(250);
    expect(scheduler.now()).toBe(250);
  });

  it('fires due timers in time order, each at its own time, and ones set on the way', () => {
    const scheduler = new ManualScheduler();
    const fired: string[] = [];
    scheduler.setTimer(() => fired.push(`b@${scheduler.now()}`), 20);
    scheduler.setTimer(() => {
      fired.push(`a@${scheduler.now()}`);
      scheduler.setTimer(() => fired.push(`c@${scheduler.now()}`), 5);
    }, 10);
    scheduler.setTimer(() => fired.push('late'), 100);
    scheduler.advance(30);
    expect(fired).toEqual(['a@10', 'c@15', 'b@20']);
    expect(scheduler.pending).toBe(1);
  });

  it('fires timers due at the same time in the order they were set', () => {
    const scheduler = new ManualScheduler();
    const fired: number[] = [];
    for (const n of [1, 2, 3]) scheduler.setTimer(() => fired.push(n), 10);
    scheduler.advance(10);
    expect(fired).toEqual([1, 2, 3]);
  });

  it('never fires a cancelled timer', () => {
    const scheduler = new ManualScheduler();
    const callback = jest.fn();
    scheduler.setTimer(callback, 10).cancel();
    expect(scheduler.pending).toBe(0);
    scheduler.advance(20);
    expect(callback).not.toHaveBeenCalled();
  });
});

describe('realScheduler', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('follows jest fake timers installed after it was loaded', () => {
    jest.useFakeTimers();
    const start = realScheduler.now();
    const callback = jest.fn();
    const cancelled = jest.fn();
    realScheduler.setTimer(callback, 100);
    realScheduler.setTimer(cancelled, 100).cancel();
    jest.advanceTimersByTime(99);
    expect(callback).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(callback).toHaveBeenCalledTimes(1);
    expect(cancelled).not.toHaveBeenCalled();
    expect(realScheduler.now() - start).toBe(100);
  });
});
