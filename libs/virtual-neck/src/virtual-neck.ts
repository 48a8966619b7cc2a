import {
  ACTUATOR_IDS,
  ACTUATOR_STEPS_PER_MM,
  BASE_ACCEL,
  BASE_SPEED_HZ,
  HEAD_STEPS_PER_MM,
  HOME_POSE,
  HeadPose,
} from '@neck-signal/protocol';
import { NeckAnomaly, NeckAnomalyKind, NeckStats } from './anomalies';
import { arduinoIndexOf, atof, toFloat, toInt, toInt32 } from './arduino-numbers';
import { firmwareEuler, float32Norm } from './firmware-euler';
import {
  firmwareAccelInt,
  firmwareHeadTargets,
  firmwareSpeedInt,
  stepperTakesAccel,
  stepperTakesSpeed,
} from './firmware-kinematics';
import { HOMING_SEQUENCES, HomingKind, HomingMove } from './homing';
import { NeckScheduler, NeckTimer, realScheduler } from './scheduler';
import { SerialWire } from './wire';

/** What the firmware ends every printed line with (`Serial.println`). */
export const FIRMWARE_LINE_ENDING = '\r\n';

/** The lines the firmware prints, besides the HEALTH answer. */
export const FIRMWARE_MESSAGES = Object.freeze({
  homing: (kind: HomingKind) => `Executing ${kind} command...`,
  quaternion: (yaw: number, pitch: number, roll: number) =>
    `Quaternion command received. Euler angles (deg): Yaw=${yaw}, Pitch=${pitch}, Roll=${roll}`,
  invalidStepper: 'Invalid stepper number',
  quaternionArity: 'Invalid quaternion command: not enough parameters.',
  quaternionZero: 'Invalid quaternion: norm is zero.',
});

/** What an ESP32's ROM prints at 115200 baud when it resets; pass as `bootBanner` to test a reader's tolerance. */
export const ESP32_BOOT_BANNER: readonly string[] = Object.freeze([
  'ets Jul 29 2019 12:21:46',
  '',
  'rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)',
  'configsip: 0, SPIWP:0xee',
  'mode:DIO, clock div:1',
  'entry 0x400805e4',
]);

/** Firmware generations: `legacy` is what necks ran before Feb 2026 (no HEALTH, STATUS or HOME_SOFT). */
export const FIRMWARE_VARIANTS = ['current', 'legacy'] as const;
export type FirmwareVariant = (typeof FIRMWARE_VARIANTS)[number];

/** What the firmware is doing: powered off, booting (input lost), homing (input buffered), or reading. */
export type NeckState = 'off' | 'booting' | 'homing' | 'reading';

/**
 * How a virtual neck behaves. Every default is the real ESP32's; the options marked "kind" turn a hardship off
 * for unit tests that are not about it.
 */
export interface VirtualNeckOptions {
  /** Multiplies every homing settle (HOME_BRUTE 2.3 s + 0.15 s + 2.6 s, HOME_SOFT 2.2 s). Default 1; 0 (kind) homes at once. */
  readonly homingScale?: number;
  /** Line speed in baud: the BAUD the HEALTH answer reports, and 10 bits a byte on the wire. Default 115200. */
  readonly baudRate?: number;
  /** Bytes a second the wire carries to the UART. Default baudRate / 10 (11520: 86.8 µs a byte); Infinity (kind) delivers at once. */
  readonly wireBytesPerSecond?: number;
  /** Ms of silence inside a line after which `readStringUntil` gives up and the piece runs as a line. Default 1000; Infinity (kind) waits for `\n`. */
  readonly lineTimeoutMs?: number;
  /** Bytes the UART buffer holds while the firmware is not reading (homing); later bytes are lost. Default 256; Infinity (kind) loses none. */
  readonly rxBufferBytes?: number;
  /** Ms a boot (or reset) takes before the firmware starts, every byte arriving meanwhile lost. Default 300; 0 (kind) starts at once. */
  readonly bootMs?: number;
  /** Which firmware runs: 'current', or 'legacy' (before Feb 2026: no HEALTH, STATUS or HOME_SOFT). Default 'current'. */
  readonly firmware?: FirmwareVariant;
  /** Most entries kept in `received`, `printed` and `anomalies`; older ones are dropped. Default 10000. */
  readonly historyLimit?: number;
  /**
   * Bytes of output the UART's TX FIFO takes while the sketch goes on: `Serial.println` returns only once all but
   * these have left on the wire, and the sketch reads nothing meanwhile. Default 128 (the ESP32, no TX ring);
   * Infinity (kind) makes printing free.
   */
  readonly txFifoBytes?: number;
  /** Lines printed on every boot, once booting is over and before homing starts. Default none (see ESP32_BOOT_BANNER). */
  readonly bootBanner?: readonly string[];
  /** Clock and timers. Default real time (`performance.now`, `setTimeout`), so jest's fake timers apply. */
  readonly scheduler?: NeckScheduler;
}

type Step = { readonly run: () => void } | { readonly waitMs: number };

interface Actuator {
  readonly steps: number;
  /** 400 when a head command set the target, 426.67 when a direct actuator command did. */
  readonly stepsPerMm: number;
}

interface BufferedLine {
  readonly text: string;
  readonly garbled: boolean;
}

type LossReason = 'booting' | 'reset' | 'buffer-full' | 'printing';

interface LossBurst {
  readonly reason: LossReason;
  readonly atMs: number;
  count: number;
}

/** A printed line on its way out: it reaches the host once its last byte has left, at `at`. */
interface Outgoing {
  readonly line: string;
  readonly at: number;
}

interface IdleWaiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

type Counts = { -readonly [K in keyof NeckStats]: number };

const LOSS_REASONS: Readonly<Record<LossReason, string>> = {
  booting: 'sent while the board was booting',
  reset: 'unread when the board reset',
  'buffer-full': 'UART buffer full while homing',
  printing: 'UART buffer full while the firmware waited for its output to leave',
};

const ARDUINO_SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;
const QUATERNION_MAX_TOKENS = 6;
const UINT32 = 2 ** 32;
/** Timers and summed byte times can miss an instant by float rounding; events this close to now are due. */
const TIME_EPSILON_MS = 1e-6;

/**
 * A simulator of the Stewart-neck ESP32 firmware, with no I/O of its own: feed it the bytes written to the
 * serial port with `receive()`, hear what it prints with `onLine()`, and what it lost with `onAnomaly()`.
 *
 * By default it is as strict as the board (docs/firmware.md, "What the firmware does"):
 * - bytes travel the wire at `wireBytesPerSecond` (86.8 µs each at 115200 baud) and reach the UART in order;
 * - `boot()`/`reset()` (what opening the port does) loses every byte for `bootMs`, prints `bootBanner`, then homes
 *   (HOME_BRUTE, 5.05 s); homing of any kind sits in `delay()`, so bytes wait in the 256-byte UART buffer and
 *   every byte past it is lost; a line that lost bytes runs as what is left of it (counted as garbled);
 * - while reading, each line runs the moment its `\n` arrives; a pause over `lineTimeoutMs` inside a line runs
 *   the piece read so far as a line (counted as split);
 * - a speed or acceleration the stepper library refuses (S > 4.19, S0, A0, …) leaves the previous one in force;
 *   after homing the speed is homing's last (144000 Hz after HOME_BRUTE) until the next head command;
 * - a quaternion at ±90° pitch makes pitch NaN in the firmware's float maths: every target becomes NaN.
 * Each such loss is counted in `stats` and logged in `anomalies`.
 *
 * It reads commands exactly as the firmware does, which is far more lenient than the agent's grammar:
 * - a line is trimmed and split on `|`, every part runs in order (the firmware sets no limit on the count);
 * - `HOME`/`HOME_BRUTE`, `HOME_SOFT`, `HEALTH`/`STATUS` match in any case (legacy firmware knows only HOME and
 *   HOME_BRUTE; the others fall through to the parsers below, so `HEALTH` moves the head to neutral);
 * - a part starting with `Q` (upper case only) is a quaternion; only the first six comma-separated tokens are
 *   read, so in `Q:w,x,y,z,H30,S1,A1` the `A1` is ignored, as on the real board;
 * - a part with a `:` anywhere is a list of direct actuator targets; tokens without `:` are skipped;
 * - anything else is a head command: each comma-separated token whose first character is an upper-case axis
 *   letter sets that axis, every other token is skipped, and every axis not set resets (X Y Z H R P to 0,
 *   S A to 1). So an unknown line such as `hello` or `x50` moves the head to X0,Y0,Z0,H0 — that is what the
 *   firmware does with it, and the simulator does the same rather than hide it.
 * Numbers are read with C's `atof`/`atol` (text that is no number reads as 0) and truncated into ints.
 */
export class VirtualNeck {
  private readonly scheduler: NeckScheduler;
  private readonly homingScale: number;
  private readonly baudRate: number;
  private readonly lineTimeoutMs: number;
  private readonly rxBufferBytes: number;
  private readonly bootMs: number;
  private readonly firmware: FirmwareVariant;
  private readonly historyLimit: number;
  private readonly bootBanner: readonly string[];
  private readonly inFlight: SerialWire;
  private readonly txFifoBytes: number;
  /** When the last printed byte will have left on the TX line. */
  private txFreeAt = -Infinity;
  private readonly outbox: Outgoing[] = [];

  private powered = false;
  private bootedAt = 0;
  private bootCount = 0;
  private bootEndsAt: number | undefined;
  private wakeAt: number | undefined;
  private homingKind: HomingKind | null = null;
  private bypass = false;
  private current: HeadPose = { ...HOME_POSE };
  private speed = BASE_SPEED_HZ;
  private acceleration = BASE_ACCEL;
  private actuators: Actuator[] = zeroActuators();

  /** The line after the last `\n`: waiting in the UART buffer, or being read by `readStringUntil`. */
  private tail = '';
  private tailGarbled = false;
  /** When `readStringUntil` last got a byte of `tail`; undefined while `tail` waits in the UART buffer. */
  private tailReadAt: number | undefined;
  /** Complete lines waiting in the UART buffer, and their bytes counting each `\n`. */
  private readonly buffered: BufferedLine[] = [];
  private bufferedLineBytes = 0;
  /** The last byte lost since the last byte kept; undefined if none was lost since. */
  private lastLost: string | undefined;
  private burst: LossBurst | undefined;

  private work: Step[] = [];
  /** The firmware's time while it handles an event: the event's own time, at most the scheduler's now. */
  private clock = 0;
  private processing = false;
  private timer: NeckTimer | undefined;
  private timerAt: number | undefined;
  private idleWaiters: IdleWaiter[] = [];

  private readonly counts: Counts = {
    bytesLost: 0,
    bytesLostBooting: 0,
    garbledLines: 0,
    splitLines: 0,
    refusedSettings: 0,
    undefinedTargets: 0,
    linesRun: 0,
  };
  private readonly receivedLog: string[] = [];
  private readonly printedLog: string[] = [];
  private readonly anomalyLog: NeckAnomaly[] = [];
  private readonly listeners = new Set<(line: string) => void>();
  private readonly receivedListeners = new Set<(line: string) => void>();
  private readonly anomalyListeners = new Set<(anomaly: NeckAnomaly) => void>();
  private readonly runListeners = new Set<(line: string, atMs: number) => void>();
  private readonly stateListeners = new Set<(state: NeckState, atMs: number) => void>();
  private lastState: NeckState = 'off';

  constructor(options: VirtualNeckOptions = {}) {
    this.scheduler = options.scheduler ?? realScheduler;
    this.homingScale = nonNegative('homingScale', options.homingScale ?? 1);
    this.baudRate = positive('baudRate', options.baudRate ?? 115_200);
    this.lineTimeoutMs = nonNegative('lineTimeoutMs', options.lineTimeoutMs ?? 1000);
    this.rxBufferBytes = nonNegative('rxBufferBytes', options.rxBufferBytes ?? 256);
    this.bootMs = nonNegative('bootMs', options.bootMs ?? 300);
    this.txFifoBytes = nonNegative('txFifoBytes', options.txFifoBytes ?? 128);
    this.historyLimit = nonNegative('historyLimit', options.historyLimit ?? 10_000);
    this.bootBanner = options.bootBanner ?? [];
    this.firmware = options.firmware ?? 'current';
    if (!FIRMWARE_VARIANTS.includes(this.firmware)) {
      throw new RangeError(
        `VirtualNeck option firmware must be one of ${FIRMWARE_VARIANTS.join(', ')}, got ${String(this.firmware)}`,
      );
    }
    const bytesPerSecond = positive('wireBytesPerSecond', options.wireBytesPerSecond ?? this.baudRate / 10);
    this.inFlight = new SerialWire(1000 / bytesPerSecond);
  }

  /**
   * Powers on or resets the board (what opening its serial port does): unread input is lost, uptime starts
   * from 0, bytes arriving for `bootMs` are lost, then it prints `bootBanner` and homes (HOME_BRUTE).
   */
  boot(): void {
    this.advance();
    this.flushBurst();
    const unread = this.powered ? this.unreadInput() : '';
    // The last byte lost decides whether the first line read after the boot lost its start.
    const lastLost = this.powered ? (this.lastLost ?? (unread === '' ? undefined : unread.slice(-1))) : undefined;
    this.halt();
    this.powered = true;
    this.clock = this.scheduler.now();
    this.bootedAt = this.clock;
    this.bootCount++;
    this.current = { ...HOME_POSE };
    this.speed = BASE_SPEED_HZ;
    this.acceleration = BASE_ACCEL;
    this.actuators = zeroActuators();
    this.lastLost = lastLost;
    if (unread.length > 0) {
      this.counts.bytesLost += unread.length;
      this.counts.bytesLostBooting += unread.length;
      this.recordAnomaly('bytes-lost', lossDetail(unread.length, 'reset'));
    }
    this.bootEndsAt = this.clock + this.bootMs;
    this.advance();
  }

  /** The same as `boot()`: for a harness that sees the other end open the port, as a DevKit's USB bridge resets the chip then. */
  reset(): void {
    this.boot();
  }

  /** Powers off: cancels homing and every timer, forgets unread input and bytes on the wire; `idle()` waiters are rejected. */
  powerOff(): void {
    this.advance();
    this.flushBurst();
    this.halt();
    this.inFlight.clear();
    this.lastLost = undefined;
    this.powered = false;
    this.clock = this.scheduler.now();
    this.noticeState();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter.reject(new Error('the virtual neck was powered off'));
  }

  /**
   * Bytes from the serial line (strings are sent as UTF-8). They reach the UART at the wire's rate; while the
   * firmware reads, each complete line runs as its `\n` arrives.
   */
  receive(data: string | Uint8Array): void {
    if (!this.powered) {
      throw new Error('the virtual neck is powered off - call boot() first (opening its serial port does that)');
    }
    const text = typeof data === 'string' ? Buffer.from(data, 'utf8').toString('latin1') : bytesToText(data);
    this.inFlight.send(text, this.scheduler.now());
    this.advance();
  }

  /** Calls `listener` with every line the firmware prints (without `\r\n`); returns a function that unsubscribes. */
  onLine(listener: (line: string) => void): () => void {
    return subscribe(this.listeners, listener);
  }

  /** Calls `listener` with every line as it is logged in `received`; returns a function that unsubscribes. */
  onReceived(listener: (line: string) => void): () => void {
    return subscribe(this.receivedListeners, listener);
  }

  /**
   * Calls `listener` with every line the firmware runs (as its losses left it), and the firmware's time then
   * (the scheduler's clock); returns a function that unsubscribes.
   */
  onRun(listener: (line: string, atMs: number) => void): () => void {
    return subscribe(this.runListeners, listener);
  }

  /** Calls `listener` whenever `state` changes, with the firmware's time then; returns a function that unsubscribes. */
  onState(listener: (state: NeckState, atMs: number) => void): () => void {
    return subscribe(this.stateListeners, listener);
  }

  /** Calls `listener` with every anomaly as it is logged in `anomalies`; returns a function that unsubscribes. */
  onAnomaly(listener: (anomaly: NeckAnomaly) => void): () => void {
    return subscribe(this.anomalyListeners, listener);
  }

  /**
   * Resolves once the firmware reads again with nothing left to do: booted, not homing, every byte sent has
   * arrived and every complete line has run. Rejects if powered off first.
   */
  idle(): Promise<void> {
    if (!this.powered) return Promise.reject(new Error('the virtual neck is powered off - call boot() first'));
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve, reject) => this.idleWaiters.push({ resolve, reject }));
  }

  /** The HEALTH answer as the firmware would print it now. */
  healthLine(): string {
    return [
      'HEALTH',
      'DEVICE=NECK',
      'ROLE=STEWART_NECK',
      'PROTO=1',
      `UPTIME_MS=${this.uptimeMs}`,
      `BAUD=${this.baudRate}`,
      'BT_NAME=NECK_BT',
      'MOTORS=6',
      // The sketch prints `speedVar`/`accVar`, which nothing assigns after their initialisers: always the base rates.
      `SPEED_HZ=${BASE_SPEED_HZ}`,
      `ACCEL=${BASE_ACCEL}`,
      `BYPASS_CLAMP=${this.bypass ? 1 : 0}`,
    ].join('|');
  }

  /** True between `boot()` and `powerOff()`. */
  get isPowered(): boolean {
    return this.powered;
  }

  /** What the firmware is doing now. */
  get state(): NeckState {
    if (!this.powered) return 'off';
    if (this.bootEndsAt !== undefined) return 'booting';
    return this.homingKind === null ? 'reading' : 'homing';
  }

  /** How many times the board has booted. */
  get boots(): number {
    return this.bootCount;
  }

  /** True while a homing sequence runs (the firmware reads no commands then). */
  get homing(): boolean {
    return this.homingKind !== null;
  }

  /** The homing sequence running, or null. */
  get homingSequence(): HomingKind | null {
    return this.homingKind;
  }

  /**
   * The head pose of the last head or quaternion command (HOME_POSE after homing); direct actuator commands
   * leave it. An axis the firmware could not compute (pitch at ±90°) is NaN.
   */
  get pose(): HeadPose {
    return { ...this.current };
  }

  /** Each actuator's target in steps (index 0 is actuator 1); negative while homing, NaN when undefined. */
  get actuatorSteps(): number[] {
    return this.actuators.map((actuator) => actuator.steps);
  }

  /** Each actuator's target in mm (index 0 is actuator 1): steps/400 after a head command, steps/426.67 after a direct one. */
  get actuatorsMm(): number[] {
    return this.actuators.map((actuator) => actuator.steps / actuator.stepsPerMm);
  }

  /** Step rate the stepper library holds, in Hz: the last accepted 48000 × S (a homing move's, after homing). */
  get speedHz(): number {
    return this.speed;
  }

  /** Acceleration the stepper library holds, in steps/s²: the last accepted 36000 × A. */
  get accel(): number {
    return this.acceleration;
  }

  /** True while homing drives actuators past the 0…32000-step clamp. */
  get bypassClamp(): boolean {
    return this.bypass;
  }

  /** Ms since the last boot, wrapping at 2³² as the firmware's `millis()` does; 0 when off. */
  get uptimeMs(): number {
    if (!this.powered) return 0;
    const now = this.processing ? this.clock : this.scheduler.now();
    return Math.floor(now - this.bootedAt) % UINT32;
  }

  /**
   * Every line the firmware received, in order, without its `\n` (or `\r\n`), as its losses left it: pieces
   * taken by the read timeout, and complete lines still waiting in the UART buffer (see `queuedLines`).
   */
  get received(): readonly string[] {
    return [...this.receivedLog];
  }

  /** Every line printed, in order, without `\r\n`. */
  get printed(): readonly string[] {
    return [...this.printedLog];
  }

  /** Everything the firmware lost or got wrong, oldest first; consecutive lost bytes are one entry per burst. */
  get anomalies(): readonly NeckAnomaly[] {
    return [...this.anomalyLog];
  }

  /** Counts of everything the firmware lost or got wrong since this neck was made. */
  get stats(): NeckStats {
    return { ...this.counts };
  }

  /** Complete lines in the UART buffer waiting to run (while homing). */
  get queuedLines(): number {
    return this.buffered.length;
  }

  /** Bytes sent and still travelling to the UART. */
  get bytesOnWire(): number {
    return this.inFlight.arrivingAfter(this.scheduler.now());
  }

  /** The same as `stats.bytesLost`. */
  get droppedBytes(): number {
    return this.counts.bytesLost;
  }

  /** Runs every event due by now in time order: bytes arriving, homing waits ending, boot ending, read timeouts. */
  private advance(): void {
    if (this.processing || !this.powered) return;
    this.processing = true;
    const until = this.scheduler.now() + TIME_EPSILON_MS;
    try {
      while (this.powered) {
        this.noticeState();
        // Output that has left by now is heard before the firmware's next step (at once when printing is free).
        if ((this.outbox[0]?.at ?? Infinity) <= this.clock) {
          this.deliver();
          continue;
        }
        if (this.firmwareStep()) continue;
        const byteAt = this.inFlight.nextArrival();
        const wakeAt = this.bootEndsAt ?? this.wakeAt;
        const deadline = this.readDeadline();
        const outAt = this.outbox[0]?.at;
        if (
          outAt !== undefined &&
          outAt <= until &&
          outAt <= Math.min(byteAt ?? Infinity, wakeAt ?? Infinity, deadline ?? Infinity)
        ) {
          this.deliver();
        } else if (
          // Bytes first on a tie: what arrived by the moment the firmware changes state meets the old state.
          byteAt !== undefined &&
          byteAt <= until &&
          byteAt <= (wakeAt ?? Infinity) &&
          byteAt <= (deadline ?? Infinity)
        ) {
          this.admitByte();
        } else if (wakeAt !== undefined && wakeAt <= until) {
          this.clock = Math.max(this.clock, wakeAt);
          this.wake();
        } else if (deadline !== undefined && deadline <= until) {
          this.clock = Math.max(this.clock, deadline);
          this.readTimedOut();
        } else {
          break;
        }
      }
    } finally {
      this.processing = false;
    }
    this.noticeState();
    this.arm();
    if (this.isIdle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const waiter of waiters) waiter.resolve();
    }
  }

  private noticeState(): void {
    const state = this.state;
    if (state === this.lastState) return;
    this.lastState = state;
    for (const listener of [...this.stateListeners]) listener(state, this.clock);
  }

  /** One thing the firmware's `loop()` does at `clock` without waiting for input; false if it must wait. */
  private firmwareStep(): boolean {
    if (!this.firmwareFree()) return false;
    const step = this.work.shift();
    if (step !== undefined) {
      if ('waitMs' in step) this.wait(step.waitMs);
      else step.run();
      return true;
    }
    const line = this.buffered.shift();
    if (line !== undefined) {
      this.bufferedLineBytes -= line.text.length + 1;
      this.runLine(line.text, line.garbled, false);
      return true;
    }
    if (this.tail !== '' && this.tailReadAt === undefined) {
      this.tailReadAt = this.clock;
      return true;
    }
    return false;
  }

  private firmwareFree(): boolean {
    return this.powered && this.bootEndsAt === undefined && this.wakeAt === undefined;
  }

  private admitByte(): void {
    const next = this.inFlight.take();
    if (next === undefined) return;
    this.clock = Math.max(this.clock, next.at);
    if (this.bootEndsAt !== undefined) {
      this.lose(next.byte, 'booting');
    } else if (this.wakeAt === undefined) {
      this.keep(next.byte, true);
    } else if (this.bufferedLineBytes + this.tail.length < this.rxBufferBytes) {
      this.keep(next.byte, false);
    } else {
      this.lose(next.byte, this.homingKind === null ? 'printing' : 'buffer-full');
    }
  }

  private keep(byte: string, reading: boolean): void {
    if (this.lastLost !== undefined) {
      // Lost bytes garble the line they were part of, unless they were whole lines ending at a line's start.
      if (!(this.tail === '' && this.lastLost === '\n')) this.tailGarbled = true;
      this.lastLost = undefined;
    }
    if (byte !== '\n') {
      this.tail += byte;
      if (reading) this.tailReadAt = this.clock;
      return;
    }
    const line: BufferedLine = { text: this.tail, garbled: this.tailGarbled };
    this.tail = '';
    this.tailGarbled = false;
    this.tailReadAt = undefined;
    this.logReceived(line.text);
    if (reading) {
      this.runLine(line.text, line.garbled, false);
    } else {
      this.buffered.push(line);
      this.bufferedLineBytes += line.text.length + 1;
    }
  }

  private lose(byte: string, reason: LossReason): void {
    this.counts.bytesLost++;
    if (reason === 'booting' || reason === 'reset') this.counts.bytesLostBooting++;
    this.lastLost = byte;
    let burst = this.burst;
    if (burst?.reason !== reason) {
      this.flushBurst();
      burst = { reason, atMs: this.clock, count: 0 };
      this.burst = burst;
    }
    burst.count++;
  }

  private flushBurst(): void {
    const burst = this.burst;
    if (burst === undefined) return;
    this.burst = undefined;
    this.recordAnomaly('bytes-lost', lossDetail(burst.count, burst.reason), burst.atMs);
  }

  /** `readStringUntil` gave up waiting for the rest of a line: the piece read so far runs as one. */
  private readTimedOut(): void {
    const garbled = this.tailGarbled || this.lastLost !== undefined;
    const text = this.tail;
    this.tail = '';
    this.tailGarbled = false;
    this.tailReadAt = undefined;
    this.logReceived(text);
    this.runLine(text, garbled, true);
  }

  private readDeadline(): number | undefined {
    if (this.tailReadAt === undefined || this.tail === '' || !Number.isFinite(this.lineTimeoutMs)) return undefined;
    if (!this.firmwareFree() || this.work.length > 0 || this.buffered.length > 0) return undefined;
    return this.tailReadAt + this.lineTimeoutMs;
  }

  private wake(): void {
    if (this.bootEndsAt === undefined) {
      this.wakeAt = undefined;
      if (this.burst?.reason === 'printing') this.flushBurst();
      return;
    }
    this.bootEndsAt = undefined;
    this.flushBurst();
    // The ROM prints the banner while the board boots, before the sketch runs: heard at once, costing the sketch nothing.
    for (const line of this.bootBanner) this.print(line, false);
    this.startHoming('HOME_BRUTE');
  }

  private wait(ms: number): void {
    if (ms > 0) this.wakeAt = this.clock + ms;
  }

  /** Keeps one timer, set for the next event that needs the firmware's attention. */
  private arm(): void {
    const at = this.nextEventAt();
    if (at === this.timerAt && this.timer !== undefined) return;
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = undefined;
    if (at === undefined) return;
    const timer = this.scheduler.setTimer(
      () => {
        if (this.timer !== timer) return;
        this.timer = undefined;
        this.timerAt = undefined;
        this.advance();
      },
      Math.max(0, at - this.scheduler.now()),
    );
    this.timer = timer;
    this.timerAt = at;
  }

  private nextEventAt(): number | undefined {
    if (!this.powered) return undefined;
    const times = [
      this.bootEndsAt,
      this.wakeAt,
      this.readDeadline(),
      this.inFlight.nextLineArrival(),
      this.outbox[0]?.at,
    ].filter((time): time is number => time !== undefined);
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  private isIdle(): boolean {
    return (
      this.firmwareFree() &&
      this.homingKind === null &&
      this.work.length === 0 &&
      this.buffered.length === 0 &&
      this.inFlight.isEmpty &&
      this.outbox.length === 0
    );
  }

  private unreadInput(): string {
    return this.buffered.map((line) => `${line.text}\n`).join('') + this.tail;
  }

  private halt(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = undefined;
    this.bootEndsAt = undefined;
    this.wakeAt = undefined;
    this.tail = '';
    this.tailGarbled = false;
    this.tailReadAt = undefined;
    this.buffered.length = 0;
    this.bufferedLineBytes = 0;
    this.work = [];
    this.homingKind = null;
    this.bypass = false;
    this.outbox.length = 0;
    this.txFreeAt = -Infinity;
  }

  private logReceived(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    this.remember(this.receivedLog, line);
    for (const listener of [...this.receivedListeners]) listener(line);
  }

  private runLine(raw: string, garbled: boolean, split: boolean): void {
    this.counts.linesRun++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    for (const listener of [...this.runListeners]) listener(line, this.clock);
    if (garbled) {
      this.counts.garbledLines++;
      this.recordAnomaly('garbled-line', line);
    }
    if (split) {
      this.counts.splitLines++;
      this.recordAnomaly('split-line', line);
    }
    this.work = arduinoSplit(arduinoTrim(raw), '|').map((part) => ({ run: () => this.execute(part) }));
  }

  private recordAnomaly(kind: NeckAnomalyKind, detail: string, atMs: number = this.clock): void {
    const anomaly: NeckAnomaly = { kind, detail, atMs };
    this.remember(this.anomalyLog, anomaly);
    for (const listener of [...this.anomalyListeners]) listener(anomaly);
  }

  /**
   * `Serial.println`: the line goes out on the TX line at the wire's rate, and the sketch waits until all but
   * `txFifoBytes` of what it printed have left (an ESP32 without a TX ring), reading nothing meanwhile: input
   * piles up in the UART buffer as it does while homing.
   */
  private print(line: string, blocks = true): void {
    this.remember(this.printedLog, line);
    if (!blocks) {
      this.outbox.push({ line, at: this.clock });
      return;
    }
    const byteMs = this.inFlight.byteMs;
    this.txFreeAt = Math.max(this.txFreeAt, this.clock) + (line.length + FIRMWARE_LINE_ENDING.length) * byteMs;
    this.outbox.push({ line, at: this.txFreeAt });
    const blockedUntil = this.txFreeAt - this.txFifoBytes * byteMs;
    if (blockedUntil > this.clock + TIME_EPSILON_MS) this.wakeAt = Math.max(this.wakeAt ?? -Infinity, blockedUntil);
  }

  /** A printed line has left the TX line: the host hears it. */
  private deliver(): void {
    const outgoing = this.outbox.shift();
    if (outgoing === undefined) return;
    this.clock = Math.max(this.clock, outgoing.at);
    for (const listener of [...this.listeners]) listener(outgoing.line);
  }

  private remember<T>(log: T[], entry: T): void {
    log.push(entry);
    if (log.length > this.historyLimit) log.splice(0, log.length - this.historyLimit);
  }

  /** The firmware's `executeCommand()` for one `|`-separated part. */
  private execute(part: string): void {
    const command = arduinoTrim(part);
    if (command === '') return;
    const current = this.firmware === 'current';
    if (equalsIgnoreCase(command, 'HOME') || equalsIgnoreCase(command, 'HOME_BRUTE')) {
      this.startHoming('HOME_BRUTE');
    } else if (current && equalsIgnoreCase(command, 'HOME_SOFT')) {
      this.startHoming('HOME_SOFT');
    } else if (current && (equalsIgnoreCase(command, 'HEALTH') || equalsIgnoreCase(command, 'STATUS'))) {
      this.print(this.healthLine());
    } else if (command.startsWith('Q')) {
      this.quaternion(command);
    } else if (arduinoIndexOf(command, ':') >= 0) {
      this.directActuators(command);
    } else {
      this.headCommand(command);
    }
  }

  private startHoming(kind: HomingKind): void {
    this.homingKind = kind;
    this.print(FIRMWARE_MESSAGES.homing(kind));
    const steps: Step[] = [];
    for (const move of HOMING_SEQUENCES[kind]) {
      steps.push({ run: () => this.homingMove(move) });
      steps.push({ waitMs: move.settleMs * this.homingScale });
      steps.push({ run: () => this.softwareZero() });
      steps.push({ waitMs: move.pauseMs * this.homingScale });
    }
    steps.push({ run: () => this.finishHoming() });
    this.work.unshift(...steps);
  }

  private homingMove(move: HomingMove): void {
    this.bypass = true;
    this.current = { ...HOME_POSE, H: move.heightMm, S: move.speed, A: move.accel };
    this.setSpeed(move.speed, move.accel);
    this.actuators = Array.from({ length: 6 }, () => ({
      steps: toInt32(move.heightMm * HEAD_STEPS_PER_MM),
      stepsPerMm: HEAD_STEPS_PER_MM,
    }));
  }

  private softwareZero(): void {
    this.actuators = zeroActuators();
    this.bypass = false;
  }

  /** The stepper keeps the last homing move's speed and acceleration: nothing resets them. */
  private finishHoming(): void {
    this.homingKind = null;
    this.current = { ...HOME_POSE };
    this.flushBurst();
  }

  private headCommand(command: string): void {
    const pose: HeadPose = { ...HOME_POSE };
    for (const token of arduinoSplit(command, ',')) {
      const axis = token.charAt(0);
      const text = token.slice(1);
      if (axis === 'S' || axis === 'A') pose[axis] = atof(text);
      else if (axis === 'X' || axis === 'Y' || axis === 'Z' || axis === 'H' || axis === 'R' || axis === 'P') {
        pose[axis] = toInt32(toFloat(text));
      }
    }
    this.moveHead(pose);
  }

  private quaternion(command: string): void {
    let body = arduinoTrim(command.slice(1));
    if (body.startsWith(':')) body = arduinoTrim(body.slice(1));
    const tokens = quaternionTokens(body);
    if (tokens.length < 4) {
      this.print(FIRMWARE_MESSAGES.quaternionArity);
      return;
    }
    const [w, x, y, z] = tokens.slice(0, 4).map(toFloat);
    let height = HOME_POSE.H;
    let speed = HOME_POSE.S;
    let accel = HOME_POSE.A;
    for (const token of tokens.slice(4).map(arduinoTrim)) {
      if (token.startsWith('H')) height = toInt(token.slice(1));
      else if (token.startsWith('S')) speed = atof(token.slice(1));
      else if (token.startsWith('A')) accel = atof(token.slice(1));
    }
    if (!(float32Norm(w, x, y, z) > 0)) {
      this.print(FIRMWARE_MESSAGES.quaternionZero);
      return;
    }
    const { yaw, pitch, roll, undefinedAngles } = firmwareEuler(w, x, y, z);
    this.print(FIRMWARE_MESSAGES.quaternion(yaw, pitch, roll));
    this.moveHead({ X: yaw, Y: pitch, Z: roll, H: height, S: speed, A: accel, R: 0, P: 0 });
    if (undefinedAngles.length > 0) {
      this.counts.undefinedTargets++;
      const verb = undefinedAngles.length > 1 ? 'are' : 'is';
      this.recordAnomaly(
        'undefined-targets',
        `${undefinedAngles.join(' and ')} ${verb} NaN for ${command}: the int it becomes is the chip's guess`,
      );
    }
  }

  private directActuators(command: string): void {
    for (const token of arduinoSplit(command, ',')) {
      const colon = arduinoIndexOf(token, ':');
      if (colon < 0) continue;
      const id = toInt(token.slice(0, colon));
      const steps = toInt32(toFloat(token.slice(colon + 1)) * ACTUATOR_STEPS_PER_MM);
      const index = ACTUATOR_IDS.findIndex((actuatorId) => actuatorId === id);
      if (index < 0) {
        this.print(FIRMWARE_MESSAGES.invalidStepper);
        continue;
      }
      this.actuators = this.actuators.map((actuator, i) =>
        i === index ? { steps, stepsPerMm: ACTUATOR_STEPS_PER_MM } : actuator,
      );
    }
  }

  /** Sets every target, in the sketch's int arithmetic, and the speed. */
  private moveHead(pose: HeadPose): void {
    this.current = pose;
    this.setSpeed(pose.S, pose.A);
    this.actuators = firmwareHeadTargets(pose).map((target) => ({ steps: target, stepsPerMm: HEAD_STEPS_PER_MM }));
  }

  /** `setMaxSpeed`/`setAcceleration`: the stepper library refuses some values without a word and keeps the last. */
  private setSpeed(speedScale: number, accelScale: number): void {
    const hz = firmwareSpeedInt(speedScale);
    if (stepperTakesSpeed(hz)) {
      this.speed = hz;
    } else {
      this.counts.refusedSettings++;
      const why = hz > 0 ? '> 201257, under 80 ticks of 16 MHz' : '≤ 0';
      this.recordAnomaly('refused-speed', `speed S${speedScale} (${hz} Hz ${why}): the stepper keeps ${this.speed} Hz`);
    }
    const accel = firmwareAccelInt(accelScale);
    if (stepperTakesAccel(accel)) {
      this.acceleration = accel;
    } else {
      this.counts.refusedSettings++;
      const why = '≤ 0';
      this.recordAnomaly(
        'refused-accel',
        `acceleration A${accelScale} (${accel} steps/s² ${why}): the stepper keeps ${this.acceleration} steps/s²`,
      );
    }
  }
}

function lossDetail(count: number, reason: LossReason): string {
  return `${count} ${count === 1 ? 'byte' : 'bytes'}: ${LOSS_REASONS[reason]}`;
}

function subscribe<L>(listeners: Set<L>, listener: L): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

function zeroActuators(): Actuator[] {
  return Array.from({ length: 6 }, () => ({ steps: 0, stepsPerMm: HEAD_STEPS_PER_MM }));
}

function bytesToText(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
}

/** Arduino's `String.trim()`: C `isspace` only (a latin1 no-break space stays). */
function arduinoTrim(text: string): string {
  return text.replace(ARDUINO_SPACE, '');
}

/** Arduino's `String.equalsIgnoreCase()`: ASCII letters only. */
function equalsIgnoreCase(text: string, keyword: string): boolean {
  return text.length === keyword.length && text.replace(/[a-z]/g, (c) => c.toUpperCase()) === keyword;
}

/**
 * How the sketch walks a line's `|` parts and a command's `,` tokens: `indexOf` from after the last separator,
 * which (see `arduinoIndexOf`) sees nothing past a NUL byte, so `X10\0,Y20` is one token and `1:5\0|2:5` one part.
 */
function arduinoSplit(text: string, separator: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (let end = arduinoIndexOf(text, separator); end !== -1; end = arduinoIndexOf(text, separator, start)) {
    pieces.push(text.slice(start, end));
    start = end + 1;
  }
  pieces.push(text.slice(start));
  return pieces;
}

/** The firmware's quaternion tokenizer: at most six comma-separated tokens, a trailing empty one dropped. */
function quaternionTokens(body: string): string[] {
  const tokens: string[] = [];
  let start = 0;
  let end = arduinoIndexOf(body, ',');
  while (end !== -1 && tokens.length < QUATERNION_MAX_TOKENS) {
    tokens.push(body.slice(start, end));
    start = end + 1;
    end = arduinoIndexOf(body, ',', start);
  }
  if (start < body.length && tokens.length < QUATERNION_MAX_TOKENS) tokens.push(body.slice(start));
  return tokens;
}

function nonNegative(name: string, value: number): number {
  if (Number.isNaN(value) || value < 0) {
    throw new RangeError(`VirtualNeck option ${name} must be a number ≥ 0 (or Infinity), got ${value}`);
  }
  return value;
}

function positive(name: string, value: number): number {
  if (Number.isNaN(value) || value <= 0) {
    throw new RangeError(`VirtualNeck option ${name} must be a number > 0 (or Infinity), got ${value}`);
  }
  return value;
}
