import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEVICES_FILE, FileDeviceStore, newDeviceKey, secretMatches, splitDeviceKey } from './device-store';

describe('device keys', () => {
  it('are <key id>.<secret>; the entry keeps a hash of the secret, never the secret', () => {
    const { key, entry } = newDeviceKey('arm-1', 'neck', 1000);
    const parts = splitDeviceKey(key);
    expect(parts).toBeDefined();
    expect(parts?.keyId).toBe(entry.keyId);
    expect(parts?.secret.length).toBeGreaterThanOrEqual(43);
    expect(JSON.stringify(entry)).not.toContain(parts?.secret);
    expect(entry).toMatchObject({ uuid: 'arm-1', role: 'neck', pairedAt: 1000, lastUsedAt: null });
    expect(secretMatches(entry, parts?.secret ?? '')).toBe(true);
    expect(secretMatches(entry, `${parts?.secret ?? ''}x`)).toBe(false);
    expect(newDeviceKey('arm-1', 'neck', 1000).key).not.toBe(key);
  });

  it.each(['', 'no-dot', '.secret', 'id.', 'id'])('refuse the malformed key %j', (key) => {
    expect(splitDeviceKey(key)).toBeUndefined();
  });
});

describe('FileDeviceStore', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'neck-devices-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps keys in devices.json (0600) across restarts, and revokes one device or all', async () => {
    const store = new FileDeviceStore(dir);
    const laptop = newDeviceKey('laptop', 'ui', 1000);
    const laptopTab = newDeviceKey('laptop', 'ui', 1500);
    const neck = newDeviceKey('arm-1', 'neck', 2000);
    for (const { entry } of [laptop, laptopTab, neck]) await store.add(entry);
    await store.touch(neck.entry.keyId, 3000);
    expect(statSync(join(dir, DEVICES_FILE)).mode & 0o777).toBe(0o600);

    const reopened = new FileDeviceStore(dir);
    expect(await reopened.get(neck.entry.keyId)).toMatchObject({ uuid: 'arm-1', lastUsedAt: 3000 });
    expect(await reopened.all()).toHaveLength(3);
    expect(await reopened.revokedAt('laptop')).toBe(0);

    expect(await reopened.revoke('laptop', 4000)).toBe(2);
    expect(await reopened.get(laptop.entry.keyId)).toBeUndefined();
    expect(await reopened.revokedAt('laptop')).toBe(4000);
    expect(await reopened.revokedAt('arm-1')).toBe(0);

    expect(await reopened.revokeAll(5000)).toBe(1);
    expect(await reopened.all()).toEqual([]);
    expect(await reopened.revokedAt('arm-1')).toBe(5000);
    expect(await new FileDeviceStore(dir).revokedAt('anyone')).toBe(5000);
    expect(readFileSync(join(dir, DEVICES_FILE), 'utf8')).not.toContain(neck.key.split('.')[1]);
  });

  it('names devices.json when it is broken, and what deleting it means', () => {
    writeFileSync(join(dir, DEVICES_FILE), '{broken');
    expect(() => new FileDeviceStore(dir)).toThrow(
      /devices\.json cannot be read .*fix or delete it \(devices pair again\)/,
    );
  });
});
