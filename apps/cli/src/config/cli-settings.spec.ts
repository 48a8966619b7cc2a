import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, servingCertificate } from '@neck-signal/program-kit';
import { ScriptedAsker, tempDir } from '../../test/cli-test-kit';
import { loadCliSettings } from './cli-settings';

describe('loadCliSettings', () => {
  let dir: { path: string; remove: () => void };
  const said: string[] = [];
  const context = (env: NodeJS.ProcessEnv = {}, asker?: ScriptedAsker) => ({
    env,
    ...(asker ? { asker } : {}),
    say: (message: string) => said.push(message),
  });
  const json = (file: string) => JSON.parse(readFileSync(join(dir.path, file), 'utf8')) as Record<string, unknown>;

  beforeEach(() => {
    dir = tempDir('neck-cli-config-');
    said.length = 0;
  });

  afterEach(() => dir.remove());

  it('asks on a first run at a terminal what nothing else answers, in the seed’s order, and saves the answers', async () => {
    const asker = new ScriptedAsker(['https://neck.example/', 'hunter2']);
    const settings = await loadCliSettings({ configDir: dir.path, uuid: 'my-laptop' }, context({}, asker));
    expect(asker.asked).toEqual([
      'Hub URL (printed by the hub, e.g. https://neck-signal.loca.lt)',
      'Shared password (must match the hub)',
    ]);
    expect(settings).toEqual({
      configDir: dir.path,
      serverUrl: 'https://neck.example',
      password: 'hunter2',
      uuid: 'my-laptop',
      deviceKeys: { load: expect.any(Function), save: expect.any(Function) },
      // No hub certificate given: the global fetch.
      fetch,
    });
    expect(settings.deviceKeys.load()).toBeUndefined();
    // Saved as it is used: without the trailing slash.
    // The uuid came from -u: not saved.
    expect(json('cli.json')).toEqual({ server_url: 'https://neck.example' });
    expect(readFileSync(join(dir.path, '.env'), 'utf8')).toBe('PEER_SHARED_SECRET=hunter2\n');
    expect(statSync(join(dir.path, '.env')).mode & 0o777).toBe(0o600);
    expect(said.join('\n')).not.toContain('hunter2');
  });

  it('names you from this host without asking, and asks nothing on the next run', async () => {
    const asker = new ScriptedAsker(['', 'pw']);
    const first = await loadCliSettings({ configDir: dir.path }, context({}, asker));
    expect(asker.asked).toHaveLength(2);
    expect(first.serverUrl).toBe('http://127.0.0.1:5000');
    expect(first.uuid).toMatch(/^[a-z0-9-]+-cli-[0-9a-f]{4}$/);
    const again = new ScriptedAsker();
    const second = await loadCliSettings({ configDir: dir.path }, context({}, again));
    expect(again.asked).toEqual([]);
    // The same settings (the device key file is a new object each time).
    expect({ ...second, deviceKeys: undefined }).toEqual({ ...first, deviceKeys: undefined });
  });

  it('once paired, needs no password, even without a terminal', async () => {
    const env = { NECK_HUB_URL: 'http://hub.example:5000' };
    const first = await loadCliSettings({ configDir: dir.path }, context({ ...env, PEER_SHARED_SECRET: 'pw' }));
    first.deviceKeys.save('key-id.key-secret');
    const paired = await loadCliSettings({ configDir: dir.path }, context(env));
    expect(paired.password).toBeUndefined();
    expect(paired.uuid).toBe(first.uuid);
    expect(paired.deviceKeys.load()).toBe('key-id.key-secret');
    // Another uuid of this config dir is not paired: it needs the password.
    await expect(loadCliSettings({ configDir: dir.path, uuid: 'other' }, context(env))).rejects.toThrow(
      /no shared password: set PEER_SHARED_SECRET/,
    );
  });

  it('without a terminal asks nothing and exits 2 naming PEER_SHARED_SECRET when there is no password', async () => {
    const attempt = loadCliSettings({ configDir: dir.path, serverUrl: 'http://127.0.0.1:1' }, context());
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(/no shared password: set PEER_SHARED_SECRET/);
    await expect(attempt).rejects.toMatchObject({ exitCode: 2 });
  });

  it('without a terminal names -s and NECK_HUB_URL when there is no hub URL', async () => {
    await expect(loadCliSettings({ configDir: dir.path }, context({ PEER_SHARED_SECRET: 'pw' }))).rejects.toThrow(
      /no hub URL: pass -s\/--server-url URL or set NECK_HUB_URL/,
    );
  });

  it('without a terminal makes up a uuid and keeps it in cli.json', async () => {
    const env = { PEER_SHARED_SECRET: 'pw', NECK_HUB_URL: 'http://hub.example:5000' };
    const first = await loadCliSettings({ configDir: dir.path }, context(env));
    expect(first).toMatchObject({ serverUrl: 'http://hub.example:5000', password: 'pw' });
    expect(json('cli.json')).toEqual({ uuid: first.uuid });
    expect((await loadCliSettings({ configDir: dir.path }, context(env))).uuid).toBe(first.uuid);
  });

  it('takes flags over the environment over .env and cli.json', async () => {
    writeFileSync(join(dir.path, '.env'), 'PEER_SHARED_SECRET=from-file\nNECK_HUB_URL=http://dotenv.example\n');
    writeFileSync(join(dir.path, 'cli.json'), JSON.stringify({ server_url: 'http://saved.example', uuid: 'saved' }));
    const fromFiles = await loadCliSettings({ configDir: dir.path }, context());
    expect(fromFiles).toMatchObject({ serverUrl: 'http://dotenv.example', password: 'from-file', uuid: 'saved' });
    const fromEnv = await loadCliSettings(
      { configDir: dir.path },
      context({ PEER_SHARED_SECRET: 'from-env', NECK_HUB_URL: 'http://env.example' }),
    );
    expect(fromEnv).toMatchObject({ serverUrl: 'http://env.example', password: 'from-env' });
    const fromFlags = await loadCliSettings(
      { configDir: dir.path, serverUrl: 'http://flag.example', uuid: 'flagged' },
      context({ NECK_HUB_URL: 'http://env.example' }),
    );
    expect(fromFlags).toMatchObject({ serverUrl: 'http://flag.example', uuid: 'flagged' });
    expect(json('cli.json')).toEqual({ server_url: 'http://saved.example', uuid: 'saved' });
  });

  it('finds the config dir through NECK_CONFIG_DIR', async () => {
    const settings = await loadCliSettings(
      {},
      context({ NECK_CONFIG_DIR: dir.path, PEER_SHARED_SECRET: 'pw', NECK_HUB_URL: 'http://h.example' }),
    );
    expect(settings.configDir).toBe(dir.path);
  });

  it.each([
    ['ftp://hub.example', /not an http\(s\) URL/],
    ['not a url', /not an http\(s\) URL/],
    ['http://hub.example:6000', /^hub URL http:\/\/hub\.example:6000: port 6000 is a "bad port" .*e\.g\. 6001$/],
  ])('refuses the hub URL %j', async (url, message) => {
    await expect(
      loadCliSettings({ configDir: dir.path, serverUrl: url }, context({ PEER_SHARED_SECRET: 'pw' })),
    ).rejects.toThrow(message);
  });

  it('refuses a uuid the hub would refuse, and a broken cli.json, naming the file', async () => {
    const env = { PEER_SHARED_SECRET: 'pw', NECK_HUB_URL: 'http://h.example' };
    await expect(loadCliSettings({ configDir: dir.path, uuid: 'two\nlines' }, context(env))).rejects.toThrow(
      /the hub would refuse uuid "two\\nlines": uuid must be printable text/,
    );
    // As the original hub: a uuid with a space is fine.
    expect((await loadCliSettings({ configDir: dir.path, uuid: 'robot neck' }, context(env))).uuid).toBe('robot neck');
    writeFileSync(join(dir.path, 'cli.json'), '{"uuid": 5}');
    await expect(loadCliSettings({ configDir: dir.path }, context(env))).rejects.toThrow(
      /cli\.json: uuid must be a string/,
    );
  });
  it('refuses a hub URL on a bad port from NECK_HUB_URL, .env or cli.json (exit 2), naming the port', async () => {
    const badPort = /hub URL http:\/\/hub\.example:6667: port 6667 is a "bad port"/;
    const env = { PEER_SHARED_SECRET: 'pw' };
    const fromEnv = loadCliSettings(
      { configDir: dir.path },
      context({ ...env, NECK_HUB_URL: 'http://hub.example:6667' }),
    );
    await expect(fromEnv).rejects.toThrow(ConfigError);
    writeFileSync(join(dir.path, '.env'), 'NECK_HUB_URL=http://hub.example:6667\n');
    await expect(loadCliSettings({ configDir: dir.path }, context(env))).rejects.toThrow(badPort);
    writeFileSync(join(dir.path, '.env'), '');
    writeFileSync(join(dir.path, 'cli.json'), JSON.stringify({ server_url: 'http://hub.example:6667' }));
    await expect(loadCliSettings({ configDir: dir.path }, context(env))).rejects.toThrow(badPort);
  });

  it('reads the hub certificate to trust from NECK_HUB_CA or cli.json hub_ca', async () => {
    const { caPath, ca } = await servingCertificate(join(dir.path, 'hub'), []);
    const env = { PEER_SHARED_SECRET: 'pw', NECK_HUB_URL: 'https://192.168.1.23:5000' };
    expect((await loadCliSettings({ configDir: dir.path }, context({ ...env, NECK_HUB_CA: caPath }))).hubCa).toEqual({
      path: caPath,
      pem: ca,
    });
    writeFileSync(join(dir.path, 'cli.json'), JSON.stringify({ hub_ca: 'hub/https-ca.pem' }));
    expect((await loadCliSettings({ configDir: dir.path }, context(env))).hubCa?.path).toBe(caPath);
    const flagged = await loadCliSettings({ configDir: dir.path, hubCa: caPath }, context(env));
    expect(flagged.hubCa?.pem).toBe(ca);
    // Its fetch trusts the hub's authority (and the public ones).
    expect(flagged.fetch).not.toBe(fetch);
  });
});
