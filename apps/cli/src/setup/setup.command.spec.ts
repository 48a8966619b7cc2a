import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAgentSettings } from '@neck-signal/agent';
import { loadHubSettings } from '@neck-signal/hub';
import { ScriptedAsker, TestContext, runCli, tempDir } from '../../test/cli-test-kit';
import { loadCliSettings } from '../config/cli-settings';

describe('neck setup', () => {
  let dir: { path: string; remove: () => void };
  const terminal = () => new TestContext({ NECK_CONFIG_DIR: dir.path }, true);
  const read = (file: string) => readFileSync(join(dir.path, file), 'utf8');
  const json = (file: string) => JSON.parse(read(file)) as Record<string, unknown>;
  const quiet = { say: () => undefined };

  beforeEach(() => {
    dir = tempDir('neck-setup-');
  });

  afterEach(() => dir.remove());

  it('cli: asks hub URL, password and uuid, and neck repl then reads them without asking', async () => {
    const asker = new ScriptedAsker(['https://neck.example', 'hunter2', 'laptop']);
    const output = await runCli(['setup', 'cli'], { context: terminal(), asker });
    expect(output.code).toBe(0);
    expect(asker.asked).toEqual([
      'Hub URL (printed by the hub, e.g. https://neck-signal.loca.lt)',
      'Shared password (must match the hub)',
      'UUID for you (your name on the hub)',
    ]);
    expect(json('cli.json')).toEqual({ server_url: 'https://neck.example', uuid: 'laptop' });
    const settings = await loadCliSettings({ configDir: dir.path }, { env: {}, ...quiet });
    expect(settings).toMatchObject({ serverUrl: 'https://neck.example', password: 'hunter2', uuid: 'laptop' });
  });

  it('cli: offers the saved answers again; a blank password keeps the saved one', async () => {
    await runCli(['setup', 'cli'], {
      context: terminal(),
      asker: new ScriptedAsker(['https://a.example', 'pw1', 'me']),
    });
    const again = await runCli(['setup', 'cli'], { context: terminal(), asker: new ScriptedAsker(['', '', '']) });
    expect(again.lines).toContain(`kept the shared password in ${join(dir.path, '.env')}`);
    expect(json('cli.json')).toEqual({ server_url: 'https://a.example', uuid: 'me' });
    expect(read('.env')).toBe('PEER_SHARED_SECRET=pw1\n');
  });

  it('agent: asks as neck-agent does and writes agent.json, keeping its other keys', async () => {
    writeFileSync(join(dir.path, 'agent.json'), JSON.stringify({ serial: '/dev/ttyUSB3', baud: 57600 }));
    const asker = new ScriptedAsker(['s3cret', 'http://hub.example:5000', 'robot-1']);
    const output = await runCli(['setup', 'agent'], { context: terminal(), asker });
    expect(output.code).toBe(0);
    expect(asker.asked[0]).toBe('Shared password (must match the hub)');
    expect(json('agent.json')).toEqual({
      serial: '/dev/ttyUSB3',
      baud: 57600,
      server_url: 'http://hub.example:5000',
      uuid: 'robot-1',
    });
    const settings = await loadAgentSettings({ configDir: dir.path }, { env: {}, ...quiet });
    expect(settings).toMatchObject({ serverUrl: 'http://hub.example:5000', password: 's3cret', uuid: 'robot-1' });
  });

  it('hub: asks as neck-hub does, makes up a password when blank, and neck-hub then asks nothing', async () => {
    const asker = new ScriptedAsker(['https://a.example', 'mytunnel', '']);
    const output = await runCli(['setup', 'hub'], { context: terminal(), asker });
    expect(output.code).toBe(0);
    expect(asker.asked).toEqual([
      'CORS origins (* or comma-separated URLs)',
      'LocalTunnel subdomain (blank for a random one)',
      'Shared password (blank for a random one)',
    ]);
    const shown = output.lines.find((line) => line.startsWith('shared password: '));
    const password = /^shared password: (\S+)/.exec(shown ?? '')?.[1];
    expect(password).toMatch(/^[0-9a-f]{4}(-[0-9a-f]{4}){3}$/);
    expect(json('hub.json')).toEqual({ cors_origins: 'https://a.example', subdomain: 'mytunnel' });
    const hubAsker = new ScriptedAsker();
    const settings = await loadHubSettings(
      { tunnel: true, configDir: dir.path },
      { env: {}, asker: hubAsker, ...quiet },
    );
    expect(hubAsker.asked).toEqual([]);
    expect(settings.auth.sharedSecret).toBe(password);
    expect(settings.tunnel.subdomain).toBe('mytunnel');

    const again = new ScriptedAsker(['', '-', '']);
    await runCli(['setup', 'hub'], { context: terminal(), asker: again });
    expect(again.asked[1]).toBe('LocalTunnel subdomain (- for a random one)');
    expect(json('hub.json')).toEqual({ cors_origins: 'https://a.example' });
    expect(read('.env')).toContain(`PEER_SHARED_SECRET=${password}`);
  });

  it('without a terminal exits 2, naming PEER_SHARED_SECRET and the file to edit', async () => {
    const output = await runCli(['setup', 'agent'], { context: new TestContext({ NECK_CONFIG_DIR: dir.path }) });
    expect(output.code).toBe(2);
    expect(output.errors.join('\n')).toMatch(/needs a terminal.*PEER_SHARED_SECRET.*agent\.json/);
  });

  it('exits 2 for a program it does not know', async () => {
    const output = await runCli(['setup', 'toaster'], { context: terminal() });
    expect(output.code).toBe(2);
    expect(output.errors).toEqual(['neck: neck setup toaster: choose hub, agent or cli']);
  });
});
