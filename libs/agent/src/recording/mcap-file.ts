import { open, FileHandle } from 'node:fs/promises';
import { McapWriter } from '@mcap/core';
import { FileHandleWritable } from '@mcap/nodejs';
import { RECORDING_CHANNELS, RECORDING_METADATA, RECORDING_PROFILE, RecordingChannel } from './recording-channels';

/** Messages waiting for the writer at most; past that the newest are dropped (and counted), never buffered forever. */
const MAX_PENDING = 5_000;
/**
 * How long messages wait before they are encoded and handed to the writer, ms: a 100 Hz stream then costs one
 * batch per 10 commands instead of one per command, and the encoding never runs between a command and its write.
 * A crash loses the chunk under construction anyway; this adds at most this much to it.
 */
const FLUSH_MS = 100;
const encoder = new TextEncoder();

/**
 * One MCAP file being written. McapWriter must not be called again before its last call has finished, so every
 * call goes through one promise chain. Chunks are small (DEFAULT_CHUNK_BYTES), so that a crash (kill -9) loses
 * at most the chunk under construction: MCAP is append-only and every finished chunk stays readable.
 */
export class McapFile {
  private chain: Promise<void> = Promise.resolve();
  /** Messages waiting to be encoded and handed to the writer. */
  private batch: Pending[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  /** Messages added and not yet handed to the writer (waiting, or in a batch the chain has not reached). */
  private pending = 0;
  private closed = false;
  /** Messages dropped because the disk could not keep up. */
  dropped = 0;
  /** Messages added per channel. */
  readonly counts = new Map<RecordingChannel, number>();
  private readonly channelIds = new Map<RecordingChannel, number>();

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly writer: McapWriter,
    private readonly writable: FileHandleWritable,
  ) {}

  /** Creates the file, writes its header, schemas, channels and the metadata record. */
  static async create(path: string, metadata: Record<string, string>, chunkBytes: number): Promise<McapFile> {
    const handle = await open(path, 'wx', 0o600);
    const writable = new FileHandleWritable(handle);
    const writer = new McapWriter({ writable, chunkSize: chunkBytes });
    const file = new McapFile(path, handle, writer, writable);
    await writer.start({ profile: RECORDING_PROFILE, library: 'neck-signal' });
    for (const [key, channel] of Object.entries(RECORDING_CHANNELS) as [
      RecordingChannel,
      (typeof RECORDING_CHANNELS)[RecordingChannel],
    ][]) {
      const schemaId = await writer.registerSchema({
        name: channel.schema,
        encoding: 'jsonschema',
        data: encoder.encode(JSON.stringify({ type: 'object', title: channel.schema, properties: channel.properties })),
      });
      const channelId = await writer.registerChannel({
        schemaId,
        topic: channel.topic,
        messageEncoding: 'json',
        metadata: new Map(),
      });
      file.channelIds.set(key, channelId);
    }
    await writer.addMetadata({ name: RECORDING_METADATA, metadata: new Map(Object.entries(metadata)) });
    return file;
  }

  /** Bytes in the file so far (chunks written; the one under construction is not counted). */
  get bytes(): number {
    return Number(this.writable.position());
  }

  /** Adds a message, stamped `logTimeNs` (ns since the epoch). */
  add(channel: RecordingChannel, logTimeNs: bigint, message: unknown): void {
    if (this.closed) return;
    if (this.pending >= MAX_PENDING) {
      this.dropped += 1;
      return;
    }
    const channelId = this.channelIds.get(channel);
    if (channelId === undefined) return;
    const sequence = (this.counts.get(channel) ?? 0) + 1;
    this.counts.set(channel, sequence);
    this.pending += 1;
    this.batch.push({ channelId, sequence, logTime: logTimeNs, message });
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  /** Hands the waiting messages to the writer, in one link of the chain. */
  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.enqueue(() => this.drain(batch));
  }

  private async drain(batch: readonly Pending[]): Promise<void> {
    for (const { channelId, sequence, logTime, message } of batch) {
      this.pending -= 1;
      const data = encoder.encode(JSON.stringify(message));
      await this.writer.addMessage({ channelId, sequence, logTime, publishTime: logTime, data });
    }
  }

  /** Adds a metadata record (e.g. the firmware's HEALTH line once it answers). */
  addMetadata(name: string, metadata: Record<string, string>): void {
    if (this.closed) return;
    this.flush();
    this.enqueue(() => this.writer.addMetadata({ name, metadata: new Map(Object.entries(metadata)) }));
  }

  /** Writes the last chunk, the summary and the footer, and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return this.chain;
    this.flush();
    this.closed = true;
    this.enqueue(async () => {
      await this.writer.end();
    });
    await this.chain;
    await this.handle.close();
  }

  /** Resolves when everything added so far is in the file (or in the chunk under construction). */
  settled(): Promise<void> {
    this.flush();
    return this.chain;
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((error: unknown) => {
      this.failure ??= error instanceof Error ? error : new Error(String(error));
    });
  }

  /** The first write that failed (disk full, file removed…), if any. */
  failure: Error | undefined;
}

/** A message waiting to be encoded: recorded objects are fresh ones that nothing changes after. */
interface Pending {
  readonly channelId: number;
  readonly sequence: number;
  readonly logTime: bigint;
  readonly message: unknown;
}
