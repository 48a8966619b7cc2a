import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { hubTrust, lanAddresses } from '@neck-signal/program-kit';
import { decodeTerminalQr } from '../../../../test/support/terminal-qr';
import { ManualShutdown, ScriptedAsker, TestContext, runCli, startCli, tempDir } from '../../test/cli-test-kit';
import { loadCliSettings } from '../config/cli-settings';
import { findRunningDemo } from './running-demo';

describe('neck demo', () => {
  let dir: { path: string; remove: () => void };

  beforeEach(() => {
    dir = tempDir('neck-demo-');
  });

  afterEach(() => dir.remove());

  /** Runs the demo without a terminal until it serves; returns its URL, password and a way to stop it. */
  async function serve(extra: string[] = []) {
    const shutdown = new ManualShutdown();
    const run = await startCli(['demo', '--port', '0', ...extra], {
      context: new TestContext({ NECK_CONFIG_DIR: dir.path }),
      shutdown,
    });
    await run.output.waitFor(/^serving until Ctrl-C/, 30_000);
    const url = /^demo hub: (\S+)$/.exec(await run.output.waitFor(/^demo hub: /))?.[1] ?? '';
    const password = /^demo password: (\S+) /.exec(await run.output.waitFor(/^demo password: /))?.[1] ?? '';
    return { run, url, password, stop: (signal: NodeJS.Signals = 'SIGTERM') => shutdown.trigger(signal) };
  }

  it('without a terminal serves a hub with a virtual neck until SIGTERM, then stops everything', async () => {
    const demo = await serve();
    expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = (await (await fetch(`${demo.url}/`, { headers: { accept: 'application/json' } })).json()) as {
      necks: { serial: { state: string; path: string } }[];
    };
    expect(health.necks).toEqual([
      expect.objectContaining({ serial: expect.objectContaining({ state: 'open', path: '/dev/ttyVNECK0' }) }),
    ]);
    const login = await fetch(`${demo.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: demo.password }),
    });
    expect(login.status).toBe(200);
    demo.stop('SIGTERM');
    await demo.run.done;
    expect(demo.run.output.code).toBe(0);
    expect(demo.run.output.lines.slice(-2)).toEqual(['SIGTERM: stopping the demo…', 'demo stopped']);
    await expect(fetch(`${demo.url}/`)).rejects.toThrow();
  });

  it('leaves the CLI ready: neck commands find the running demo (URL, password) with no config, and not once it stopped', async () => {
    const demo = await serve();
    const running = JSON.parse(readFileSync(join(dir.path, 'demo', 'running.json'), 'utf8')) as unknown;
    expect(running).toEqual({ url: demo.url, pid: process.pid });
    const settings = await loadCliSettings({}, { env: { NECK_CONFIG_DIR: dir.path }, say: () => undefined });
    expect(settings).toMatchObject({ serverUrl: demo.url, password: demo.password, demo: true });
    // At a terminal too: no question.
    const asker = new ScriptedAsker([]);
    const env = { NECK_CONFIG_DIR: dir.path };
    expect(await loadCliSettings({}, { env, asker, say: () => undefined })).toMatchObject({ serverUrl: demo.url });
    expect(asker.asked).toEqual([]);
    // A hub someone chose wins (and the demo said so at start); -s with the demo's URL takes the demo's password.
    const chosen = {
      env: { NECK_CONFIG_DIR: dir.path, NECK_HUB_URL: 'http://real.example:5000' },
      say: () => undefined,
    };
    expect(
      (await loadCliSettings({}, { ...chosen, env: { ...chosen.env, PEER_SHARED_SECRET: 'real' } })).serverUrl,
    ).toBe('http://real.example:5000');
    expect(await loadCliSettings({ serverUrl: demo.url }, chosen)).toMatchObject({ password: demo.password });
    demo.stop();
    await demo.run.done;
    expect(existsSync(join(dir.path, 'demo', 'running.json'))).toBe(false);
    await expect(loadCliSettings({}, { env: { NECK_CONFIG_DIR: dir.path }, say: () => undefined })).rejects.toThrow(
      /no shared password: .*or `npm start` a demo on this machine, which neck finds/,
    );
  });

  it('the adversary: a demo killed without a word (its running.json left behind) is not taken for a running one', () => {
    const demoDir = join(dir.path, 'demo');
    mkdirSync(demoDir, { recursive: true });
    writeFileSync(join(demoDir, '.env'), 'PEER_SHARED_SECRET=left-over\n');
    const file = (pid: number) => JSON.stringify({ url: 'http://127.0.0.1:5999', pid });
    writeFileSync(join(demoDir, 'running.json'), file(process.pid));
    expect(findRunningDemo(dir.path)).toEqual({ url: 'http://127.0.0.1:5999', password: 'left-over' });
    // A pid no process has (above Linux's pid_max).
    writeFileSync(join(demoDir, 'running.json'), file(2 ** 22 + 1));
    expect(findRunningDemo(dir.path)).toBeUndefined();
    writeFileSync(join(demoDir, 'running.json'), '{"url": 5');
    expect(findRunningDemo(dir.path)).toBeUndefined();
  });

  it('makes up its password on the first run and reuses it on the next', async () => {
    const first = await serve();
    first.stop('SIGINT');
    await first.run.done;
    const second = await serve();
    second.stop();
    await second.run.done;
    expect(first.password).toMatch(/^[0-9a-f]{4}(-[0-9a-f]{4}){3}$/);
    expect(second.password).toBe(first.password);
    expect(second.run.output.code).toBe(0);
  });

  it('leaves Nest’s own start-up lines out, and prints them with --verbose', async () => {
    const console = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const printed = () => console.mock.calls.map(([chunk]) => String(chunk)).join('');
    const nestLines = /\[(InstanceLoader|RoutesResolver|RouterExplorer|WebSocketsController)\]/;
    try {
      const quiet = await serve();
      quiet.stop();
      await quiet.run.done;
      expect(printed()).not.toMatch(nestLines);
      // The hub's and the agent's own lines stay.
      expect(printed()).toMatch(/\[SignallingGateway\].*peer joined: /);
      expect(quiet.run.output.lines).toContain(`demo web page: ${quiet.url}/app/`);

      console.mockClear();
      const verbose = await serve(['--verbose']);
      verbose.stop();
      await verbose.run.done;
      expect(printed()).toMatch(/\[InstanceLoader\]/);
      expect(printed()).toMatch(/\[RouterExplorer\]/);
    } finally {
      console.mockRestore();
    }
  });

  it('at a terminal runs the REPL in the foreground and stops everything on quit', async () => {
    const context = new TestContext({ NECK_CONFIG_DIR: dir.path }, true);
    const run = await startCli(['demo', '--port', '0'], { context });
    // You are the one `neck` in other terminals is too: cli.json's uuid in the config dir, not the demo's own.
    const ready = await run.output.waitFor(/^READY you are \S+ on http:\/\/127\.0\.0\.1:\d+; 1 neck: /, 30_000);
    const cli = JSON.parse(readFileSync(join(dir.path, 'cli.json'), 'utf8')) as { uuid: string };
    expect(ready).toContain(`you are ${cli.uuid} on`);
    context.type('X50');
    // The ack says where its time went (hub, link, agent…) when the hub and agent say so.
    await run.output.waitFor(/^ack written X50,Y0,Z0,H0,S1,A1,R0,P0 in \d+ ms (\([^)]*\) )?from neck /);
    context.type('quit');
    await run.done;
    expect(run.output.code).toBe(0);
    expect(run.output.lines.at(-1)).toBe('demo stopped');
  });

  it('exits 1 naming --port when the port is taken', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const output = await runCli(['demo', '--port', String(port)], {
        context: new TestContext({ NECK_CONFIG_DIR: dir.path }),
      });
      expect(output.code).toBe(1);
      expect(output.errors).toEqual([
        `neck: port ${port} on 127.0.0.1 is taken (is a hub or another demo running?); pass --port N, or --port 0 for a free one`,
      ]);
    } finally {
      blocker.close();
    }
  });
  // Adversary: the README's `npm start -- --port 6000`, which served a hub nothing could reach.
  it('refuses a bad port at once (exit 2), saying why and which to pick', async () => {
    const output = await runCli(['demo', '--port', '6000'], {
      context: new TestContext({ NECK_CONFIG_DIR: dir.path }),
    });
    expect(output.code).toBe(2);
    expect(output.errors.join('\n')).toContain(
      'port 6000 is a "bad port" that browsers and Node\'s fetch refuse to connect to ' +
        '(https://fetch.spec.whatwg.org/#port-blocking); pick another, e.g. 6001',
    );
    expect(output.lines).toEqual([]);
  });

  it('with --lan serves HTTPS on every interface, its agent trusts it, and a QR code opens the page logged in', async () => {
    const demo = await serve(['--lan']);
    expect(demo.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const caPath = `${dir.path}/demo/https-ca.pem`;
    expect(demo.run.output.lines).toContain(
      `other machines trust the demo's certificate authority: a copy of ${caPath} in NECK_HUB_CA`,
    );
    const trusted = hubTrust(readFileSync(caPath, 'utf8'));
    const health = (await (
      await trusted.fetch(`${demo.url}/`, { headers: { accept: 'application/json' } })
    ).json()) as {
      necks: { serial: { state: string } }[];
    };
    expect(health.necks.map((neck) => neck.serial.state)).toEqual(['open']);
    const [lan] = lanAddresses();
    if (lan === undefined) {
      expect(demo.run.output.lines).toContain(
        'no network address found on this machine: phones cannot reach it (is it on a network?)',
      );
    } else {
      const port = new URL(demo.url).port;
      const page = `https://${lan}:${port}/app/`;
      // The phone reaches the hub on the LAN address, which the certificate names.
      expect((await trusted.fetch(`https://${lan}:${port}/`, { headers: { accept: 'application/json' } })).status).toBe(
        200,
      );
      expect(decodeTerminalQr(demo.run.output.text())).toBe(`${page}#password=${demo.password}`);
    }
    demo.stop();
    await demo.run.done;
    expect(demo.run.output.code).toBe(0);
  });
});
