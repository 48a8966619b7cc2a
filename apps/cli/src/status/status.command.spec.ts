import { TEST_PASSWORD, TestHub, nextEvent } from '../../../../test/support/hub';
import { freePort } from '../../../../test/support/redis-server';
import {
  SimulatedNeck,
  TestContext,
  quietNestLogs,
  runCli,
  startSimulatedNeck,
  tempDir,
} from '../../test/cli-test-kit';

describe('neck status', () => {
  let hub: TestHub;
  let dir: { path: string; remove: () => void };
  let sim: SimulatedNeck | undefined;
  const context = (url = hub.url) =>
    new TestContext({ NECK_CONFIG_DIR: dir.path, PEER_SHARED_SECRET: TEST_PASSWORD, NECK_HUB_URL: url });

  beforeAll(() => quietNestLogs());

  beforeEach(async () => {
    dir = tempDir('neck-status-');
    hub = await TestHub.start();
  });

  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
    await hub.close();
    dir.remove();
  });

  it("shows the hub's health and each neck's serial state, pose and firmware", async () => {
    sim = await startSimulatedNeck(hub.url, dir.path);
    const watcher = await hub.connect('observer', 'watcher');
    const posed = nextEvent(watcher.socket, 'neck_status', 5_000, (status) => status.pose?.Y === -20);
    const sent = await runCli(['send', 'X50,Y-20'], { context: context() });
    expect(sent.code).toBe(0);
    await posed;
    const output = await runCli(['status'], { context: context() });
    expect(output.code).toBe(0);
    expect(output.lines[0]).toMatch(
      new RegExp(`^hub ${hub.url}: ok, version \\d+\\.\\d+\\.\\d+, up \\d+ s, 2 peers, tunnel disabled$`),
    );
    expect(output.lines).toContain('neck test-neck: serial open on /dev/ttyVNECK0 at 115200 baud');
    expect(output.lines).toContain('  pose X50,Y-20,Z0,H0,S1,A1,R0,P0');
    expect(output.lines).toContain('  queue 0 waiting');
    // The firmware's UPTIME_MS is the board's, not the hub's (whose uptime is on the first line).
    expect(output.lines).toContainEqual(
      expect.stringMatching(
        /^ {2}firmware NECK\/STEWART_NECK, protocol 1, 6 motors; board up \d+ s since its last reset$/,
      ),
    );
    // `neck status` watches as an observer: it is told of necks and operators, not of other observers (they are
    // in the count of peers on the first line).
    expect(output.lines.at(-1)).toBe('peers: test-neck (neck)');
  });

  it('says when no neck is connected, and prints JSON with --json', async () => {
    const text = await runCli(['status'], { context: context() });
    expect(text.lines).toContain('no neck is connected; start neck-agent');
    const json = await runCli(['status', '--json'], { context: context() });
    expect(JSON.parse(json.lines.join('\n'))).toMatchObject({ health: { status: 'ok', necks: [] }, peers: [] });
  });

  it('exits 3 when the hub is unreachable', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const output = await runCli(['status', '--timeout', '1'], { context: context(url) });
    expect(output.code).toBe(3);
    expect(output.errors).toEqual([`neck: the hub at ${url} is unreachable (ECONNREFUSED)`]);
  });

  it('exits 2 naming PEER_SHARED_SECRET without a password and without a terminal', async () => {
    const output = await runCli(['status', '-s', hub.url], { context: new TestContext({ NECK_CONFIG_DIR: dir.path }) });
    expect(output.code).toBe(2);
    expect(output.errors.join('\n')).toMatch(/PEER_SHARED_SECRET/);
  });
});
