import { McapStreamReader } from '@mcap/core';
import { parseNeckCommand } from '@neck-signal/protocol';
import { RECORDING_CHANNELS } from './recording-channels';

/** A line written, `atMs` after the recording's first write (what a replay plays). */
export interface RecordedWrite {
  readonly atMs: number;
  readonly line: string;
}

export type RecordingCheck =
  { readonly ok: true; readonly writes: RecordedWrite[] } | { readonly ok: false; readonly message: string };

/**
 * Whether `bytes` are a whole recording of ours that a replay can play: an MCAP file read to its end with valid
 * CRCs, holding our write channel (topic and schema) and at least one line written, each in the firmware's grammar.
 * Checked by the CLI before an upload and by the agent again on the file it stored.
 */
export function checkRecording(bytes: Uint8Array): RecordingCheck {
  const reader = new McapStreamReader({ validateCrcs: true });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const { topic, schema } = RECORDING_CHANNELS.write;
  const schemas = new Map<number, string>();
  let channelId: number | undefined;
  let start: bigint | undefined;
  const writes: RecordedWrite[] = [];
  try {
    reader.append(bytes);
    for (let record = reader.nextRecord(); record; record = reader.nextRecord()) {
      if (record.type === 'Schema') schemas.set(record.id, record.name);
      if (record.type === 'Channel' && record.topic === topic && schemas.get(record.schemaId) === schema) {
        channelId = record.id;
      }
      if (record.type !== 'Message' || record.channelId !== channelId) continue;
      const { line } = JSON.parse(decoder.decode(record.data)) as { line?: unknown };
      if (typeof line !== 'string') return { ok: false, message: `a ${topic} message holds no line` };
      const parsed = parseNeckCommand(line);
      if (!parsed.ok)
        return { ok: false, message: `${JSON.stringify(line)} is no firmware line: ${parsed.error.message}` };
      start ??= record.logTime;
      writes.push({ atMs: Number(record.logTime - start) / 1e6, line });
    }
  } catch (error) {
    return { ok: false, message: `not a readable MCAP file: ${(error as Error).message}` };
  }
  if (!reader.done()) return { ok: false, message: 'the MCAP file is cut short (no footer)' };
  if (channelId === undefined) return { ok: false, message: `no ${topic} channel with schema ${schema}` };
  if (writes.length === 0) return { ok: false, message: `no line on ${topic}: nothing to replay` };
  return { ok: true, writes };
}
