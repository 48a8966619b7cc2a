import {
  AckErrorDto,
  FirmwareState,
  HubStampDto,
  HOMING_DURATION_MS,
  NeckCommand,
  blockingMsOf,
  byteTimeMs,
  homingsOf,
  isHomingAnnouncement,
  isPoseCommand,
  legacyMissingKeywordsOf,
  parseHealthLine,
  printedBytesOf,
} from '@neck-signal/protocol';
import { SerialLink } from '../serial/serial-link';

/** Who asked for a line, so the ack can go back to them: everything here is echoed in the ack. */
export interface Requester {
  /** The sid of the peer the command came from. */
  readonly to?: string;
  /** The command's correlation id, echoed in the ack. */
  readonly id?: string;
  /** The relaying hub's stamp, echoed unchanged: only that hub reads it. */
  readonly hub?: HubStampDto;
}

/** An operator's command, validated and merged: what to write and who to tell. */
export interface QueuedLine {
  /** The exact firmware line, without "\n". */
  readonly line: string;
  readonly command: NeckCommand;
  readonly requester: Requester;
  /** When the agent received the command: performance.now() ms. */
  readonly receivedAt: number;
  /** Told how the line was settled, for one the agent queued for itself (the last line of an eased move). */
  readonly settled?: (status: 'written' | 'superseded' | 'rejected', error?: AckErrorDto) => void;
}

/** Where a line's time went in the session, ms on the agent's monotonic clock. */
export interface LineTiming {
  /**
   * From being taken to its write beginning (firmware booting or homing, earlier lines, the wire's pace), or to
   * being dropped when it never was written.
   */
  readonly queueMs: number;
  /** Of queueMs, the part spent behind a fence: the HEALTH after a HOME, or the known homing time. */
  readonly fenceMs: number;
  /** Written lines only: from the write to its bytes having left (the drain, and never less than the wire takes). */
  readonly wireMs?: number;
}

/** How the agent paces itself to the firmware; every value in ms. */
export interface FirmwareTiming {
  /**
   * Silence after the port opens before the first HEALTH: a DevKit resets when its port is opened and loses
   * whatever arrives while it boots. Default 1000.
   */
  readonly bootQuietMs: number;
  /** How much longer than the known homing time to wait for a HEALTH answer. Default 1000. */
  readonly answerMarginMs: number;
  /** On firmware that never answers HEALTH, how much longer than the known homing time to wait. Default 250. */
  readonly legacyMarginMs: number;
}

export const DEFAULT_FIRMWARE_TIMING: FirmwareTiming = Object.freeze({
  bootQuietMs: 1000,
  answerMarginMs: 1000,
  legacyMarginMs: 250,
});

/**
 * Bytes of output the ESP32's UART takes while the sketch goes on: `Serial.println` returns once all but these
 * have left, and the sketch reads nothing until then (docs/firmware.md).
 */
const FIRMWARE_TX_FIFO_BYTES = 128;

const HEALTH_COMMAND: NeckCommand = Object.freeze({ kind: 'health', keyword: 'HEALTH' });

/** Commands other than poses held at most while the firmware cannot read; past it, QUEUE_FULL. */
export const MAX_HELD_COMMANDS = 32;

export interface FirmwareSessionEvents {
  /** The line reached the firmware while it was reading. */
  written(item: QueuedLine, timing: LineTiming): void;
  /** A newer pose replaced this one before it was written. */
  superseded(item: QueuedLine, by: QueuedLine, timing: LineTiming): void;
  rejected(item: QueuedLine, error: AckErrorDto, timing: LineTiming): void;
  /** State, firmware kind or queue depth changed. */
  changed(): void;
  /** Every line written, ours too (the seed's habit). */
  wrote(line: string): void;
  /** The firmware homed by itself as it booted (the port's opening reset it): that is this opening's HOME. */
  homedAtBoot(): void;
  warn(message: string): void;
}

export interface FirmwareSessionOptions {
  readonly baudRate: number;
  readonly timing: FirmwareTiming;
}

/** A line waiting to be written, with what its timing is counted from. */
interface Held {
  readonly item: QueuedLine;
  /** performance.now() when the session took it. */
  readonly heldAt: number;
  /** The session's fenced time then (see fencedTime). */
  readonly fencedBefore: number;
}

/** One write on the wire: when it began and how long its bytes took to leave. */
interface WireTiming {
  readonly startedAt: number;
  readonly wireMs: number;
}

/** The wait for the HEALTH answer that says a HOME has ended. */
interface Fence {
  /** `Executing HOME_… command...` lines still to come before an answer can be ours. */
  announcementsDue: number;
  /** Lifts the fence once the homing must be over; set when the line has reached the firmware. */
  timer: NodeJS.Timeout | undefined;
}

/**
 * Talks to the firmware on one open port, which acknowledges nothing and loses every byte past its 256-byte
 * UART buffer while it homes (see docs/firmware.md). So nothing is written unless the firmware is known to be
 * reading: after the port opens it is `booting` until it answers HEALTH (or, on firmware that never answers,
 * until its boot homing must be over); after any line with a HOME it is `homing` until the HEALTH written right
 * behind that line is answered (or the known homing time has passed). Meanwhile commands are held: a newer
 * pose replaces a held one, other commands keep their order (at most MAX_HELD_COMMANDS), and the newest pose
 * is always last. Lines go out one at a time, never faster than the wire.
 */
export class FirmwareSession {
  private currentState: FirmwareState = 'booting';
  private healthAnswers: boolean | null = null;
  private readonly waiting: Held[] = [];
  private homeWanted = false;
  /** This opening's HOME is done: the agent wrote it, or the firmware homed by itself as it booted. */
  private homeSent = false;
  /** The firmware announced a homing while booting: opening the port reset it, and its boot homes it. */
  private bootHomed = false;
  /** Between STOP and RELEASE: nothing that moves is written, the agent's own HOME included. */
  private halted = false;
  private fence: Fence | undefined;
  private bootTimer: NodeJS.Timeout | undefined;
  private writing = false;
  private closed = false;
  /** When the last line written has reached the firmware: the next may start then. */
  private wireFreeAt = 0;
  /** When the firmware's own output will have left its TX line, as far as the agent can tell. */
  private firmwareTxFreeAt = 0;
  /** When the firmware reads again after printing (println blocks it until its TX FIFO takes the rest). */
  private firmwareReadsAt = 0;
  /** Time spent behind fences that have been lifted, ms; with fencedSince, what a line's fenceMs is taken from. */
  private fencedMs = 0;
  /** When the current fence began holding lines back (its line written), while there is one. */
  private fencedSince: number | undefined;
  /** The writes in flight, in order: one line at a time on the wire. */
  private writes: Promise<void> = Promise.resolve();
  private readonly byteMs: number;

  constructor(
    private readonly link: SerialLink,
    private readonly options: FirmwareSessionOptions,
    private readonly events: FirmwareSessionEvents,
  ) {
    this.byteMs = byteTimeMs(options.baudRate);
    this.bootTimer = setTimeout(() => this.probe(0), options.timing.bootQuietMs);
  }

  get state(): FirmwareState {
    return this.closed ? 'down' : this.currentState;
  }

  /** True when the firmware answers HEALTH, false on firmware before Feb 2026, null until known. */
  get answersHealth(): boolean | null {
    return this.healthAnswers;
  }

  /** Commands waiting to be written. */
  get depth(): number {
    return this.waiting.length;
  }

  /**
   * The agent's one HOME for this opening of the port: written as soon as the firmware reads, unless the
   * firmware homed by itself as it booted (then that homing was this opening's HOME).
   */
  home(): void {
    if (this.homeWanted) return;
    this.homeWanted = true;
    void this.pump();
  }

  /**
   * Why a command cannot be taken now (queue full, a keyword this firmware lacks or may lack), or undefined.
   * Asked before the command is merged into the pose, so a refused one changes nothing.
   */
  refusal(command: NeckCommand): AckErrorDto | undefined {
    const missing = legacyMissingKeywordsOf(command);
    if (missing.length > 0 && this.healthAnswers === false) {
      return {
        code: 'LEGACY_FIRMWARE',
        message: `${missing.join(', ')}: this neck's firmware predates Feb 2026 and lacks it; it would run it as a head move, so nothing was sent`,
      };
    }
    if (missing.length > 0 && this.healthAnswers === null) {
      return {
        code: 'NOT_READY',
        message: `${missing.join(', ')}: the neck is still booting and it is not yet known whether its firmware has it (older firmware would run it as a head move); send it again once the neck is ready`,
      };
    }
    const held = this.waiting.filter((waiting) => !isPoseCommand(waiting.item.command)).length;
    if (!isPoseCommand(command) && held >= MAX_HELD_COMMANDS) {
      return {
        code: 'QUEUE_FULL',
        message: `${MAX_HELD_COMMANDS} commands are already waiting for the neck (it is ${this.state}); send this one again once it is ready`,
      };
    }
    return undefined;
  }

  /**
   * Takes an operator's command that `refusal` let through: written at once when the firmware reads, else
   * held. A held pose is replaced by a newer one, which goes last.
   */
  enqueue(item: QueuedLine): void {
    const now = performance.now();
    if (isPoseCommand(item.command)) {
      const held = this.waiting.findIndex((waiting) => isPoseCommand(waiting.item.command));
      if (held >= 0) {
        const [replaced] = this.waiting.splice(held, 1);
        this.events.superseded(replaced.item, item, this.timingOf(replaced, now));
      }
    }
    this.waiting.push({ item, heldAt: now, fencedBefore: this.fencedTime(now) });
    this.events.changed();
    void this.pump();
  }

  /**
   * STOP: every held command is refused with `error`, and nothing that moves is written until `resume()`.
   * (The firmware cannot halt a move under way: the neck goes on to its last target.)
   */
  halt(error: AckErrorDto): void {
    this.halted = true;
    const held = this.waiting.splice(0);
    const now = performance.now();
    for (const waiting of held) this.events.rejected(waiting.item, error, this.timingOf(waiting, now));
    if (held.length > 0) this.events.changed();
  }

  /** RELEASE: writing resumes (with the agent's own HOME first, if it is still to come). */
  resume(): void {
    if (!this.halted) return;
    this.halted = false;
    void this.pump();
  }

  /** A line the firmware printed: HEALTH answers and homing announcements move the state on. */
  firmwareLine(line: string): void {
    if (this.closed) return;
    if (isHomingAnnouncement(line)) {
      if (this.currentState === 'booting') this.bootHomed = true;
      if (this.fence && this.fence.announcementsDue > 0) this.fence.announcementsDue--;
      return;
    }
    if (!parseHealthLine(line)) return;
    if (this.currentState === 'booting') {
      this.healthAnswers = true;
      this.ready();
    } else if (this.fence && this.fence.announcementsDue === 0) {
      // Lines run in order: an answer after the homing's announcement comes from a HEALTH read after it ended.
      this.healthAnswers = true;
      this.liftFence();
    }
  }

  /** The port went away or the agent stops: everything held is refused with `reason`. */
  close(error: AckErrorDto): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.bootTimer);
    if (this.fence) clearTimeout(this.fence.timer);
    this.fence = undefined;
    const now = performance.now();
    for (const waiting of this.waiting.splice(0))
      this.events.rejected(waiting.item, error, this.timingOf(waiting, now));
    this.endFencedTime(now);
  }

  /**
   * Asks HEALTH after the boot quiet. A first probe may be lost (the board still booting) or wait in the UART
   * buffer until boot homing ends, so it gets the homing time plus a margin; a second one, sent when the
   * firmware must be reading, gets only the margin. No answer to either: firmware that never answers.
   */
  private probe(attempt: number): void {
    if (this.closed || this.currentState !== 'booting') return;
    this.writeHealth();
    const { answerMarginMs } = this.options.timing;
    const waitMs = (attempt === 0 ? HOMING_DURATION_MS.HOME_BRUTE : 0) + answerMarginMs;
    this.bootTimer = setTimeout(() => {
      if (attempt === 0) {
        this.probe(1);
        return;
      }
      this.events.warn(
        'the firmware does not answer HEALTH: taking it for firmware before Feb 2026, which homes without a word',
      );
      this.healthAnswers = false;
      this.ready();
    }, waitMs);
  }

  private ready(): void {
    clearTimeout(this.bootTimer);
    this.bootTimer = undefined;
    if (this.currentState === 'ready') return;
    this.currentState = 'ready';
    if (this.bootHomed && !this.homeSent) {
      this.homeSent = true;
      this.events.homedAtBoot();
    }
    this.events.changed();
    void this.pump();
  }

  /** The agent's own HEALTH probe or fence. */
  private writeHealth(): void {
    void this.writeLine('HEALTH', HEALTH_COMMAND).catch((error: unknown) =>
      this.events.warn(`could not write HEALTH: ${(error as Error).message}`),
    );
  }

  /** Writes what may be written now, one line at a time, until nothing may. */
  private async pump(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (!this.closed && this.currentState === 'ready') {
        if (this.homeWanted && !this.homeSent && !this.halted) {
          this.homeSent = true;
          await this.writeHoming('HOME', { kind: 'home', keyword: 'HOME' });
          continue;
        }
        // While halted only what does not move may wait here (HEALTH): the relay refuses motion then.
        const waiting = this.waiting.shift();
        if (!waiting) break;
        this.events.changed();
        const { item } = waiting;
        try {
          const wire = await this.writeHoming(item.line, item.command);
          this.events.written(item, { ...this.timingOf(waiting, wire.startedAt), wireMs: wire.wireMs });
        } catch (error) {
          this.events.rejected(
            item,
            { code: 'WRITE_FAILED', message: (error as Error).message },
            this.timingOf(waiting, performance.now()),
          );
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** Writes a line and, when it homes, fences: HEALTH right behind it, and nothing else until it is answered. */
  private async writeHoming(line: string, command: NeckCommand): Promise<WireTiming> {
    const homings = homingsOf(command);
    if (homings.length === 0) return this.writeLine(line, command);
    const answers = this.healthAnswers === true;
    // Counted from before the write: the firmware announces the homing as soon as it reads the line.
    this.fence = { announcementsDue: answers ? homings.length : 0, timer: undefined };
    this.currentState = 'homing';
    this.events.changed();
    let wire: WireTiming;
    try {
      wire = await this.writeLine(line, command);
    } finally {
      if (!this.closed) this.armFence(blockingMsOf(command), answers);
    }
    if (answers && !this.closed) this.writeHealth();
    return wire;
  }

  /** From the moment the line has reached the firmware: its homing time plus a margin at most. */
  private armFence(blockingMs: number, answers: boolean): void {
    const fence = this.fence;
    if (!fence) return;
    const { answerMarginMs, legacyMarginMs } = this.options.timing;
    const waitMs = blockingMs + (answers ? answerMarginMs : legacyMarginMs);
    this.fencedSince ??= performance.now();
    fence.timer = setTimeout(() => {
      if (answers) {
        this.events.warn(`no HEALTH answer within ${waitMs} ms of a HOME; carrying on as if the homing had ended`);
      }
      this.liftFence();
    }, waitMs);
  }

  private liftFence(): void {
    if (!this.fence) return;
    clearTimeout(this.fence.timer);
    this.fence = undefined;
    this.endFencedTime(performance.now());
    this.currentState = 'ready';
    this.events.changed();
    void this.pump();
  }

  /** Fenced time so far, ms: a line's fenceMs is the difference between its write and its arrival. */
  private fencedTime(now: number): number {
    return this.fencedMs + (this.fencedSince === undefined ? 0 : now - this.fencedSince);
  }

  private endFencedTime(now: number): void {
    if (this.fencedSince === undefined) return;
    this.fencedMs += now - this.fencedSince;
    this.fencedSince = undefined;
  }

  /** A held line's queue and fence time, from when it was taken to `until` (its write, or its end). */
  private timingOf(held: Held, until: number): LineTiming {
    return {
      queueMs: Math.max(0, until - held.heldAt),
      fenceMs: Math.max(0, this.fencedTime(until) - held.fencedBefore),
    };
  }

  /**
   * One line in one piece, in the order asked, never faster than the wire and never while the firmware is busy
   * printing: each starts once the previous one has crossed the wire and the firmware will be reading when its
   * first byte arrives. Resolves once its last byte can have reached the firmware, which is what `written`
   * claims, with when the write began and how long its bytes took to leave.
   */
  private writeLine(line: string, command: NeckCommand): Promise<WireTiming> {
    const written = this.writes.then(async (): Promise<WireTiming> => {
      await delayUntil(Math.max(this.wireFreeAt, this.firmwareReadsAt - this.byteMs));
      if (this.closed) throw new Error(`${this.link.path} closed before the line was written`);
      const startedAt = performance.now();
      // Said as the line is handed to the port, so that the log keeps the order of what the agent did (a STOP
      // that comes while the bytes drain is logged after them).
      this.events.wrote(line);
      await this.link.write(line);
      // The wire is paced once: a tty's drain comes when the bytes have left, a PTY's at once (then the wire's
      // own time counts from the start of the write, when the wire was free).
      const wireMs = Math.max(performance.now() - startedAt, (line.length + 1) * this.byteMs);
      this.wireFreeAt = startedAt + wireMs;
      this.expectOutput(this.wireFreeAt, printedBytesOf(command));
      await delayUntil(this.wireFreeAt);
      return { startedAt, wireMs };
    });
    this.writes = written.then(
      () => undefined,
      () => undefined,
    );
    return written;
  }

  /**
   * The firmware runs the line once it has arrived and the firmware reads, prints `bytes` at the wire's rate after
   * whatever it printed before, and reads nothing until all but its TX FIFO's worth have left.
   */
  private expectOutput(arrivedAt: number, bytes: number): void {
    if (bytes === 0) return;
    const runAt = Math.max(arrivedAt, this.firmwareReadsAt);
    this.firmwareTxFreeAt = Math.max(this.firmwareTxFreeAt, runAt) + bytes * this.byteMs;
    this.firmwareReadsAt = Math.max(this.firmwareReadsAt, this.firmwareTxFreeAt - FIRMWARE_TX_FIFO_BYTES * this.byteMs);
  }
}

function delayUntil(at: number): Promise<void> {
  const ms = at - performance.now();
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, Math.ceil(ms)));
}
