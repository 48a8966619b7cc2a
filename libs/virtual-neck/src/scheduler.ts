/** A pending timer; cancelling a timer that already fired does nothing. */
export interface NeckTimer {
  cancel(): void;
}

/** The virtual neck's sense of time: a millisecond clock and one-shot timers. */
export interface NeckScheduler {
  /** Milliseconds on a clock that never goes backwards. */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds. */
  setTimer(callback: () => void, ms: number): NeckTimer;
}

/**
 * Real time: `performance.now()` and `setTimeout`, looked up on every call so jest's fake timers (which
 * replace both) apply even when installed after this module was loaded.
 */
export const realScheduler: NeckScheduler = {
  now: () => performance.now(),
  setTimer: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    return { cancel: () => clearTimeout(handle) };
  },
};

interface ManualTimer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/**
 * Time that moves only when told to, for tests that must not sleep and must leave real timers (and so
 * serialport's I/O) alone. Starts at 0 ms.
 */
export class ManualScheduler implements NeckScheduler {
  private time = 0;
  private seq = 0;
  private timers: ManualTimer[] = [];

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, ms: number): NeckTimer {
    const timer: ManualTimer = { at: this.time + Math.max(0, ms), seq: this.seq++, callback, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
        this.timers = this.timers.filter((t) => t !== timer);
      },
    };
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves the clock on by `ms`, firing every timer that falls due on the way (also ones set meanwhile), in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.nextDue(end);
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.callback();
    }
    this.time = end;
  }

  private nextDue(end: number): ManualTimer | undefined {
    let next: ManualTimer | undefined;
    for (const timer of this.timers) {
      if (timer.cancelled || timer.at > end) continue;
      if (!next || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq)) next = timer;
    }
    return next;
  }
}
