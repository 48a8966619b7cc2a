interface Segment {
  readonly text: string;
  /** When byte 0 of `text` reaches the far end, in scheduler ms. */
  readonly firstAt: number;
  /** Bytes of `text` already taken. */
  taken: number;
}

/**
 * Bytes on their way down a serial line, one character per byte (latin1). A byte reaches the far end one byte
 * time after the byte before it, or after it was sent if the line was idle; nothing is lost here, since the
 * sending side buffers whatever it writes faster than the line carries it.
 */
export class SerialWire {
  private readonly segments: Segment[] = [];
  private lastAt = -Infinity;

  /** `byteMs`: ms one byte takes on the line (10 bits at the baud rate for 8N1); 0 delivers at once. */
  constructor(readonly byteMs: number) {}

  /** Puts `text` on the line at time `now` (ms). */
  send(text: string, now: number): void {
    if (text === '') return;
    const firstAt = Math.max(this.lastAt, now) + this.byteMs;
    this.segments.push({ text, firstAt, taken: 0 });
    this.lastAt = firstAt + (text.length - 1) * this.byteMs;
  }

  /** True when every byte sent has arrived and been taken. */
  get isEmpty(): boolean {
    return this.segments.length === 0;
  }

  /** Bytes not yet taken, arrived or not. */
  get length(): number {
    return this.segments.reduce((total, segment) => total + segment.text.length - segment.taken, 0);
  }

  /** Bytes that arrive after `time` (ms): still travelling then. */
  arrivingAfter(time: number): number {
    return this.segments.reduce((total, segment) => {
      const arrived =
        this.byteMs === 0
          ? segment.firstAt <= time
            ? segment.text.length
            : 0
          : Math.floor((time - segment.firstAt) / this.byteMs) + 1;
      return total + segment.text.length - Math.min(segment.text.length, Math.max(segment.taken, arrived));
    }, 0);
  }

  /** When the next byte arrives, or undefined if the line is empty. */
  nextArrival(): number | undefined {
    const segment = this.segments[0];
    return segment && this.arrival(segment, segment.taken);
  }

  /** When the next `\n` arrives, or the last byte if no `\n` is on the line; undefined if the line is empty. */
  nextLineArrival(): number | undefined {
    for (const segment of this.segments) {
      const newline = segment.text.indexOf('\n', segment.taken);
      if (newline >= 0) return this.arrival(segment, newline);
    }
    return this.segments.length === 0 ? undefined : this.lastAt;
  }

  /** Takes the next byte and its arrival time. */
  take(): { readonly byte: string; readonly at: number } | undefined {
    const segment = this.segments[0];
    if (!segment) return undefined;
    const at = this.arrival(segment, segment.taken);
    const byte = segment.text.charAt(segment.taken);
    segment.taken++;
    if (segment.taken >= segment.text.length) this.segments.shift();
    return { byte, at };
  }

  /** Forgets every byte on the line (the cable was pulled). */
  clear(): void {
    this.segments.length = 0;
    this.lastAt = -Infinity;
  }

  private arrival(segment: Segment, index: number): number {
    return segment.firstAt + index * this.byteMs;
  }
}
