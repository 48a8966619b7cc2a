/** Who asked for a line, so the ack can go back to them. */
export interface Requester {
  /** The sid of the peer the command came from. */
  readonly to?: string;
  /** The command's correlation id, echoed in the ack. */
  readonly id?: string;
}

export interface QueuedLine {
  /** The exact firmware line, without "\n". */
  readonly line: string;
  /** Head or quaternion: may be replaced by a newer pose while waiting. */
  readonly pose: boolean;
  readonly requester: Requester;
}

export interface WriteQueueEvents {
  written(item: QueuedLine): void;
  /** A newer pose replaced this one before it was written. */
  superseded(item: QueuedLine, by: QueuedLine): void;
  failed(item: QueuedLine, error: Error): void;
}

/**
 * Serialises writes to the port. Consecutive pose lines waiting to be written collapse to the newest (the
 * firmware would only be told to move on anyway); every other line is written exactly once, in order.
 */
export class WriteQueue {
  private readonly waiting: QueuedLine[] = [];
  private writing = false;

  constructor(
    private readonly write: (line: string) => Promise<void>,
    private readonly events: WriteQueueEvents,
  ) {}

  /** Lines waiting, not counting the one being written. */
  get depth(): number {
    return this.waiting.length;
  }

  enqueue(item: QueuedLine): void {
    const last = this.waiting.at(-1);
    if (item.pose && last?.pose) {
      this.waiting[this.waiting.length - 1] = item;
      this.events.superseded(last, item);
    } else {
      this.waiting.push(item);
    }
    void this.drain();
  }

  /** Fails every waiting line (the port went down); the one being written fails by itself. */
  failAll(error: Error): void {
    for (const item of this.waiting.splice(0)) this.events.failed(item, error);
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      for (let item = this.waiting.shift(); item; item = this.waiting.shift()) {
        try {
          await this.write(item.line);
          this.events.written(item);
        } catch (error) {
          this.events.failed(item, error instanceof Error ? error : new Error(String(error)));
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
