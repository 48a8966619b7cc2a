import { readFileSync, readdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { McapIndexedReader, McapStreamReader, McapTypes } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';

/** What a recording holds, read record by record with @mcap/core's stream reader (works on a cut file too). */
export interface McapContents {
  schemas: Map<number, McapTypes.Schema>;
  channels: Map<number, McapTypes.Channel>;
  /** Messages by topic, their JSON parsed, with their log time (ns). */
  messages: Map<string, { logTime: bigint; data: Record<string, unknown> }[]>;
  metadata: Map<string, Map<string, string>>;
  chunks: number;
  /** Whether the reader reached the footer (false: the file was cut, as by a kill -9). */
  complete: boolean;
}

export function readMcap(path: string): McapContents {
  const reader = new McapStreamReader({ validateCrcs: true, includeChunks: true });
  reader.append(readFileSync(path));
  const contents: McapContents = {
    schemas: new Map(),
    channels: new Map(),
    messages: new Map(),
    metadata: new Map(),
    chunks: 0,
    complete: false,
  };
  const decoder = new TextDecoder();
  for (let record = reader.nextRecord(); record; record = reader.nextRecord()) {
    if (record.type === 'Schema') contents.schemas.set(record.id, record);
    else if (record.type === 'Channel') contents.channels.set(record.id, record);
    else if (record.type === 'Metadata') contents.metadata.set(record.name, record.metadata);
    else if (record.type === 'Chunk') contents.chunks += 1;
    else if (record.type === 'Message') {
      const topic = contents.channels.get(record.channelId)?.topic ?? '?';
      const list = contents.messages.get(topic) ?? [];
      list.push({ logTime: record.logTime, data: JSON.parse(decoder.decode(record.data)) as Record<string, unknown> });
      contents.messages.set(topic, list);
    } else if (record.type === 'Footer') contents.complete = true;
  }
  contents.complete &&= reader.done();
  return contents;
}

/** The indexed reader's view of a finished file: its statistics and chunk indexes (what Foxglove seeks with). */
export async function readSummary(path: string): Promise<McapIndexedReader> {
  const handle = await open(path, 'r');
  try {
    return await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle) });
  } finally {
    await handle.close();
  }
}

/** The .mcap files in a directory, oldest first. */
export function mcapFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.mcap'))
    .sort()
    .map((name) => join(dir, name));
}
