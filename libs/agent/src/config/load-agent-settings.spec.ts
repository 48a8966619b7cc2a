import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Asker, ConfigError, servingCertificate } from '@neck-signal/program-kit';
import { ScriptedAsker } from '../../../../test/support/scripted-asker';
import { defaultSerialCandidates } from './agent-settings';
import { loadAgentSettings } from './load-agent-settings';

describe('loadAgentSettings', () => {
  let dir: string;
  const context = (env: NodeJS.ProcessEnv = {}, asker?: Asker) => ({ env, asker, say: () => undefined });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'neck-agent-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('asks on a terminal only what nothing else answers (password, hub URL), names itself from the host, keeps it all', async () => {
    const asker = new ScriptedAsker(['hunter2', 'https://neck-signal.loca.lt/']);
    const settings = await loadAgentSettings({ configDir: dir }, context({}, asker));
    expect(asker.asked).toEqual([
      'Shared password (must match the hub)',
      'Hub URL (printed by the hub, e.g. https://neck-signal.loca.lt)',
    ]);
    expect(settings).toMatchObject({ serverUrl: 'https://neck-signal.loca.lt', password: 'hunter2' });
    expect(settings.uuid).toMatch(/^[a-z0-9-]+-neck-[0-9a-f]{4}$/);
    expect(JSON.parse(readFileSync(join(dir, 'agent.json'), 'utf8'))).toEqual({
      // Saved as it is used: without the trailing slash.
      server_url: 'https://neck-signal.loca.lt',
      uuid: settings.uuid,
    });
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    const again = new ScriptedAsker([]);
    expect((await loadAgentSettings({ configDir: dir }, context({}, again))).uuid).toBe(settings.uuid);
    expect(again.asked).toEqual([]);
  });

  it('without a terminal names the flag and the env var that are missing (exit 2)', async () => {
    await expect(loadAgentSettings({ configDir: dir }, context())).rejects.toThrow(/PEER_SHARED_SECRET/);
    const noUrl = loadAgentSettings({ configDir: dir }, context({ PEER_SHARED_SECRET: 'pw' }));
    await expect(noUrl).rejects.toThrow(ConfigError);
    await expect(loadAgentSettings({ configDir: dir }, context({ PEER_SHARED_SECRET: 'pw' }))).rejects.toThrow(
      'no hub URL: pass -s/--server-url URL or set NECK_HUB_URL',
    );
  });

  it('takes flags over env over agent.json, with the seed’s defaults', async () => {
    writeFileSync(
      join(dir, 'agent.json'),
      JSON.stringify({ server_url: 'http://saved:5000', uuid: 'robot-1', baud: 57600 }),
    );
    const env = { PEER_SHARED_SECRET: 'pw', NECK_HUB_URL: 'http://env:5000' };
    const fromEnv = await loadAgentSettings({ configDir: dir }, context(env));
    expect(fromEnv).toMatchObject({ serverUrl: 'http://env:5000', uuid: 'robot-1', statusIntervalMs: 10_000 });
    expect(fromEnv.serial).toMatchObject({ baudRate: 57600, simulate: false, path: undefined });
    // This platform's defaults (COM ports on Windows only).
    expect(fromEnv.serial.candidates).toEqual(defaultSerialCandidates());
    const flagged = await loadAgentSettings(
      {
        configDir: dir,
        serverUrl: 'http://flag:5001',
        uuid: 'other',
        serial: '/dev/ttyS5',
        baud: 9600,
        simulate: true,
      },
      context(env),
    );
    expect(flagged).toMatchObject({ serverUrl: 'http://flag:5001', uuid: 'other' });
    expect(flagged.serial).toMatchObject({ path: '/dev/ttyS5', baudRate: 9600, simulate: true });
  });

  it('once paired, needs no password, even without a terminal', async () => {
    const env = { NECK_HUB_URL: 'http://hub:5000' };
    const first = await loadAgentSettings(
      { configDir: dir, uuid: 'arm-1' },
      context({ ...env, PEER_SHARED_SECRET: 'pw' }),
    );
    first.deviceKeys?.save('key-id.key-secret');
    const paired = await loadAgentSettings({ configDir: dir, uuid: 'arm-1' }, context(env));
    expect(paired.password).toBeUndefined();
    expect(paired.uuid).toBe('arm-1');
    expect(paired.deviceKeys?.load()).toBe('key-id.key-secret');
    await expect(loadAgentSettings({ configDir: dir, uuid: 'arm-2' }, context(env))).rejects.toThrow(
      /PEER_SHARED_SECRET/,
    );
  });

  it('lets agent.json narrow the firmware limits, never widen them', async () => {
    const env = { PEER_SHARED_SECRET: 'pw', NECK_HUB_URL: 'http://h:5001' };
    writeFileSync(
      join(dir, 'agent.json'),
      JSON.stringify({ limits: { X: { min: -300, max: 300 }, H: { min: 0, max: 40 } } }),
    );
    expect((await loadAgentSettings({ configDir: dir }, context(env))).limits).toEqual({
      X: { min: -300, max: 300 },
      H: { min: 0, max: 40 },
    });
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ limits: { X: { min: -900, max: 300 } } }));
    await expect(loadAgentSettings({ configDir: dir }, context(env))).rejects.toThrow(
      /limits\.X must be \{"min": …, "max": …\} within the firmware's -700…700/,
    );
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ limits: { Q: { min: 0, max: 1 } } }));
    await expect(loadAgentSettings({ configDir: dir }, context(env))).rejects.toThrow(/limits\.Q is not a limit/);
    // S above 4.19 is refused by the stepper driver; narrowing from 0 keeps "above 0".
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ limits: { S: { min: 0, max: 5 } } }));
    await expect(loadAgentSettings({ configDir: dir }, context(env))).rejects.toThrow(
      /limits\.S must be \{"min": …, "max": …\} within the firmware's above 0…4\.19/,
    );
    writeFileSync(
      join(dir, 'agent.json'),
      JSON.stringify({ limits: { S: { min: 0, max: 2 }, A: { min: 0.5, max: 3 } } }),
    );
    expect((await loadAgentSettings({ configDir: dir }, context(env))).limits).toEqual({
      S: { min: 0, max: 2, minExclusive: true },
      A: { min: 0.5, max: 3 },
    });
  });
  // Adversary: a hub URL on a port fetch refuses; the old agent logged "unreachable (bad port)" for ever.
  it('refuses a hub URL on a bad port from the flag, the environment, .env or agent.json, naming the port', async () => {
    const env = { PEER_SHARED_SECRET: 'pw' };
    const badPort = /hub URL http:\/\/hub\.example:6000: port 6000 is a "bad port" .*; pick another, e\.g\. 6001/;
    await expect(
      loadAgentSettings({ configDir: dir, serverUrl: 'http://hub.example:6000' }, context(env)),
    ).rejects.toThrow(badPort);
    await expect(
      loadAgentSettings({ configDir: dir }, context({ ...env, NECK_HUB_URL: 'http://hub.example:6000' })),
    ).rejects.toThrow(ConfigError);
    writeFileSync(join(dir, '.env'), 'NECK_HUB_URL=http://hub.example:6000\n');
    await expect(loadAgentSettings({ configDir: dir }, context(env))).rejects.toThrow(badPort);
    rmSync(join(dir, '.env'));
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ server_url: 'http://hub.example:6000' }));
    await expect(loadAgentSettings({ configDir: dir }, context(env))).rejects.toThrow(badPort);
  });

  it('reads the hub certificate to trust from NECK_HUB_CA or agent.json hub_ca (relative to the config dir)', async () => {
    const { caPath, ca } = await servingCertificate(join(dir, 'hub'), []);
    const env = { PEER_SHARED_SECRET: 'pw', NECK_HUB_URL: 'https://192.168.1.23:5000' };
    expect((await loadAgentSettings({ configDir: dir }, context(env))).hubCa).toBeUndefined();
    const fromEnv = await loadAgentSettings({ configDir: dir }, context({ ...env, NECK_HUB_CA: caPath }));
    expect(fromEnv.hubCa).toEqual({ path: caPath, pem: ca });
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ hub_ca: 'hub/https-ca.pem' }));
    expect((await loadAgentSettings({ configDir: dir }, context(env))).hubCa?.pem).toBe(ca);
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ hub_ca: 'nowhere.pem' }));
    await expect(loadAgentSettings({ configDir: dir }, context(env))).rejects.toThrow(
      /cannot read the hub certificate .*nowhere\.pem \(hub_ca in .*agent\.json\)/,
    );
  });
});
