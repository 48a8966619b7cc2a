import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { McapIndexedReader, McapStreamReader } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';
import { RECORDING_CHUNK_BYTES, RECORDING_ID, RecordingInfoDto } from '@neck-signal/protocol';
import { RECORDING_EXTENSION, idOf } from './recorder';
import type { RecordedWrite } from './recording-check';
import { RECORDING_CHANNELS } from './recording-channels';

/** Why a recording cannot be read: no such id (or not a valid one). */
export class UnknownRecordingError extends Error {}

/**
 * The recordings in a directory: their list (start, length, commands, size), their bytes by chunk, and the lines
 * one wrote with their times. Files are named by id, which never holds a path separator (RECORDING_ID).
 */
export class RecordingCatalog {
  constructor(
    private readonly dir: string,
    /** The id of the file being written, if any. */
    private readonly currentId: () => string | undefined,
  ) {}

  /** Every recording, oldest first. */
  async list(): Promise<RecordingInfoDto[]> {
    const names = (await readdir(this.dir).catch(() => [])).filter((name) => name.endsWith(RECORDING_EXTENSION));
    const infos: RecordingInfoDto[] = [];
    for (const name of names.sort()) {
      const id = idOf(name);
      if (!RECORDING_ID.test(id)) continue;
      infos.push(await this.info(id));
    }
    return infos;
  }

  /** Bytes `offset`… of recording `id` (at most RECORDING_CHUNK_BYTES), with its size when `totalBytes` is unset. */
  async chunk(id: string, offset: number): Promise<{ data: Buffer; totalBytes: number }> {
    const handle = await open(this.path(id), 'r').catch(() => {
      throw new UnknownRecordingError(`no recording ${id} on this neck`);
    });
    try {
      const totalBytes = (await handle.stat()).size;
      const length = Math.max(0, Math.min(RECORDING_CHUNK_BYTES, totalBytes - offset));
      const data = Buffer.alloc(length);
      if (length > 0) await handle.read(data, 0, length, offset);
      return { data, totalBytes };
    } finally {
      await handle.close();
    }
  }

  /** The lines recording `id` wrote, timed from its first write (readable up to its last chunk, if cut). */
  async writes(id: string): Promise<RecordedWrite[]> {
    const bytes = await readFile(this.path(id)).catch(() => {
      throw new UnknownRecordingError(`no recording ${id} on this neck`);
    });
    const reader = new McapStreamReader({ validateCrcs: true });
    reader.append(bytes);
    const decoder = new TextDecoder();
    let channelId: number | undefined;
    let start: bigint | undefined;
    const writes: RecordedWrite[] = [];
    try {
      for (let record = reader.nextRecord(); record; record = reader.nextRecord()) {
        if (record.type === 'Channel' && record.topic === RECORDING_CHANNELS.write.topic) channelId = record.id;
        if (record.type !== 'Message' || record.channelId !== channelId) continue;
        const { line } = JSON.parse(decoder.decode(record.data)) as { line?: unknown };
        if (typeof line !== 'string') continue;
        start ??= record.logTime;
        writes.push({ atMs: Number(record.logTime - start) / 1e6, line });
      }
    } catch {
      // A cut record at the end (a kill -9): what came before stands.
    }
    return writes;
  }

  private path(id: string): string {
    if (!RECORDING_ID.test(id)) throw new UnknownRecordingError(`not a recording id: ${id}`);
    return join(this.dir, `${id}${RECORDING_EXTENSION}`);
  }

  private async info(id: string): Promise<RecordingInfoDto> {
    const path = this.path(id);
    const sizeBytes = (await stat(path)).size;
    const current = id === this.currentId();
    const base = { id, startedAt: startOf(id), sizeBytes, current };
    const summary = current ? undefined : await summaryOf(path);
    if (summary) return { ...base, ...summary, complete: true };
    return { ...base, ...(await scan(path)), complete: false };
  }
}

/** `2026-12-08T00-12-03-123Z…` → `2026-12-08T00:12:03.123Z`. */
function startOf(id: string): string {
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)-(\d{3})Z/.exec(id);
  return match ? `${match[1]}T${match[2]}:${match[3]}:${match[4]}.${match[5]}Z` : new Date(0).toISOString();
}

type Counts = { durationMs: number; commands: number };

/** Duration and commands from a finished file's statistics; undefined when it has none (being written, cut). */
async function summaryOf(path: string): Promise<Counts | undefined> {
  const handle = await open(path, 'r');
  try {
    const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle) });
    const stats = reader.statistics;
    if (!stats) return undefined;
    const channel = [...reader.channelsById.values()].find((c) => c.topic === RECORDING_CHANNELS.command.topic);
    const commands = channel ? Number(stats.channelMessageCounts.get(channel.id) ?? 0n) : 0;
    const durationMs = stats.messageCount > 0n ? Number(stats.messageEndTime - stats.messageStartTime) / 1e6 : 0;
    return { durationMs, commands };
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** Duration and commands by reading the file record by record (up to its last whole chunk). */
async function scan(path: string): Promise<Counts> {
  const reader = new McapStreamReader({ validateCrcs: true });
  reader.append(await readFile(path));
  let channelId: number | undefined;
  let first: bigint | undefined;
  let last: bigint | undefined;
  let commands = 0;
  try {
    for (let record = reader.nextRecord(); record; record = reader.nextRecord()) {
      if (record.type === 'Channel' && record.topic === RECORDING_CHANNELS.command.topic) channelId = record.id;
      if (record.type !== 'Message') continue;
      first ??= record.logTime;
      last = record.logTime;
      if (record.channelId === channelId) commands += 1;
    }
  } catch {
    // A cut record at the end (a kill -9): what came before stands.
  }
  return { durationMs: first === undefined || last === undefined ? 0 : Number(last - first) / 1e6, commands };
}
