import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McapWriter, TempBuffer } from '@mcap/core';
import { RECORDING_CHANNELS } from './recording-channels';
import { RecordingUploads, UploadChunk } from './recording-uploads';

const encoder = new TextEncoder();

async function recording(lines: string[]): Promise<Buffer> {
  const buffer = new TempBuffer();
  const writer = new McapWriter({ writable: buffer });
  await writer.start({ profile: '', library: 'test' });
  const { topic, schema } = RECORDING_CHANNELS.write;
  const schemaId = await writer.registerSchema({ name: schema, encoding: 'jsonschema', data: encoder.encode('{}') });
  const channelId = await writer.registerChannel({ schemaId, topic, messageEncoding: 'json', metadata: new Map() });
  for (const [i, line] of lines.entries()) {
    const time = BigInt(1_000_000_000 + i * 20_000_000);
    const data = encoder.encode(JSON.stringify({ line }));
    await writer.addMessage({ channelId, sequence: i, logTime: time, publishTime: time, data });
  }
  await writer.end();
  return Buffer.from(buffer.get());
}

/** `bytes` cut in chunks of `size`, as an upload from `from` named `name`. */
function chunks(bytes: Buffer, size: number, from = 'sid-a', name = 'up-1'): UploadChunk[] {
  const all: UploadChunk[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) {
    all.push({ from, name, offset, totalBytes: bytes.length, data: bytes.subarray(offset, offset + size) });
  }
  return all;
}

describe('RecordingUploads (files operators send for replay)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'neck-uploads-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores a whole recording as <time>-upload.mcap, byte for byte', async () => {
    const bytes = await recording(['X10,Y0', 'X20,Y0']);
    const uploads = new RecordingUploads(dir, 1024 ** 2);
    let last;
    for (const chunk of chunks(bytes, 100)) last = await uploads.store(chunk);
    expect(last).toMatchObject({ stored: { bytes: bytes.length, totalBytes: bytes.length } });
    const id = last && 'stored' in last ? last.stored.recording : undefined;
    expect(id).toMatch(/-upload$/);
    expect(readdirSync(dir)).toEqual([`${id}.mcap`]);
    expect(readFileSync(join(dir, `${id}.mcap`)).equals(bytes)).toBe(true);
  });

  // Adversary: a client that skips a chunk, repeats one, lies about the size, or interleaves another upload.
  it('refuses chunks out of step and sizes past the limit; a bad file leaves nothing behind', async () => {
    const bytes = await recording(['X10,Y0', 'X20,Y0']);
    const uploads = new RecordingUploads(dir, bytes.length - 1);
    const [first, second, third] = chunks(bytes, 100);
    expect(await uploads.store(first)).toMatchObject({ error: { code: 'TOO_LARGE' } });

    const roomy = new RecordingUploads(dir, 1024 ** 2);
    expect(await roomy.store(first)).toMatchObject({ stored: { bytes: 100 } });
    expect(await roomy.store(third)).toMatchObject({ error: { code: 'BAD_OFFSET' } });
    expect(await roomy.store({ ...second, from: 'sid-b' })).toMatchObject({ error: { code: 'BAD_OFFSET' } });
    expect(await roomy.store({ ...second, totalBytes: bytes.length + 1 })).toMatchObject({
      error: { code: 'BAD_UPLOAD' },
    });
    expect(readdirSync(dir)).toEqual([]);

    const garbage = Buffer.from('\x89MCAP0\r\n'.padEnd(300, 'x'));
    let last;
    for (const chunk of chunks(garbage, 100)) last = await roomy.store(chunk);
    expect(last).toMatchObject({ error: { code: 'BAD_UPLOAD', message: /not a recording to replay/ } });
    expect(readdirSync(dir)).toEqual([]);
  });
});
