import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { DEVICE_KEYS_FILE, deviceKeyFile } from './device-keys';
import { removeLeftoverTempFiles } from './files';

describe('deviceKeyFile', () => {
  let dir: string;
  const path = () => join(dir, DEVICE_KEYS_FILE);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'neck-device-keys-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps one key per program and uuid in device-keys.json, mode 0600, and forgets one on request', () => {
    const agent = deviceKeyFile(dir, 'agent', 'neck-1');
    const cli = deviceKeyFile(dir, 'cli', 'laptop');
    expect(agent.load()).toBeUndefined();

    agent.save('id1.secret-one');
    cli.save('id2.secret-two');
    expect(agent.load()).toBe('id1.secret-one');
    expect(cli.load()).toBe('id2.secret-two');
    expect(deviceKeyFile(dir, 'agent', 'neck-2').load()).toBeUndefined();
    expect(JSON.parse(readFileSync(path(), 'utf8'))).toEqual({
      'agent:neck-1': 'id1.secret-one',
      'cli:laptop': 'id2.secret-two',
    });
    expect(statSync(path()).mode & 0o777).toBe(0o600);

    agent.save(undefined);
    expect(agent.load()).toBeUndefined();
    expect(cli.load()).toBe('id2.secret-two');
    expect(readdirSync(dir)).toEqual([DEVICE_KEYS_FILE]);
  });

  it('names the file when it is broken', () => {
    writeFileSync(path(), '{broken');
    const keys = deviceKeyFile(dir, 'agent', 'neck-1');
    expect(() => keys.load()).toThrow(ConfigError);
    expect(() => keys.load()).toThrow(/device-keys\.json is not valid JSON/);
  });

  it('ignores entries that are not keys', () => {
    writeFileSync(path(), JSON.stringify({ 'agent:neck-1': 42, 'cli:laptop': '' }));
    expect(deviceKeyFile(dir, 'agent', 'neck-1').load()).toBeUndefined();
    expect(deviceKeyFile(dir, 'cli', 'laptop').load()).toBeUndefined();
  });
});

describe('removeLeftoverTempFiles', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'neck-leftovers-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('removes what killed atomic writes left (name.json.NNN, .env.NNN) and nothing else', () => {
    const leftovers = ['agent.json.3862719', 'cli.json.1', 'device-keys.json.99', '.env.12345'];
    const kept = ['agent.json', '.env', 'agent.json.bak', 'photo.json.1', 'agent.json.1x'];
    for (const name of [...leftovers, ...kept]) writeFileSync(join(dir, name), 'x');

    expect(removeLeftoverTempFiles(dir).sort()).toEqual([...leftovers].sort());
    expect(readdirSync(dir).sort()).toEqual([...kept].sort());
  });

  it('does nothing when the config dir does not exist yet', () => {
    expect(removeLeftoverTempFiles(join(dir, 'missing'))).toEqual([]);
  });
});
