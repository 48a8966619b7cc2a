import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Asker, ConfigError } from '@neck-signal/program-kit';
import { ScriptedAsker } from '../../../../test/support/scripted-asker';
import { HubFlags } from './hub-flags';
import { loadHubSettings, parseCors } from './load-hub-settings';

describe('loadHubSettings', () => {
  let dir: string;
  const said: string[] = [];
  const flags = (extra: Partial<HubFlags> = {}): HubFlags => ({ tunnel: true, configDir: dir, ...extra });
  const context = (env: NodeJS.ProcessEnv = {}, asker?: Asker) => ({ env, asker, say: (m: string) => said.push(m) });
  const json = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
  const mode = (file: string) => statSync(join(dir, file)).mode & 0o777;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'neck-hub-config-'));
    said.length = 0;
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('asks the seed’s three questions on a first run at a terminal, and saves the answers', async () => {
    const asker = new ScriptedAsker(['https://a.example, https://b.example', 'neck-signal', 'hunter2']);
    const settings = await loadHubSettings(flags(), context({}, asker));
    expect(asker.asked).toEqual([
      'CORS origins (* or comma-separated URLs)',
      'LocalTunnel subdomain (blank for a random one)',
      'Shared password (blank for a random one)',
    ]);
    expect(settings.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(settings.tunnel.subdomain).toBe('neck-signal');
    expect(settings.auth.sharedSecret).toBe('hunter2');
    expect(json('hub.json')).toEqual({
      cors_origins: 'https://a.example, https://b.example',
      subdomain: 'neck-signal',
    });
    const env = readFileSync(join(dir, '.env'), 'utf8');
    expect(env).toContain('PEER_SHARED_SECRET=hunter2');
    expect(env).toMatch(/JWT_SECRET=[0-9a-f]{96}/);
    expect(mode('.env')).toBe(0o600);
    expect(said.join('\n')).not.toContain('hunter2');
  });

  it('makes up a password when the answer is blank and shows it once', async () => {
    const settings = await loadHubSettings(flags(), context({}, new ScriptedAsker(['', '', ''])));
    expect(settings.auth.sharedSecret).toMatch(/^[0-9a-f]{4}(-[0-9a-f]{4}){3}$/);
    expect(said.filter((line) => line.includes(settings.auth.sharedSecret))).toHaveLength(1);
    expect(settings.corsOrigins).toBe('*');
    expect(settings.tunnel.subdomain).toBeUndefined();
  });

  it('asks nothing on a second run', async () => {
    await loadHubSettings(flags(), context({}, new ScriptedAsker(['*', '', 'hunter2'])));
    const again = new ScriptedAsker([]);
    const settings = await loadHubSettings(flags(), context({}, again));
    expect(again.asked).toEqual([]);
    expect(settings.auth.sharedSecret).toBe('hunter2');
  });

  it('without a terminal asks nothing and refuses to start without a password, naming PEER_SHARED_SECRET', async () => {
    const attempt = loadHubSettings(flags(), context());
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(loadHubSettings(flags(), context())).rejects.toThrow(/PEER_SHARED_SECRET/);
    // Refused before anything was written: the next run on a terminal is still a first run.
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes the temp files interrupted atomic writes left, and only those', async () => {
    for (const name of ['hub.json.123456789', '.env.42', 'devices.json.7', 'notes.json.1', 'hub.json.bak']) {
      writeFileSync(join(dir, name), 'x');
    }
    await loadHubSettings(flags(), context({ PEER_SHARED_SECRET: 'x' }));
    expect(readdirSync(dir).sort()).toEqual(['.env', 'hub.json', 'hub.json.bak', 'notes.json.1']);
  });

  it('reads the access limits from hub.json, with defaults', async () => {
    const env = { PEER_SHARED_SECRET: 'x' };
    const defaults = await loadHubSettings(flags(), context(env));
    expect(defaults.auth).toMatchObject({
      tokenLifetimeSeconds: 12 * 60 * 60,
      maxFailedLogins: 5,
      failedLoginWindowSeconds: 900,
      maxFailedLoginsPerMinute: 300,
    });
    expect(defaults.socket).toMatchObject({ handshakeTimeoutMs: 3000, maxUnauthenticated: 1000 });
    writeFileSync(
      join(dir, 'hub.json'),
      JSON.stringify({
        cors_origins: '*',
        max_failed_logins: 3,
        failed_login_window_seconds: 60,
        max_failed_logins_per_minute: 50,
        handshake_timeout_ms: 5000,
        max_unauthenticated: 200,
      }),
    );
    const saved = await loadHubSettings(flags(), context(env));
    expect(saved.auth).toMatchObject({
      maxFailedLogins: 3,
      failedLoginWindowSeconds: 60,
      maxFailedLoginsPerMinute: 50,
    });
    expect(saved.socket).toMatchObject({ handshakeTimeoutMs: 5000, maxUnauthenticated: 200 });
  });

  it('caps sockets per uuid at 16 and paired devices at 1000 unless hub.json or a flag says otherwise', async () => {
    const env = { PEER_SHARED_SECRET: 'x' };
    const defaults = await loadHubSettings(flags(), context(env));
    expect(defaults.socket.maxSocketsPerUuid).toBe(16);
    expect(defaults.auth.maxPairedDevices).toBe(1000);
    writeFileSync(join(dir, 'hub.json'), JSON.stringify({ max_sockets_per_uuid: 4, max_paired_devices: 50 }));
    const saved = await loadHubSettings(flags(), context(env));
    expect([saved.socket.maxSocketsPerUuid, saved.auth.maxPairedDevices]).toEqual([4, 50]);
    const flagged = await loadHubSettings(flags({ maxSocketsPerUuid: 2, maxPairedDevices: 7 }), context(env));
    expect([flagged.socket.maxSocketsPerUuid, flagged.auth.maxPairedDevices]).toEqual([2, 7]);
  });

  it('takes the password from the environment before .env, and generates a JWT secret once', async () => {
    writeFileSync(join(dir, '.env'), 'PEER_SHARED_SECRET=from-file\n', { mode: 0o644 });
    const first = await loadHubSettings(flags(), context({ PEER_SHARED_SECRET: 'from-env' }));
    expect(first.auth.sharedSecret).toBe('from-env');
    expect(mode('.env')).toBe(0o600);
    const second = await loadHubSettings(flags(), context());
    expect(second.auth.sharedSecret).toBe('from-file');
    expect(second.auth.jwtSecret).toBe(first.auth.jwtSecret);
    expect(Buffer.byteLength(first.auth.jwtSecret)).toBeGreaterThanOrEqual(32);
  });

  it('refuses a JWT secret shorter than 32 bytes and says how to fix it', async () => {
    const attempt = loadHubSettings(flags(), context({ PEER_SHARED_SECRET: 'x', JWT_SECRET: 'short' }));
    await expect(attempt).rejects.toThrow(/JWT_SECRET is 5 bytes; it must be at least 32.*openssl rand -hex 32/);
  });

  it('lets flags override hub.json, and hub.json override defaults', async () => {
    writeFileSync(
      join(dir, 'hub.json'),
      JSON.stringify({
        port: 6001,
        cors_origins: 'https://x.example',
        subdomain: 'saved',
        heartbeat_interval_ms: 1000,
      }),
    );
    const env = { PEER_SHARED_SECRET: 'x' };
    const saved = await loadHubSettings(flags(), context(env));
    expect(saved).toMatchObject({ port: 6001, host: '0.0.0.0', corsOrigins: ['https://x.example'] });
    expect(saved.tunnel).toMatchObject({
      enabled: true,
      subdomain: 'saved',
      heartbeatIntervalMs: 1000,
      maxHeartbeatFailures: 5,
    });
    const flagged = await loadHubSettings(
      flags({ port: 7000, subdomain: 'mytest', tunnel: false, cors: '*', host: '127.0.0.1' }),
      context(env),
    );
    expect(flagged).toMatchObject({ port: 7000, host: '127.0.0.1', corsOrigins: '*' });
    expect(flagged.tunnel).toMatchObject({ enabled: false, subdomain: 'mytest' });
  });

  // Adversary: a port that listens fine but that no browser, agent or CLI can connect to (fetch's "bad ports").
  it('refuses a bad port in hub.json, naming the file, the port and one to pick instead', async () => {
    writeFileSync(join(dir, 'hub.json'), JSON.stringify({ cors_origins: '*', port: 6000 }));
    const attempt = loadHubSettings(flags(), context({ PEER_SHARED_SECRET: 'x' }));
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(loadHubSettings(flags(), context({ PEER_SHARED_SECRET: 'x' }))).rejects.toThrow(
      `${join(dir, 'hub.json')}: port 6000 is a "bad port"`,
    );
    // The flag (checked by its parser) wins over the file.
    expect((await loadHubSettings(flags({ port: 5001 }), context({ PEER_SHARED_SECRET: 'x' }))).port).toBe(5001);
  });

  it('with https makes the certificate in the config dir (keys 0600), says so, and keeps the tunnel off', async () => {
    const settings = await loadHubSettings(flags({ https: true }), context({ PEER_SHARED_SECRET: 'x' }));
    expect(settings.https?.caPath).toBe(join(dir, 'https-ca.pem'));
    expect(mode('https-key.pem')).toBe(0o600);
    expect(mode('https-ca-key.pem')).toBe(0o600);
    expect(settings.tunnel.enabled).toBe(false);
    expect(said).toEqual(
      expect.arrayContaining([
        `made ${join(dir, 'https-ca.pem')} (there was none)`,
        `made ${join(dir, 'https-cert.pem')} (there was none)`,
      ]),
    );
    said.length = 0;
    const again = await loadHubSettings(flags(), context({ PEER_SHARED_SECRET: 'x' }));
    expect(again.https).toBeUndefined();
    writeFileSync(join(dir, 'hub.json'), JSON.stringify({ cors_origins: '*', https: true }));
    const saved = await loadHubSettings(flags(), context({ PEER_SHARED_SECRET: 'x' }));
    expect(saved.https?.ca).toBe(settings.https?.ca);
    expect(said.filter((line) => line.startsWith('made '))).toEqual([]);
  });

  it('names hub.json when it is broken', async () => {
    writeFileSync(join(dir, 'hub.json'), '{"port": "many"}');
    await expect(loadHubSettings(flags(), context({ PEER_SHARED_SECRET: 'x' }))).rejects.toThrow(
      /hub\.json: port must be an integer number/,
    );
    writeFileSync(join(dir, 'hub.json'), '{oops');
    await expect(loadHubSettings(flags(), context({ PEER_SHARED_SECRET: 'x' }))).rejects.toThrow(
      /hub\.json is not valid JSON/,
    );
  });

  it.each([
    ['*', '*'],
    ['', '*'],
    ['https://a, *', '*'],
    [' https://a ,https://b ', ['https://a', 'https://b']],
  ])('parses CORS %j', (value, expected) => {
    expect(parseCors(value)).toEqual(expected);
  });
});
