import { Logger } from '@nestjs/common';
import { mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  HOME_POSE,
  HeadPose,
  HeadPoseTracker,
  NeckAckReportDto,
  NeckStatusDto,
  parseHealthLine,
  parseNeckCommand,
  partsOf,
} from '@neck-signal/protocol';
import type { IncomingCommand } from '../relay/hub-link';
import { McapFile } from './mcap-file';
import { RecordingChannel } from './recording-channels';

/** Where the agent keeps recordings, under its config dir. */
export const RECORDINGS_DIR = 'recordings';
export const RECORDING_EXTENSION = '.mcap';
/** Default size budget of all recordings together: 1 GB (an SD card is small). */
export const DEFAULT_RECORDING_BUDGET_BYTES = 1024 ** 3;
/** A new file every hour, so that the budget can delete old hours of a long session. */
export const DEFAULT_ROTATE_MS = 3_600_000;
/** MCAP chunk size: what a crash may lose at most (a few seconds of a 100 Hz stream). */
export const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** The budget is checked again after this many bytes were written (or a 16th of the budget, if less). */
const BUDGET_CHECK_BYTES = 1024 * 1024;
/** A full head line as the agent writes it (formatHeadPose), e.g. `X50,Y-20,Z0,H0,S1.5,A1,R0,P0`. */
const FULL_POSE_LINE = /^X(-?\d+),Y(-?\d+),Z(-?\d+),H(\d+),S(\d+(?:\.\d+)?),A(\d+(?:\.\d+)?),R(-?\d+),P(-?\d+)$/;
/** Messages kept while a file is being opened. */
const MAX_EARLY = 2_000;

export interface RecorderOptions {
  /** The recordings' directory (the config dir's `recordings/`). */
  readonly dir: string;
  /** All recordings together stay under this many bytes; the oldest go first. Default 1 GB. */
  readonly budgetBytes?: number;
  /** A new file after this long, ms. Default one hour. */
  readonly rotateMs?: number;
  /** MCAP chunk size, bytes. Default 64 KB. */
  readonly chunkBytes?: number;
  /** The `neck` metadata record: neck uuid, agent version. */
  readonly metadata: { readonly uuid: string; readonly agentVersion: string };
}

/** The path a command came by. */
export type CommandPath = 'hub' | 'direct';

/**
 * Records an agent's session as MCAP files (`recordings/<start time>.mcap`): commands received, lines written,
 * acks, firmware output, status and the head pose as numbers. A new file per session and per hour; the oldest
 * files are deleted when all of them together pass the budget. Timestamps are the epoch at start plus this
 * machine's monotonic clock, so intervals between messages are exact even if the wall clock jumps.
 */
export class Recorder {
  private readonly logger = new Logger(Recorder.name);
  private file: McapFile | undefined;
  private opening: Promise<void> | undefined;
  private early: { channel: RecordingChannel; at: bigint; message: unknown }[] = [];
  private openedAt = 0;
  private checkedAtBytes = 0;
  private stopped = false;
  /** The pose the lines written so far lead to. */
  private pose: HeadPose = { ...HOME_POSE };
  private health: string | undefined;
  private readonly epochNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  private readonly budgetBytes: number;
  private readonly rotateMs: number;

  constructor(private readonly options: RecorderOptions) {
    this.budgetBytes = options.budgetBytes ?? DEFAULT_RECORDING_BUDGET_BYTES;
    this.rotateMs = options.rotateMs ?? DEFAULT_ROTATE_MS;
  }

  /** Opens the session's first file. */
  async start(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
    await this.rotate();
  }

  /** The id of the file being written (its name without .mcap), if any. */
  get currentId(): string | undefined {
    return this.file ? idOf(this.file.path) : undefined;
  }

  /** Now, in ns since the epoch, on the monotonic clock. */
  now(): bigint {
    return this.epochNs + process.hrtime.bigint();
  }

  command(command: IncomingCommand, path: CommandPath): void {
    this.add('command', {
      text: command.text,
      sender: command.from,
      ...(command.uuid === undefined ? {} : { senderUuid: command.uuid }),
      path,
      ...(command.id === undefined ? {} : { id: command.id }),
      ...(command.sentAt === undefined ? {} : { sentAt: command.sentAt }),
      ...(command.seq === undefined ? {} : { seq: command.seq }),
    });
  }

  /** A line written to the firmware: recorded with the moment of its write, and the pose it leads to. */
  wrote(line: string): void {
    const at = this.now();
    this.add('write', { line, bytes: line.length + 1 }, at);
    // The agent writes head poses as full canonical lines: read those directly (a 100 Hz stream is mostly them).
    const full = FULL_POSE_LINE.exec(line);
    if (full) {
      const [x, y, z, h, s, a, r, p] = full.slice(1).map(Number);
      this.pose = { X: x, Y: y, Z: z, H: h, S: s, A: a, R: r, P: p };
      this.add('pose', { x, y, z, h, s, a, r, p }, at);
      return;
    }
    const parsed = parseNeckCommand(line);
    if (!parsed.ok || !partsOf(parsed.command).some((part) => part.kind !== 'health' && part.kind !== 'actuators')) {
      return;
    }
    const merged = new HeadPoseTracker(this.pose).merge(parsed.command);
    if (!merged.ok) return;
    this.pose = { ...merged.pose };
    const { X, Y, Z, H, S, A, R, P } = merged.pose;
    const quaternion = partsOf(parsed.command).some((part) => part.kind === 'quaternion');
    this.add(
      'pose',
      { x: X, y: Y, z: Z, h: H, s: S, a: A, r: R, p: P, ...(quaternion ? { yaw: X, pitch: Y, roll: Z } : {}) },
      at,
    );
  }

  ack(ack: NeckAckReportDto): void {
    this.add('ack', ack);
  }

  output(line: string): void {
    const at = this.now();
    const sec = at / 1_000_000_000n;
    this.add(
      'output',
      {
        timestamp: { sec: Number(sec), nsec: Number(at - sec * 1_000_000_000n) },
        level: 2,
        message: line,
        name: 'firmware',
        file: '',
        line: 0,
      },
      at,
    );
    if (parseHealthLine(line) && this.health !== line) {
      this.health = line;
      this.file?.addMetadata('firmware', { health: line });
    }
  }

  status(status: NeckStatusDto): void {
    this.add('status', status);
  }

  /** Ends the file being written (it opens indexed, complete) and goes on in a new one. */
  async cut(): Promise<void> {
    await this.rotate();
  }

  /** Resolves when everything recorded so far has been handed to the file. */
  async settled(): Promise<void> {
    await this.opening;
    await this.file?.settled();
  }

  /** Ends the file (summary, footer): it opens indexed. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.opening;
    await this.file?.close();
    this.file = undefined;
  }

  private add(channel: RecordingChannel, message: unknown, at: bigint = this.now()): void {
    if (this.stopped) return;
    const file = this.file;
    if (!file || this.opening) {
      if (this.early.length < MAX_EARLY) this.early.push({ channel, at, message });
      return;
    }
    if (performance.now() - this.openedAt >= this.rotateMs) {
      this.early.push({ channel, at, message });
      void this.rotate();
      return;
    }
    file.add(channel, at, message);
    if (file.bytes - this.checkedAtBytes >= Math.min(BUDGET_CHECK_BYTES, this.budgetBytes / 16)) {
      this.checkedAtBytes = file.bytes;
      void this.enforceBudget().catch((error: unknown) => this.warn('could not apply the budget', error));
    }
  }

  private rotate(): Promise<void> {
    this.opening ??= this.openNext().finally(() => {
      this.opening = undefined;
      const file = this.file;
      if (!file) return;
      for (const { channel, at, message } of this.early) file.add(channel, at, message);
      this.early = [];
    });
    return this.opening;
  }

  private async openNext(): Promise<void> {
    const previous = this.file;
    this.file = undefined;
    if (previous) await previous.close().catch((error: unknown) => this.warn('could not finish a recording', error));
    if (this.stopped) return;
    const metadata = {
      uuid: this.options.metadata.uuid,
      agent_version: this.options.metadata.agentVersion,
      ...(this.health === undefined ? {} : { firmware_health: this.health }),
    };
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    for (let attempt = 0; attempt < 100 && !this.file; attempt += 1) {
      const name = `${stamp}${attempt === 0 ? '' : `-${attempt}`}${RECORDING_EXTENSION}`;
      try {
        this.file = await McapFile.create(
          join(this.options.dir, name),
          metadata,
          this.options.chunkBytes ?? DEFAULT_CHUNK_BYTES,
        );
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          this.warn('cannot record', error);
          return;
        }
      }
    }
    this.openedAt = performance.now();
    this.checkedAtBytes = 0;
    if (this.file) this.logger.log(`recording to ${this.file.path}`);
    await this.enforceBudget().catch((error: unknown) => this.warn('could not apply the budget', error));
  }

  /** Deletes the oldest recordings until all of them together fit the budget (never the one being written). */
  async enforceBudget(): Promise<void> {
    const current = this.file?.path;
    const names = (await readdir(this.options.dir)).filter((name) => name.endsWith(RECORDING_EXTENSION)).sort();
    const files = await Promise.all(
      names.map(async (name) => ({
        path: join(this.options.dir, name),
        size: (await stat(join(this.options.dir, name))).size,
      })),
    );
    let total = files.reduce((sum, file) => sum + file.size, 0);
    for (const file of files) {
      if (total <= this.budgetBytes) break;
      if (file.path === current) continue;
      await unlink(file.path);
      total -= file.size;
      this.logger.log(`deleted ${file.path}: recordings passed their budget of ${this.budgetBytes} bytes`);
    }
  }

  private warn(what: string, error: unknown): void {
    this.logger.warn(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A recording's id: its file name without .mcap. */
export function idOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.endsWith(RECORDING_EXTENSION) ? name.slice(0, -RECORDING_EXTENSION.length) : name;
}
