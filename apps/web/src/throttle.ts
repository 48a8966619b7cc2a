/**
 * Runs `task` at most once every `intervalMs`, and always once more after the last request: a burst of
 * requests runs it at once, then once per interval, the last time after the burst has ended. The task reads
 * the newest state when it runs, so the newest value always wins and none is sent twice.
 */
export class Throttle {
  private lastRun = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly task: () => void,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Asks for a run: now when the last one is at least intervalMs ago, else at the end of the interval. */
  request(): void {
    if (this.timer !== undefined) return;
    const wait = this.lastRun + this.intervalMs - this.now();
    if (wait <= 0) {
      this.run();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, wait);
  }

  /** Drops a run that is waiting for its turn. */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.lastRun = this.now();
    this.task();
  }
}
