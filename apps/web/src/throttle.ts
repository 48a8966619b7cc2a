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

/**
 * A stream of command lines (tilt): the newest line goes out at most once every `intervalMs`, and only when it
 * differs from the last one sent — holding the phone still sends nothing. `send` says whether the line went out.
 */
export class ChangedLines {
  private readonly throttle: Throttle;
  private pending: string | undefined;
  private lastSent: string | undefined;

  constructor(
    intervalMs: number,
    private readonly send: (line: string) => boolean,
    now?: () => number,
  ) {
    this.throttle = new Throttle(intervalMs, () => this.flush(), now);
  }

  /** The newest line; it replaces one still waiting for its turn. */
  offer(line: string): void {
    this.pending = line;
    this.throttle.request();
  }

  /** Sends the waiting line, if any, as soon as its turn comes (after a pause, e.g. the neck homed). */
  resume(): void {
    this.throttle.request();
  }

  /** Drops the waiting line; the next stream starts afresh (its first line goes out even if it repeats the last). */
  stop(): void {
    this.throttle.cancel();
    this.pending = undefined;
    this.lastSent = undefined;
  }

  private flush(): void {
    const line = this.pending;
    if (line === undefined || line === this.lastSent) return;
    if (this.send(line)) {
      this.lastSent = line;
      this.pending = undefined;
    }
  }
}
