import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_PASSWORD, TestHub } from './support/hub';
import { Program, startNeck } from './support/program';

/** The built `neck` (dist/apps/cli/main.js) as a user runs it, against a real hub and the real agent program. */
describe('neck cli (built)', () => {
  let hub: TestHub;
  let agent: Program;
  let agentDir: string;
  let dir: string;
  const running: Program[] = [];

  /** Runs `neck ARGS…` with its own config dir; env values override. */
  const neck = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const program = startNeck(args, { configDir: dir, hubUrl: hub.url, password: TEST_PASSWORD }, env);
    running.push(program);
    return program;
  };
  // stdout and stderr, in the order they arrived.
  const lines = (program: Program) => program.output;

  beforeAll(async () => {
    hub = await TestHub.start();
    agentDir = mkdtempSync(join(tmpdir(), 'neck-cli-e2e-agent-'));
    // The agent refuses heights above 20 (agent.json limits), so that a neck's rejection can be seen end to end.
    writeFileSync(join(agentDir, 'agent.json'), JSON.stringify({ limits: { H: { min: 0, max: 20 } } }));
    agent = Program.start('neck-agent', ['-s', hub.url, '-u', 'e2e-neck', '--simulate', '--config-dir', agentDir], {
      PEER_SHARED_SECRET: TEST_PASSWORD,
    });
    await agent.waitFor(/connected to .* as e2e-neck/);
  });

  afterAll(async () => {
    await agent.stop();
    await hub.close();
    rmSync(agentDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'neck-cli-e2e-'));
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((program) => program.kill()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('repl from a pipe: acks carry the merged pose, an invalid line is refused here, exit 0', async () => {
    const repl = neck(['repl']);
    repl.child.stdin?.end('HOME\nX50\nY-20\nX9999\n');
    expect(await repl.exit()).toEqual({ code: 0, signal: null });
    const output = lines(repl);
    expect(output).toContainEqual(expect.stringMatching(/^READY you are \S+-cli-[0-9a-f]{4} on .*; 1 neck: e2e-neck$/));
    expect(output.filter((line) => line.startsWith('ack '))).toEqual([
      expect.stringMatching(
        /^ack written HOME in \d+ ms \(hub [\d.]+, link [\d.]+, agent [\d.]+, queue [\d.]+(, fence [\d.]+)?(, wire [\d.]+)?\) from neck e2e-neck$/,
      ),
      expect.stringMatching(
        /^ack written X50,Y0,Z0,H0,S1,A1,R0,P0 in \d+ ms \(hub [\d.]+, link [\d.]+, agent [\d.]+, queue [\d.]+(, fence [\d.]+)?(, wire [\d.]+)?\) from neck e2e-neck$/,
      ),
      expect.stringMatching(
        /^ack written X50,Y-20,Z0,H0,S1,A1,R0,P0 in \d+ ms \(hub [\d.]+, link [\d.]+, agent [\d.]+, queue [\d.]+(, fence [\d.]+)?(, wire [\d.]+)?\) from neck e2e-neck$/,
      ),
    ]);
    expect(output).toContain('invalid: X9999: X must be an integer from -700 to 700 (nothing sent)');
    await agent.waitFor(/wrote X50,Y-20,Z0,H0,S1,A1,R0,P0/);
    expect(agent.output.join('\n')).not.toMatch(/9999/);
  });

  it('repl from a pipe prints a neck’s rejection with its reason', async () => {
    const repl = neck(['repl']);
    repl.child.stdin?.end('H30\n');
    expect(await repl.exit()).toEqual({ code: 0, signal: null });
    expect(lines(repl)).toContainEqual(
      expect.stringMatching(
        /^ack rejected H30 in \d+ ms \(hub [\d.]+, link [\d.]+, agent [\d.]+, queue [\d.]+(, fence [\d.]+)?(, wire [\d.]+)?\) from neck e2e-neck: H30: H must be an integer from 0 to 20 \[OUT_OF_RANGE\]$/,
      ),
    );
  });

  it('send exits 0 when the neck wrote the command', async () => {
    const send = neck(['send', 'HOME_SOFT']);
    expect(await send.exit()).toEqual({ code: 0, signal: null });
    expect(lines(send)).toEqual([
      expect.stringMatching(
        /^ack written HOME_SOFT in \d+ ms \(hub [\d.]+, link [\d.]+, agent [\d.]+, queue [\d.]+(, fence [\d.]+)?(, wire [\d.]+)?\) from neck e2e-neck$/,
      ),
    ]);
  });

  it('send exits 1 with the reason when the command is rejected, here or by the neck', async () => {
    const local = neck(['send', 'X9999']);
    expect(await local.exit()).toEqual({ code: 1, signal: null });
    expect(lines(local)).toEqual(['neck: rejected: X9999: X must be an integer from -700 to 700 (nothing sent)']);
    const remote = neck(['send', 'H30']);
    expect(await remote.exit()).toEqual({ code: 1, signal: null });
    expect(lines(remote)).toEqual([
      expect.stringMatching(
        /^neck: ack rejected H30 in \d+ ms \(hub [\d.]+, link [\d.]+, agent [\d.]+, queue [\d.]+(, fence [\d.]+)?(, wire [\d.]+)?\) from neck e2e-neck: H30: H must be an integer from 0 to 20/,
      ),
    ]);
  });

  it('send exits 2 without a password (naming PEER_SHARED_SECRET) and for a usage error', async () => {
    const noPassword = neck(['send', 'HOME'], { PEER_SHARED_SECRET: '' });
    expect(await noPassword.exit()).toEqual({ code: 2, signal: null });
    expect(lines(noPassword).join('\n')).toMatch(/no shared password: set PEER_SHARED_SECRET/);
    const usage = neck(['send', '--timeout', 'never', 'HOME']);
    expect(await usage.exit()).toEqual({ code: 2, signal: null });
    expect(lines(usage).join('\n')).toMatch(/argument 'never' is invalid/);
  });

  it('send exits 3 when no neck answers in time', async () => {
    const empty = await TestHub.start();
    try {
      const send = neck(['send', 'HOME', '--timeout', '2'], { NECK_HUB_URL: empty.url });
      expect(await send.exit()).toEqual({ code: 3, signal: null });
      expect(lines(send)).toEqual([
        `neck: no neck is connected to the hub at ${empty.url} (waited 2 s); start neck-agent`,
      ]);
    } finally {
      await empty.close();
    }
  });

  it('peers and status show the neck', async () => {
    const peers = neck(['peers']);
    expect(await peers.exit()).toEqual({ code: 0, signal: null });
    expect(lines(peers)).toEqual([expect.stringMatching(/^e2e-neck \(neck\) {2}sid \S+ {2}\(control free\)$/)]);
    const status = neck(['status']);
    expect(await status.exit()).toEqual({ code: 0, signal: null });
    expect(lines(status)).toContain('neck e2e-neck: serial open on /dev/ttyVNECK0 at 115200 baud');
  });

  it('pairs on its first login and needs no password after; devices lists and revokes, and a revoked CLI says what to do', async () => {
    // `peers` only watches (role observer), yet the cli pairs as an operator: `devices` needs no password next.
    const first = neck(['peers', '-u', 'cli-laptop']);
    expect(await first.exit()).toEqual({ code: 0, signal: null });
    const keyFile = join(dir, 'device-keys.json');
    expect(Object.keys(JSON.parse(readFileSync(keyFile, 'utf8')) as object)).toEqual(['cli:cli-laptop']);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    const listed = neck(['devices', '-u', 'cli-laptop'], { PEER_SHARED_SECRET: undefined });
    expect(await listed.exit()).toEqual({ code: 0, signal: null });
    expect(lines(listed)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^cli-laptop \(ui\) {2}1 key, paired \S+, last login \S+$/),
        expect.stringMatching(/^e2e-neck \(neck\) {2}1 key, paired \S+, last login \S+$/),
      ]),
    );
    const usage = neck(['devices', 'revoke', '-u', 'cli-laptop'], { PEER_SHARED_SECRET: undefined });
    expect(await usage.exit()).toEqual({ code: 2, signal: null });
    expect(lines(usage).join('\n')).toMatch(/give a device uuid, or --all/);

    const revoke = neck(['devices', 'revoke', 'cli-laptop', '-u', 'cli-laptop'], { PEER_SHARED_SECRET: undefined });
    expect(await revoke.exit()).toEqual({ code: 0, signal: null });
    expect(lines(revoke)).toEqual(['revoked cli-laptop: 1 key, 0 connections dropped']);
    const stranded = neck(['peers', '-u', 'cli-laptop'], { PEER_SHARED_SECRET: undefined });
    expect(await stranded.exit()).toEqual({ code: 2, signal: null });
    expect(lines(stranded).join('\n')).toMatch(
      /unknown or revoked device key.*no shared password to pair again with \(set PEER_SHARED_SECRET\)/,
    );
  });

  describe('demo without a terminal', () => {
    const demo = async () => {
      const program = Program.start('cli', ['demo', '--port', '0'], { NECK_CONFIG_DIR: dir, PEER_SHARED_SECRET: '' });
      running.push(program);
      await program.waitFor(/^serving until Ctrl-C/);
      const [, url] = await program.waitFor(/^demo hub: (\S+)$/);
      const [, password] = await program.waitFor(/^demo password: (\S+) /);
      return { program, url, password };
    };

    it('serves a hub with a virtual neck until SIGTERM, then stops cleanly (exit 0, port closed)', async () => {
      const { program, url, password } = await demo();
      const health = (await (await fetch(`${url}/`, { headers: { accept: 'application/json' } })).json()) as {
        necks: { serial: { state: string } }[];
      };
      expect(health.necks.map((entry) => entry.serial.state)).toEqual(['open']);
      const send = neck(['send', 'X10', '-s', url], { PEER_SHARED_SECRET: password });
      expect(await send.exit()).toEqual({ code: 0, signal: null });
      expect(await program.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      expect(program.output).toContain('demo stopped');
      await expect(fetch(`${url}/`)).rejects.toThrow();
    });

    it('leaves the CLI ready: the README’s commands work in another process with no terminal, no flags, no config', async () => {
      const { url } = await demo();
      // Nothing but the config dir both share (the default one, for a user): no hub URL, no password.
      const bare = { NECK_HUB_URL: undefined, PEER_SHARED_SECRET: undefined };
      const send = neck(['send', 'X10,Y5'], bare);
      expect(await send.exit()).toEqual({ code: 0, signal: null });
      expect(lines(send)).toEqual([
        expect.stringMatching(/^ack written X10,Y5,Z0,H0,S1,A1,R0,P0 in \d+ ms .*from neck /),
      ]);
      // A REPL of yours stays on meanwhile: `peers` marks it as you.
      const repl = neck(['repl'], bare);
      const [, me] = await repl.waitFor(/^READY you are (\S+) on (\S+);/);
      expect(me).toMatch(/-cli-[0-9a-f]{4}$/);
      const status = neck(['status'], bare);
      expect(await status.exit()).toEqual({ code: 0, signal: null });
      expect(lines(status)[0]).toMatch(new RegExp(`^hub ${url}: ok`));
      const stats = neck(['stats'], bare);
      expect(await stats.exit()).toEqual({ code: 0, signal: null });
      const peers = neck(['peers'], bare);
      expect(await peers.exit()).toEqual({ code: 0, signal: null });
      expect(lines(peers)).toContainEqual(expect.stringMatching(new RegExp(`^${me} \\(ui\\) {2}← you {2}sid `)));
      repl.child.stdin?.end('X20\n');
      expect(await repl.exit()).toEqual({ code: 0, signal: null });
      expect(lines(repl)).toContainEqual(expect.stringMatching(/^ack written X20,Y5,/));
      for (const program of [send, status, stats, peers, repl]) {
        expect(lines(program).join('\n')).not.toMatch(/\?|no hub URL|PEER_SHARED_SECRET/);
      }
    });

    it('keeps its password: a second run reuses the first run’s', async () => {
      const first = await demo();
      expect(await first.program.stop('SIGINT')).toEqual({ code: 0, signal: null });
      const second = await demo();
      expect(await second.program.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      expect(first.password).toMatch(/^[0-9a-f]{4}(-[0-9a-f]{4}){3}$/);
      expect(second.password).toBe(first.password);
    });
  });
});
