import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Program } from './support/program';

/** What every refusal says: the port, why nothing could reach it, and one to pick instead. */
const badPort6000 =
  'port 6000 is a "bad port" that browsers and Node\'s fetch refuse to connect to ' +
  '(https://fetch.spec.whatwg.org/#port-blocking); pick another, e.g. 6001';

/**
 * A port on the fetch standard's "bad port" list (6000, the README's old example, among them) listens fine, but
 * no browser, agent or CLI can connect to it: the old code started, then retried "unreachable (bad port)" for
 * ever. Each program now refuses it at start, exit 2, saying why — wherever the port or URL came from.
 */
describe('bad ports, refused at start (built programs)', () => {
  let dir: string;
  const running: Program[] = [];
  const start = (app: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
    const program = Program.start(app, args, { NECK_CONFIG_DIR: dir, PEER_SHARED_SECRET: 'pw', ...env });
    running.push(program);
    return program;
  };
  const refused = async (program: Program): Promise<string> => {
    expect(await program.exit()).toEqual({ code: 2, signal: null });
    return program.output.join('\n');
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'neck-bad-port-'));
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((program) => program.kill()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('`npm start -- --port 6000` (neck demo, what npm start runs) exits 2 with the reason and a port to pick', async () => {
    const output = await refused(start('cli', ['demo', '--port', '6000']));
    expect(output).toContain(badPort6000);
    expect(output).not.toMatch(/unreachable|demo hub:/);
  });

  it('neck-hub --port 6000, and a bad port in hub.json, exit 2', async () => {
    expect(await refused(start('hub', ['--port', '6000', '--no-tunnel']))).toContain(badPort6000);
    writeFileSync(join(dir, 'hub.json'), JSON.stringify({ cors_origins: '*', port: 6000 }));
    expect(await refused(start('hub', ['--no-tunnel'], { JWT_SECRET: 'x'.repeat(40) }))).toContain(
      `neck-hub: ${join(dir, 'hub.json')}: ${badPort6000}`,
    );
  });

  it.each([
    ['the -s flag', ['-s', 'http://127.0.0.1:6000'], {}],
    ['NECK_HUB_URL', [], { NECK_HUB_URL: 'http://127.0.0.1:6000' }],
  ])(
    'neck-agent with a hub URL on a bad port from %s exits 2 instead of retrying for ever',
    async (_from, args, env) => {
      const output = await refused(start('neck-agent', ['--simulate', ...args], env));
      expect(output).toContain(badPort6000);
      expect(output).not.toMatch(/unreachable/);
    },
  );

  it('neck-agent with a hub URL on a bad port from .env or agent.json exits 2, naming the URL', async () => {
    writeFileSync(join(dir, '.env'), 'NECK_HUB_URL=http://127.0.0.1:6000\n');
    expect(await refused(start('neck-agent', ['--simulate']))).toContain(
      `neck-agent: hub URL http://127.0.0.1:6000: ${badPort6000}`,
    );
    rmSync(join(dir, '.env'));
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ server_url: 'http://127.0.0.1:6667' }));
    expect(await refused(start('neck-agent', ['--simulate']))).toMatch(/port 6667 is a "bad port"/);
  });

  it('neck (peers, send, repl) with a hub URL on a bad port from -s, NECK_HUB_URL or cli.json exits 2', async () => {
    expect(await refused(start('cli', ['peers', '-s', 'http://127.0.0.1:6000']))).toContain(badPort6000);
    expect(await refused(start('cli', ['send', 'HOME'], { NECK_HUB_URL: 'http://127.0.0.1:6000' }))).toContain(
      badPort6000,
    );
    writeFileSync(join(dir, 'cli.json'), JSON.stringify({ server_url: 'http://127.0.0.1:6000' }));
    const repl = start('cli', ['repl']);
    repl.child.stdin?.end();
    expect(await refused(repl)).toContain(badPort6000);
  });
});
