import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMcap } from '../../../../test/support/mcap';
import { McapFile } from './mcap-file';

describe('McapFile (messages encoded in batches, off the command path)', () => {
  let dir: string;
  let file: McapFile | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcap-file-'));
  });

  afterEach(async () => {
    await file?.close();
    file = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  // Adversary: a caller that changes nothing after add() but reads the file at once (settled, then close).
  it('holds every message added before settled() and close(), in order', async () => {
    const path = join(dir, 'a.mcap');
    file = await McapFile.create(path, { uuid: 'u' }, 1024);
    for (let i = 0; i < 50; i++) file.add('write', BigInt(i + 1), { line: `X${i}`, bytes: 3 });
    file.add('ack', 100n, { command: 'X49', status: 'written' });
    await file.settled();
    file.addMetadata('firmware', { health: 'HEALTH OK' });
    file.add('write', 101n, { line: 'HOME', bytes: 5 });
    await file.close();
    file = undefined;

    const contents = readMcap(path);
    expect(contents.complete).toBe(true);
    const writes = contents.messages.get('/neck/write') ?? [];
    expect(writes.map((m) => m.data.line)).toEqual([...Array.from({ length: 50 }, (_, i) => `X${i}`), 'HOME']);
    expect(writes.map((m) => m.logTime)).toEqual([...Array.from({ length: 50 }, (_, i) => BigInt(i + 1)), 101n]);
    expect((contents.messages.get('/neck/ack') ?? []).map((m) => m.data.status)).toEqual(['written']);
    expect(contents.metadata.get('firmware')?.get('health')).toBe('HEALTH OK');
  });

  // Adversary: a burst far larger than the writer can take at once (a disk that stalls, a flood of lines).
  it('drops and counts what passes the bound of messages waiting, and keeps the rest', async () => {
    const path = join(dir, 'b.mcap');
    file = await McapFile.create(path, { uuid: 'u' }, 64 * 1024);
    for (let i = 0; i < 5_010; i++) file.add('write', BigInt(i + 1), { line: `X${i}`, bytes: 3 });
    expect(file.dropped).toBe(10);
    await file.close();
    file = undefined;
    expect(readMcap(path).messages.get('/neck/write')).toHaveLength(5_000);
  });
});
