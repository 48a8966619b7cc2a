import { Logger } from '@nestjs/common';
import type { HubClient } from '@neck-signal/hub-client';
import {
  Events,
  MAX_RECORDINGS_LISTED,
  RecordingErrorDto,
  RecordingsReplyDto,
  RecordingsRequestDeliveryDto,
  validatePayload,
} from '@neck-signal/protocol';
import { RecordingCatalog, UnknownRecordingError } from './recording-catalog';
import { RecordingUploads } from './recording-uploads';

/** What downloads (and uploads) may take of the agent's link, bytes per second (a 100 Hz pose stream must keep flowing). */
export const DEFAULT_DOWNLOAD_BYTES_PER_SECOND = 512 * 1024;

/**
 * Answers operators' `recordings` requests (relayed by the hub, which lets operators only ask): the list, a
 * chunk of one recording, or a chunk of a file sent for replay (stored by RecordingUploads). Requests are answered one at a time, in order, and chunks no faster than the rate.
 */
export class RecordingsResponder {
  private readonly logger = new Logger(RecordingsResponder.name);
  private chain: Promise<void> = Promise.resolve();
  /** When the uplink is free again for downloads (performance.now() ms). */
  private freeAt = 0;

  constructor(
    private readonly client: HubClient,
    /** Undefined when recording is off: every request is answered RECORDING_OFF. */
    private readonly catalog: RecordingCatalog | undefined,
    /** Files operators send for replay; undefined when recording is off. */
    private readonly uploads: RecordingUploads | undefined,
    private readonly bytesPerSecond = DEFAULT_DOWNLOAD_BYTES_PER_SECOND,
  ) {
    client.on(Events.RecordingsRequest, (payload) => {
      const checked = validatePayload(RecordingsRequestDeliveryDto, payload);
      if (!checked.ok) {
        this.logger.warn(`ignored a malformed recordings request: ${checked.message}`);
        return;
      }
      this.chain = this.chain.then(() => this.answer(checked.value));
    });
  }

  private async answer(request: RecordingsRequestDeliveryDto): Promise<void> {
    const reply = (answer: Omit<RecordingsReplyDto, 'to' | 'id'>) =>
      this.client.emit(Events.RecordingsReply, { to: request.from, id: request.id, ...answer });
    const fail = (error: RecordingErrorDto) => reply({ error });
    if (!this.catalog || !this.uploads) {
      fail({ code: 'RECORDING_OFF', message: 'this agent does not record (started with --record off)' });
      return;
    }
    try {
      if (request.op === 'list') {
        const all = await this.catalog.list();
        const list = all.slice(-MAX_RECORDINGS_LISTED);
        reply({ list, ...(all.length > list.length ? { more: all.length - list.length } : {}) });
        return;
      }
      if (request.recording === undefined) {
        fail({ code: 'UNKNOWN_RECORDING', message: `say which recording to ${request.op}` });
        return;
      }
      if (request.op === 'upload') {
        await this.store(request, this.uploads, request.recording);
        return;
      }
      const offset = request.offset ?? 0;
      const { data, totalBytes } = await this.catalog.chunk(request.recording, offset);
      if (offset > totalBytes) {
        fail({ code: 'BAD_OFFSET', message: `offset ${offset} is past the end (${totalBytes} bytes)` });
        return;
      }
      await this.pace(data.length);
      reply({ chunk: { offset, totalBytes, data: data.toString('base64') } });
    } catch (error) {
      if (error instanceof UnknownRecordingError) fail({ code: 'UNKNOWN_RECORDING', message: error.message });
      else {
        this.logger.warn(`could not read a recording: ${(error as Error).message}`);
        fail({ code: 'READ_FAILED', message: 'the agent could not read that recording' });
      }
    }
  }

  private async store(request: RecordingsRequestDeliveryDto, uploads: RecordingUploads, name: string): Promise<void> {
    const reply = (answer: Omit<RecordingsReplyDto, 'to' | 'id'>) =>
      this.client.emit(Events.RecordingsReply, { to: request.from, id: request.id, ...answer });
    if (request.data === undefined || request.totalBytes === undefined) {
      reply({ error: { code: 'BAD_UPLOAD', message: 'an upload chunk needs data and totalBytes' } });
      return;
    }
    const data = Buffer.from(request.data, 'base64');
    await this.pace(data.length);
    reply(
      await uploads.store({
        from: request.from,
        name,
        offset: request.offset ?? 0,
        totalBytes: request.totalBytes,
        data,
      }),
    );
  }

  /** Waits until `bytes` more fit the rate. */
  private async pace(bytes: number): Promise<void> {
    const now = performance.now();
    this.freeAt = Math.max(this.freeAt, now) + (bytes / this.bytesPerSecond) * 1000;
    const wait = this.freeAt - now - (bytes / this.bytesPerSecond) * 1000;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
