import {
  ACTUATOR_IDS,
  ACTUATOR_STEPS_PER_MM,
  BASE_ACCEL,
  BASE_SPEED_HZ,
  HEAD_STEPS_PER_MM,
  HOME_POSE,
  HeadPose,
  headPoseToSteps,
  quaternionToEuler,
} from '@neck-signal/protocol';
import { atof, toFloat, toInt, toInt32 } from './arduino-numbers';
import { HOMING_SEQUENCES, HomingKind, HomingMove } from './homing';
import { NeckScheduler, NeckTimer, realScheduler } from './scheduler';

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

/** How a virtual neck behaves; every option has the firmware's own value as its default. */
export interface VirtualNeckOptions {
  /** Multiplies every homing settle (HOME_BRUTE 2.3 s + 0.15 s + 2.6 s, HOME_SOFT 2.2 s). Default 1; 0 homes at once. */
  readonly homingScale?: number;
  /** The BAUD the HEALTH answer reports. Default 115200. */
  readonly baudRate?: number;
  /** Ms of silence after which a line with no `\n` is taken whole, as Arduino's `readStringUntil` times out. Default 1000; Infinity waits for `\n`. */
  readonly lineTimeoutMs?: number;
  /** Bytes the UART holds while the firmware is busy homing; later bytes are lost. Default Infinity (an ESP32 holds 256). */
  readonly rxBufferBytes?: number;
  /** Most entries kept in `received` and `printed`; older ones are dropped. Default 10000. */
  readonly historyLimit?: number;
  /** Lines printed on every boot before homing starts. Default none (see ESP32_BOOT_BANNER). */
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

interface IdleWaiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

const ARDUINO_SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;
const QUATERNION_MAX_TOKENS = 6;
const UINT32 = 2 ** 32;

/**
 * A simulator of the Stewart-neck ESP32 firmware, with no I/O of its own: feed it the bytes written to the
 * serial port with `receive()`, hear what it prints with `onLine()`.
 *
 * It reads commands exactly as the firmware does, which is far more lenient than the agent's grammar:
 * - a line is trimmed and split on `|`, every part runs in order (the firmware sets no limit on the count);
 * - `HOME`/`HOME_BRUTE`, `HOME_SOFT`, `HEALTH`/`STATUS` match in any case;
 * - a part starting with `Q` (upper case only) is a quaternion; only the first six comma-separated tokens are
 *   read, so in `Q:w,x,y,z,H30,S1,A1` the `A1` is ignored, as on the real board;
 * - a part with a `:` anywhere is a list of direct actuator targets; tokens without `:` are skipped;
 * - anything else is a head command: each comma-separated token whose first character is an upper-case axis
 *   letter sets that axis, every other token is skipped, and every axis not set resets (X Y Z H R P to 0,
 *   S A to 1). So an unknown line such as `hello` or `x50` moves the head to X0,Y0,Z0,H0 — that is what the
 *   firmware does with it, and the simulator does the same rather than hide it.
 * Numbers are read with C's `atof`/`atol` (text that is no number reads as 0) and truncated into ints.
 *
 * Homing (on `boot()` and on any HOME command) blocks the firmware as its `delay()` calls do: bytes that
 * arrive meanwhile wait in the UART buffer (see `rxBufferBytes`) and run, in order, once homing ends.
 */
export class VirtualNeck {
  private readonly scheduler: NeckScheduler;
  private readonly homingScale: number;
  private readonly baudRate: number;
  private readonly lineTimeoutMs: number;
  private readonly rxBufferBytes: number;
  private readonly historyLimit: number;
  private readonly bootBanner: readonly string[];

  private powered = false;
  private bootedAt = 0;
  private bootCount = 0;
  private homingKind: HomingKind | null = null;
  private bypass = false;
  private current: HeadPose = { ...HOME_POSE };
  private speed = BASE_SPEED_HZ;
  private acceleration = BASE_ACCEL;
  private actuators: Actuator[] = zeroActuators();

  private rx = '';
  private readonly lines: string[] = [];
  private work: Step[] = [];
  private waitTimer: NeckTimer | undefined;
  private lineTimer: NeckTimer | undefined;
  private pumping = false;
  private dropped = 0;
  private idleWaiters: IdleWaiter[] = [];

  private readonly receivedLog: string[] = [];
  private readonly printedLog: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();

  constructor(options: VirtualNeckOptions = {}) {
    this.scheduler = options.scheduler ?? realScheduler;
    this.homingScale = nonNegative('homingScale', options.homingScale ?? 1);
    this.baudRate = options.baudRate ?? 115_200;
    this.lineTimeoutMs = nonNegative('lineTimeoutMs', options.lineTimeoutMs ?? 1000);
    this.rxBufferBytes = nonNegative('rxBufferBytes', options.rxBufferBytes ?? Infinity);
    this.historyLimit = nonNegative('historyLimit', options.historyLimit ?? 10_000);
    this.bootBanner = options.bootBanner ?? [];
  }

  /** Powers on or resets the board (what opening its serial port does): uptime from 0, then HOME_BRUTE. */
  boot(): void {
    this.halt();
    this.powered = true;
    this.bootedAt = this.scheduler.now();
    this.bootCount++;
    this.current = { ...HOME_POSE };
    this.speed = BASE_SPEED_HZ;
    this.acceleration = BASE_ACCEL;
    this.actuators = zeroActuators();
    this.bypass = false;
    for (const line of this.bootBanner) this.print(line);
    this.startHoming('HOME_BRUTE');
    this.pump();
  }

  /** Powers off: cancels homing and every timer, forgets unread input; `idle()` waiters are rejected. */
  powerOff(): void {
    this.halt();
    this.powered = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter.reject(new Error('the virtual neck was powered off'));
  }

  /** Bytes from the serial line (strings are sent as UTF-8); complete lines run at once unless the firmware is homing. */
  receive(data: string | Uint8Array): void {
    if (!this.powered) {
      throw new Error('the virtual neck is powered off - call boot() first (opening its serial port does that)');
    }
    let text = typeof data === 'string' ? Buffer.from(data, 'utf8').toString('latin1') : bytesToText(data);
    if (this.waitTimer !== undefined) text = this.admit(text);
    this.rx += text;
    for (let newline = this.rx.indexOf('\n'); newline >= 0; newline = this.rx.indexOf('\n')) {
      const raw = this.rx.slice(0, newline);
      this.rx = this.rx.slice(newline + 1);
      this.enqueue(raw);
    }
    this.pump();
  }

  /** Calls `listener` with every line the firmware prints (without `\r\n`); returns a function that unsubscribes. */
  onLine(listener: (line: string) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Resolves once nothing is homing and every complete line received has run. Rejects if powered off first. */
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
      `SPEED_HZ=${this.speed}`,
      `ACCEL=${this.acceleration}`,
      `BYPASS_CLAMP=${this.bypass ? 1 : 0}`,
    ].join('|');
  }

  /** True between `boot()` and `powerOff()`. */
  get isPowered(): boolean {
    return this.powered;
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

  /** The head pose of the last head or quaternion command (HOME_POSE after homing); direct actuator commands leave it. */
  get pose(): HeadPose {
    return { ...this.current };
  }

  /** Each actuator's target in steps (index 0 is actuator 1); negative while homing. */
  get actuatorSteps(): number[] {
    return this.actuators.map((actuator) => actuator.steps);
  }

  /** Each actuator's target in mm (index 0 is actuator 1): steps/400 after a head command, steps/426.67 after a direct one. */
  get actuatorsMm(): number[] {
    return this.actuators.map((actuator) => actuator.steps / actuator.stepsPerMm);
  }

  /** Step rate of the last head move, in Hz (48000 × S). */
  get speedHz(): number {
    return this.speed;
  }

  /** Acceleration of the last head move, in steps/s² (36000 × A). */
  get accel(): number {
    return this.acceleration;
  }

  /** True while homing drives actuators past the 0…32000-step clamp. */
  get bypassClamp(): boolean {
    return this.bypass;
  }

  /** Ms since the last boot, wrapping at 2³² as the firmware's `millis()` does; 0 when off. */
  get uptimeMs(): number {
    return this.powered ? Math.floor(this.scheduler.now() - this.bootedAt) % UINT32 : 0;
  }

  /** Every line received, in order, without its `\n` (or `\r\n`); also lines taken by the read timeout. */
  get received(): readonly string[] {
    return [...this.receivedLog];
  }

  /** Every line printed, in order, without `\r\n`. */
  get printed(): readonly string[] {
    return [...this.printedLog];
  }

  /** Complete lines received and still waiting to run (while homing). */
  get queuedLines(): number {
    return this.lines.length;
  }

  /** Bytes lost because the UART buffer (`rxBufferBytes`) was full while the firmware was busy. */
  get droppedBytes(): number {
    return this.dropped;
  }

  private halt(): void {
    this.waitTimer?.cancel();
    this.waitTimer = undefined;
    this.lineTimer?.cancel();
    this.lineTimer = undefined;
    this.rx = '';
    this.lines.length = 0;
    this.work = [];
    this.homingKind = null;
    this.bypass = false;
  }

  private admit(text: string): string {
    const buffered = this.rx.length + this.lines.reduce((total, line) => total + line.length + 1, 0);
    const room = Math.max(0, this.rxBufferBytes - buffered);
    if (text.length <= room) return text;
    this.dropped += text.length - room;
    return text.slice(0, room);
  }

  private enqueue(raw: string): void {
    this.remember(this.receivedLog, raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    this.lines.push(raw);
  }

  private print(line: string): void {
    this.remember(this.printedLog, line);
    for (const listener of [...this.listeners]) listener(line);
  }

  private remember(log: string[], line: string): void {
    log.push(line);
    if (log.length > this.historyLimit) log.splice(0, log.length - this.historyLimit);
  }

  /** Runs queued work until it must wait (homing) or nothing is left; the firmware's `loop()`. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.powered && this.waitTimer === undefined) {
        const step = this.work.shift();
        if (step === undefined) {
          const line = this.lines.shift();
          if (line === undefined) break;
          this.work = arduinoTrim(line)
            .split('|')
            .map((part) => ({ run: () => this.execute(part) }));
        } else if ('waitMs' in step) {
          this.wait(step.waitMs);
        } else {
          step.run();
        }
      }
    } finally {
      this.pumping = false;
    }
    this.armLineTimer();
    if (this.isIdle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const waiter of waiters) waiter.resolve();
    }
  }

  private wait(ms: number): void {
    if (ms <= 0) return;
    const timer = this.scheduler.setTimer(() => {
      if (this.waitTimer !== timer) return;
      this.waitTimer = undefined;
      this.pump();
    }, ms);
    this.waitTimer = timer;
  }

  private armLineTimer(): void {
    this.lineTimer?.cancel();
    this.lineTimer = undefined;
    if (!this.powered || this.waitTimer !== undefined || this.rx === '' || !Number.isFinite(this.lineTimeoutMs)) return;
    const timer = this.scheduler.setTimer(() => {
      if (this.lineTimer !== timer) return;
      this.lineTimer = undefined;
      const raw = this.rx;
      this.rx = '';
      this.enqueue(raw);
      this.pump();
    }, this.lineTimeoutMs);
    this.lineTimer = timer;
  }

  private isIdle(): boolean {
    return this.powered && this.waitTimer === undefined && this.work.length === 0 && this.lines.length === 0;
  }

  /** The firmware's `executeCommand()` for one `|`-separated part. */
  private execute(part: string): void {
    const command = arduinoTrim(part);
    if (command === '') return;
    if (equalsIgnoreCase(command, 'HOME') || equalsIgnoreCase(command, 'HOME_BRUTE')) {
      this.startHoming('HOME_BRUTE');
    } else if (equalsIgnoreCase(command, 'HOME_SOFT')) {
      this.startHoming('HOME_SOFT');
    } else if (equalsIgnoreCase(command, 'HEALTH') || equalsIgnoreCase(command, 'STATUS')) {
      this.print(this.healthLine());
    } else if (command.startsWith('Q')) {
      this.quaternion(command);
    } else if (command.includes(':')) {
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

  private finishHoming(): void {
    this.homingKind = null;
    this.current = { ...HOME_POSE };
    this.setSpeed(HOME_POSE.S, HOME_POSE.A);
  }

  private headCommand(command: string): void {
    const pose: HeadPose = { ...HOME_POSE };
    for (const token of command.split(',')) {
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
    const euler = quaternionToEuler(w, x, y, z);
    const [yaw, pitch, roll] = [euler.yaw, euler.pitch, euler.roll].map(toInt32);
    this.print(FIRMWARE_MESSAGES.quaternion(yaw, pitch, roll));
    this.moveHead({ X: yaw, Y: pitch, Z: roll, H: height, S: speed, A: accel, R: 0, P: 0 });
  }

  private directActuators(command: string): void {
    for (const token of command.split(',')) {
      const colon = token.indexOf(':');
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

  private moveHead(pose: HeadPose): void {
    this.current = pose;
    this.setSpeed(pose.S, pose.A);
    this.actuators = headPoseToSteps(pose).map((steps) => ({ steps, stepsPerMm: HEAD_STEPS_PER_MM }));
  }

  private setSpeed(speedMultiplier: number, accelMultiplier: number): void {
    // int newSpeed = speedVar * speedMultiplier: a float product truncated into an int.
    this.speed = toInt32(Math.fround(BASE_SPEED_HZ * Math.fround(speedMultiplier)));
    this.acceleration = toInt32(Math.fround(BASE_ACCEL * Math.fround(accelMultiplier)));
  }
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

/** The firmware's quaternion tokenizer: at most six comma-separated tokens, a trailing empty one dropped. */
function quaternionTokens(body: string): string[] {
  const tokens: string[] = [];
  let start = 0;
  let end = body.indexOf(',');
  while (end !== -1 && tokens.length < QUATERNION_MAX_TOKENS) {
    tokens.push(body.slice(start, end));
    start = end + 1;
    end = body.indexOf(',', start);
  }
  if (start < body.length && tokens.length < QUATERNION_MAX_TOKENS) tokens.push(body.slice(start));
  return tokens;
}

/** The quaternion's norm in 32-bit floats, where tiny components square to zero as on the ESP32. */
function float32Norm(w: number, x: number, y: number, z: number): number {
  const f = Math.fround;
  const sum = [w, x, y, z].reduce((total, c) => f(total + f(c * c)), 0);
  return f(Math.sqrt(sum));
}

function nonNegative(name: string, value: number): number {
  if (Number.isNaN(value) || value < 0) {
    throw new RangeError(`VirtualNeck option ${name} must be a number ≥ 0 (or Infinity), got ${value}`);
  }
  return value;
}
