import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { Logger } from '@nestjs/common';
import { MAX_UPLOAD_BYTES, RecordingErrorDto, RecordingStoredDto } from '@neck-signal/protocol';
import { RECORDING_EXTENSION } from './recorder';
import { checkRecording } from './recording-check';

/** Suffix of an uploaded recording's id (after the moment it was stored), so that the list tells it apart. */
export const UPLOAD_SUFFIX = '-upload';
/** The file an upload is written to until it checks out; not `.mcap`, so neither listed nor replayable before. */
const PART_FILE = 'upload.part';

/** One chunk of an upload, as the responder hands it over. */
export interface UploadChunk {
  /** Who sends it (the asker's sid) and the upload's name: a chunk of any other upload is out of step. */
  readonly from: string;
  readonly name: string;
  readonly offset: number;
  readonly totalBytes: number;
  readonly data: Buffer;
}

interface Upload {
  readonly from: string;
  readonly name: string;
  readonly totalBytes: number;
  readonly handle: FileHandle;
  bytes: number;
}

/**
 * Files operators send for replay, one at a time, written in order to a part file in the recordings dir; once
 * whole, checked (a recording of ours, every line in the firmware's grammar) and renamed to an id ending in
 * `-upload`: from then on an ordinary recording, listed, replayable and counted in the size budget. A file that
 * fails the check is deleted; a new upload (offset 0) ends the one under way.
 */
export class RecordingUploads {
  private readonly logger = new Logger(RecordingUploads.name);
  private upload: Upload | undefined;

  constructor(
    private readonly dir: string,
    private readonly budgetBytes: number,
    /** Deletes the oldest recordings past the budget, once an upload was stored. */
    private readonly enforceBudget: () => Promise<void> = () => Promise.resolve(),
  ) {}

  async store(chunk: UploadChunk): Promise<{ stored: RecordingStoredDto } | { error: RecordingErrorDto }> {
    const limit = Math.min(MAX_UPLOAD_BYTES, this.budgetBytes);
    if (chunk.totalBytes > limit) {
      return { error: { code: 'TOO_LARGE', message: `uploads are at most ${limit} bytes here` } };
    }
    if (chunk.offset === 0) await this.begin(chunk);
    const upload = this.upload;
    if (!upload || upload.from !== chunk.from || upload.name !== chunk.name || upload.bytes !== chunk.offset) {
      return { error: { code: 'BAD_OFFSET', message: `no upload ${chunk.name} expects byte ${chunk.offset}` } };
    }
    const end = chunk.offset + chunk.data.length;
    if (chunk.totalBytes !== upload.totalBytes || end > upload.totalBytes || chunk.data.length === 0) {
      await this.abandon();
      return { error: { code: 'BAD_UPLOAD', message: 'the chunk does not fit the size announced' } };
    }
    await upload.handle.write(chunk.data, 0, chunk.data.length, chunk.offset);
    upload.bytes = end;
    if (end < upload.totalBytes) return { stored: { bytes: end, totalBytes: upload.totalBytes } };
    return this.finish(upload);
  }

  private async begin(chunk: UploadChunk): Promise<void> {
    await this.abandon();
    await mkdir(this.dir, { recursive: true });
    const handle = await open(join(this.dir, PART_FILE), 'w', 0o600);
    this.upload = { from: chunk.from, name: chunk.name, totalBytes: chunk.totalBytes, handle, bytes: 0 };
  }

  private async finish(upload: Upload): Promise<{ stored: RecordingStoredDto } | { error: RecordingErrorDto }> {
    this.upload = undefined;
    await upload.handle.close();
    const part = join(this.dir, PART_FILE);
    const check = checkRecording(await readFile(part));
    if (!check.ok) {
      await rm(part, { force: true });
      this.logger.warn(`refused an upload from ${upload.from}: ${check.message}`);
      return { error: { code: 'BAD_UPLOAD', message: `not a recording to replay: ${check.message}` } };
    }
    const id = `${new Date().toISOString().replace(/[:.]/g, '-')}${UPLOAD_SUFFIX}`;
    await rename(part, join(this.dir, `${id}${RECORDING_EXTENSION}`));
    this.logger.log(`stored an upload as ${id} (${upload.totalBytes} bytes, ${check.writes.length} lines)`);
    await this.enforceBudget().catch((error: unknown) => this.logger.warn(`budget: ${(error as Error).message}`));
    return { stored: { bytes: upload.totalBytes, totalBytes: upload.totalBytes, recording: id } };
  }

  private async abandon(): Promise<void> {
    const upload = this.upload;
    this.upload = undefined;
    if (!upload) return;
    await upload.handle.close().catch(() => undefined);
    await rm(join(this.dir, PART_FILE), { force: true });
  }
}
