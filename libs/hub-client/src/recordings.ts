import {
  Events,
  RECORDING_CHUNK_BYTES,
  RecordingInfoDto,
  RecordingsReplyDeliveryDto,
  RecordingsRequestDto,
  validatePayload,
} from '@neck-signal/protocol';
import { HubClientError, HubError } from './errors';
import type { HubClient } from './hub-client';

/** Chunk requests a download keeps in flight (the neck answers them in order, at its own pace). */
const DOWNLOAD_WINDOW = 4;

/** A neck could not answer (no such recording, recording off…); `code` says which. */
export class RecordingsError extends HubClientError {
  override readonly name = 'RecordingsError';

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RecordingsList {
  /** Newest last. */
  readonly recordings: RecordingInfoDto[];
  /** Older recordings left out. */
  readonly more: number;
}

export interface DownloadProgress {
  readonly bytes: number;
  readonly totalBytes: number;
}

let nextId = 0;

/**
 * Asks one neck (by sid) for its recordings through the hub: the list, or a recording chunk by chunk. Every reply
 * is validated; an `error-message` or the neck's error rejects, and so does silence past `timeoutMs`.
 */
export class RecordingsRequester {
  constructor(
    private readonly client: HubClient,
    private readonly neckSid: string,
    private readonly timeoutMs = 15_000,
  ) {}

  async list(): Promise<RecordingsList> {
    const reply = await this.ask({ op: 'list' });
    return { recordings: reply.list ?? [], more: reply.more ?? 0 };
  }

  /**
   * Downloads recording `id`, handing `write` each chunk in order; resolves with the size. A file being written
   * is copied as it was when the download began.
   */
  async download(
    id: string,
    write: (chunk: Uint8Array) => void | Promise<void>,
    progress?: (progress: DownloadProgress) => void,
  ): Promise<number> {
    const first = await this.chunk(id, 0);
    const totalBytes = first.totalBytes;
    let bytes = 0;
    const pending = new Map<number, Promise<{ data: Uint8Array }>>();
    const chunkBytes = first.data.length;
    let nextOffset = first.data.length;
    const request = () => {
      while (pending.size < DOWNLOAD_WINDOW && nextOffset < totalBytes && chunkBytes > 0) {
        const chunk = this.chunk(id, nextOffset);
        // Awaited in order below; one that fails after an earlier failure must not go unhandled.
        chunk.catch(() => undefined);
        pending.set(nextOffset, chunk);
        nextOffset += chunkBytes;
      }
    };
    let current: Promise<{ data: Uint8Array }> = Promise.resolve(first);
    let offset = 0;
    for (;;) {
      const { data } = await current;
      pending.delete(offset);
      await write(data);
      bytes += data.length;
      offset += data.length;
      progress?.({ bytes, totalBytes });
      if (offset >= totalBytes || data.length === 0) break;
      request();
      const next = pending.get(offset);
      if (next === undefined) {
        throw new RecordingsError('READ_FAILED', `the neck sent chunks out of step at byte ${offset}`);
      }
      current = next;
    }
    await Promise.allSettled(pending.values());
    return bytes;
  }

  /**
   * Sends `bytes` (a recording file) to the neck to store for replay, one chunk at a time (each waits for the
   * neck's answer, which comes at its own pace); resolves with the id the neck gave it once it checked it.
   */
  async upload(bytes: Uint8Array, progress?: (progress: DownloadProgress) => void): Promise<string> {
    const name = `up-${Date.now().toString(36)}-${(nextId += 1)}`;
    for (let offset = 0; offset < bytes.length; offset += RECORDING_CHUNK_BYTES) {
      const data = toBase64(bytes.subarray(offset, offset + RECORDING_CHUNK_BYTES));
      const reply = await this.ask({ op: 'upload', recording: name, offset, data, totalBytes: bytes.length });
      const stored = reply.stored;
      const end = Math.min(bytes.length, offset + RECORDING_CHUNK_BYTES);
      if (!stored || stored.bytes !== end) {
        throw new RecordingsError('BAD_OFFSET', `the neck did not store the upload's bytes up to ${end}`);
      }
      progress?.({ bytes: stored.bytes, totalBytes: bytes.length });
      if (stored.recording !== undefined) return stored.recording;
    }
    throw new RecordingsError('BAD_UPLOAD', 'the neck stored the whole upload but gave it no id');
  }

  private async chunk(id: string, offset: number): Promise<{ data: Uint8Array; totalBytes: number }> {
    const reply = await this.ask({ op: 'get', recording: id, offset });
    if (!reply.chunk || reply.chunk.offset !== offset) {
      throw new RecordingsError('READ_FAILED', `the neck answered without the chunk at ${offset}`);
    }
    return { data: fromBase64(reply.chunk.data), totalBytes: reply.chunk.totalBytes };
  }

  private ask(request: Omit<RecordingsRequestDto, 'target' | 'id'>): Promise<RecordingsReplyDeliveryDto> {
    const id = `rec-${Date.now().toString(36)}-${(nextId += 1)}`;
    return new Promise((resolve, reject) => {
      const stops: (() => void)[] = [];
      const done = () => {
        clearTimeout(timer);
        for (const stop of stops) stop();
      };
      const timer = setTimeout(() => {
        done();
        reject(new RecordingsError('TIMEOUT', `the neck did not answer within ${this.timeoutMs / 1000} s`));
      }, this.timeoutMs);
      stops.push(
        this.client.on(Events.RecordingsReply, (payload) => {
          const checked = validatePayload(RecordingsReplyDeliveryDto, payload);
          if (!checked.ok || checked.value.id !== id) return;
          done();
          const { error } = checked.value;
          if (error) reject(new RecordingsError(error.code, error.message));
          else resolve(checked.value);
        }),
        this.client.on(Events.ErrorMessage, (error) => {
          if (error.id !== id) return;
          done();
          reject(new HubError(error.code, error.message, id));
        }),
      );
      if (!this.client.emit(Events.RecordingsRequest, { target: this.neckSid, id, ...request })) {
        done();
        reject(new RecordingsError('NOT_CONNECTED', 'not connected to the hub'));
      }
    });
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 1) binary += String.fromCharCode(bytes[i] ?? 0);
  return btoa(binary);
}

function fromBase64(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
