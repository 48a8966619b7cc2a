import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Program } from './support/program';

describe('neck-hub as a program (no terminal)', () => {
  let dir: string;
  let hub: Program | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'neck-hub-proc-'));
  });

  afterEach(async () => {
    await hub?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = (extra: NodeJS.ProcessEnv = {}) => ({
    PEER_SHARED_SECRET: '',
    JWT_SECRET: '',
    NECK_CONFIG_DIR: dir,
    ...extra,
  });

  it('exits 2 naming PEER_SHARED_SECRET when there is no password', async () => {
    hub = Program.start('hub', ['--port', '0', '--no-tunnel'], env());
    expect(await hub.exit()).toEqual({ code: 2, signal: null });
    expect(hub.output.join('\n')).toMatch(/no shared password: set PEER_SHARED_SECRET/);
  });

  it('exits 2 for a JWT_SECRET shorter than 32 bytes', async () => {
    hub = Program.start(
      'hub',
      ['--port', '0', '--no-tunnel'],
      env({ PEER_SHARED_SECRET: 'pw', JWT_SECRET: 'too-short' }),
    );
    expect(await hub.exit()).toEqual({ code: 2, signal: null });
    expect(hub.output.join('\n')).toMatch(/JWT_SECRET is 9 bytes; it must be at least 32/);
  });

  it('starts from env alone, writes hub.json and a 0600 .env with a generated JWT secret, and serves logins', async () => {
    hub = Program.start(
      'hub',
      ['--port', '0', '--host', '127.0.0.1', '--no-tunnel'],
      env({ PEER_SHARED_SECRET: 'pw-from-env' }),
    );
    const [, url] = await hub.waitFor(/listening on (http:\/\/\S+)/);
    expect(JSON.parse(readFileSync(join(dir, 'hub.json'), 'utf8'))).toEqual({ cors_origins: '*' });
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    const dotenv = readFileSync(join(dir, '.env'), 'utf8');
    expect(dotenv).toMatch(/^JWT_SECRET=[0-9a-f]{96}$/m);
    expect(dotenv).not.toContain('pw-from-env');
    const login = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'pw-from-env' }),
    });
    expect(login.status).toBe(200);
    expect(await hub.stop()).toEqual({ code: 0, signal: null });
    expect(hub.output.join('\n')).not.toContain('pw-from-env');
  });

  it('--config-dir wins over NECK_CONFIG_DIR', async () => {
    const other = mkdtempSync(join(tmpdir(), 'neck-hub-flag-'));
    try {
      hub = Program.start(
        'hub',
        ['--port', '0', '--no-tunnel', '--config-dir', other],
        env({ PEER_SHARED_SECRET: 'pw' }),
      );
      await hub.waitFor(/listening on/);
      expect(statSync(join(other, 'hub.json')).isFile()).toBe(true);
      expect(() => statSync(join(dir, 'hub.json'))).toThrow(/ENOENT/);
      expect(await hub.stop()).toEqual({ code: 0, signal: null });
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
