import { TEST_PASSWORD, TestHub } from '../../../../test/support/hub';
import {
  SimulatedNeck,
  TestContext,
  quietNestLogs,
  runCli,
  startSimulatedNeck,
  tempDir,
} from '../../test/cli-test-kit';

describe('neck send', () => {
  let hub: TestHub;
  let dir: { path: string; remove: () => void };
  let sim: SimulatedNeck | undefined;
  const context = (extra: NodeJS.ProcessEnv = {}) =>
    new TestContext({ NECK_CONFIG_DIR: dir.path, PEER_SHARED_SECRET: TEST_PASSWORD, NECK_HUB_URL: hub.url, ...extra });

  beforeAll(() => quietNestLogs());

  beforeEach(async () => {
    dir = tempDir('neck-send-');
    hub = await TestHub.start();
  });

  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
    await hub.close();
    dir.remove();
  });

  it('exits 0 once the neck has written the command, printing the ack with where its time went', async () => {
    sim = await startSimulatedNeck(hub.url, dir.path);
    const output = await runCli(['send', 'x50,', 'h30'], { context: context() });
    expect(output.code).toBe(0);
    expect(output.lines).toEqual([
      expect.stringMatching(
        /^ack written X50,Y0,Z0,H30,S1,A1,R0,P0 in \d+ ms \(hub [\d.]+, link [\d.]+, agent [\d.]+, queue [\d.]+, wire [\d.]+\) from neck test-neck$/,
      ),
    ]);
    expect(sim.neck.received).toContain('X50,Y0,Z0,H30,S1,A1,R0,P0');
  });

  it('sends GOTO to the agent, which eases the head there: exit 0 once the move has ended', async () => {
    sim = await startSimulatedNeck(hub.url, dir.path);
    const output = await runCli(['send', 'GOTO', 'X30', 'IN', '100'], { context: context() });
    expect(output.code).toBe(0);
    expect(output.lines).toEqual([expect.stringMatching(/^ack applied GOTO X30 IN 100 EASE MINJERK in \d+ ms /)]);
    expect(sim.neck.received.at(-1)).toBe('X30,Y0,Z0,H0,S1,A1,R0,P0');
  });

  it('exits 1 with the reason on stderr when the grammar rejects the command, before reaching any hub', async () => {
    const output = await runCli(['send', 'X9999'], { context: new TestContext({ NECK_CONFIG_DIR: dir.path }) });
    expect(output.code).toBe(1);
    expect(output.errors).toEqual(['neck: rejected: X9999: X must be an integer from -700 to 700 (nothing sent)']);
    expect(output.lines).toEqual([]);
  });

  it('exits 1 with the reason on stderr when the neck rejects the command', async () => {
    sim = await startSimulatedNeck(hub.url, dir.path, { limits: { H: { min: 0, max: 20 } } });
    const output = await runCli(['send', 'H30'], { context: context() });
    expect(output.code).toBe(1);
    expect(output.errors).toEqual([
      expect.stringMatching(
        /^neck: ack rejected H30 in \d+ ms \(hub [\d.]+, link [\d.]+, agent [\d.]+, queue 0\) from neck test-neck: H30: H must be an integer from 0 to 20 \[OUT_OF_RANGE\]$/,
      ),
    ]);
  });

  it('exits 2 naming PEER_SHARED_SECRET without a password and without a terminal', async () => {
    const output = await runCli(['send', 'HOME', '-s', hub.url], {
      context: new TestContext({ NECK_CONFIG_DIR: dir.path }),
    });
    expect(output.code).toBe(2);
    expect(output.errors.join('\n')).toMatch(/no shared password: set PEER_SHARED_SECRET/);
  });

  it('exits 2 for a usage error', async () => {
    const output = await runCli(['send', '--timeout', 'soon', 'HOME'], { context: context() });
    expect(output.code).toBe(2);
    expect(output.errors).toEqual([
      "error: option '--timeout <seconds>' argument 'soon' is invalid. expected a number of seconds such as 5 or 0.5",
    ]);
  });

  it('exits 3 when no neck is connected within --timeout', async () => {
    const started = Date.now();
    const output = await runCli(['send', 'HOME', '--timeout', '2'], { context: context() });
    expect(output.code).toBe(3);
    expect(output.errors).toEqual([
      `neck: no neck is connected to the hub at ${hub.url} (waited 2 s); start neck-agent`,
    ]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('exits 3 when the neck does not answer in time', async () => {
    // A neck peer that never acknowledges anything.
    await hub.connect('neck', 'silent-neck');
    const output = await runCli(['send', 'HOME', '--timeout', '2'], { context: context() });
    expect(output.code).toBe(3);
    expect(output.errors).toEqual([expect.stringMatching(/^neck: no neck answered HOME within 2 s/)]);
  });

  it('sends to the --target neck only, and exits 3 when that neck is not there', async () => {
    sim = await startSimulatedNeck(hub.url, dir.path);
    const silent = await hub.connect('neck', 'silent-neck');
    const received: string[] = [];
    silent.socket.on('neck_command', (command) => received.push(command.command));
    const ok = await runCli(['send', 'HOME_SOFT', '-t', 'test-neck'], { context: context() });
    expect(ok.code).toBe(0);
    expect(received).toEqual([]);
    const missing = await runCli(['send', 'HOME', '-t', 'elsewhere', '--timeout', '1.5'], { context: context() });
    expect(missing.code).toBe(3);
    expect(missing.errors[0]).toMatch(/no neck elsewhere is connected/);
  });

  it('takes an ack without an id (the seed’s Python agent sends only {command}) for the line it sent', async () => {
    const seedAgent = await hub.connect('neck', 'python-neck');
    seedAgent.socket.on('neck_command', (command) => seedAgent.socket.emit('neck_ack', { command: command.command }));
    const output = await runCli(['send', 'home'], { context: context() });
    expect(output.code).toBe(0);
    expect(output.lines).toEqual([expect.stringMatching(/^ack written HOME in \d+ ms from neck python-neck$/)]);
  });

  it('takes an ack without an id carrying the merged pose (an agent that merges, as the original one does) for the line it sent', async () => {
    const seedAgent = await hub.connect('neck', 'python-neck');
    seedAgent.socket.on('neck_command', () =>
      seedAgent.socket.emit('neck_ack', { command: 'X0,Y-20,Z0,H0,S1,A1,R0,P0' }),
    );
    const output = await runCli(['send', 'Y-20', '--timeout', '5'], { context: context() });
    expect(output.errors).toEqual([]);
    expect(output.lines).toEqual([
      expect.stringMatching(/^ack written X0,Y-20,Z0,H0,S1,A1,R0,P0 in \d+ ms from neck python-neck$/),
    ]);
  });

  describe('control and STOP', () => {
    it('exits 1 naming the holder when another operator holds control; --take takes it over', async () => {
      sim = await startSimulatedNeck(hub.url, dir.path);
      const other = await hub.connect('ui', 'other-operator');
      const acked = new Promise<void>((resolve) => other.socket.once('neck_ack', () => resolve()));
      other.socket.emit('neck_command', { command: 'X100', id: 'o1' });
      await acked;
      const refused = await runCli(['send', 'X-100'], { context: context() });
      expect(refused.code).toBe(1);
      expect(refused.errors).toEqual([
        expect.stringMatching(
          /^neck: ack rejected X-100 in \d+ ms \(hub [\d.]+, link [\d.]+, agent [\d.]+, queue 0\) from neck test-neck: other-operator holds this neck's control .*\[CONTROL_HELD\] \(neck send --take takes it over\)$/,
        ),
      ]);
      expect(sim.neck.received).not.toContain('X-100,Y0,Z0,H0,S1,A1,R0,P0');

      const taken = await runCli(['send', '--take', 'X-100'], { context: context() });
      expect(taken.code).toBe(0);
      expect(taken.lines).toEqual([
        expect.stringMatching(
          /^ack applied TAKE in \d+ ms \(hub [\d.]+, link [\d.]+, agent [\d.]+, queue 0\) from neck test-neck$/,
        ),
        expect.stringMatching(
          /^ack written X-100,Y0,Z0,H0,S1,A1,R0,P0 in \d+ ms \([^)]+, wire [\d.]+\) from neck test-neck$/,
        ),
      ]);
      expect(sim.agent.relay.status().control.holder?.uuid).not.toBe('other-operator');
    });

    it('neck stop refuses every motion until neck stop --release', async () => {
      sim = await startSimulatedNeck(hub.url, dir.path);
      const stop = await runCli(['stop'], { context: context() });
      expect(stop.code).toBe(0);
      expect(stop.lines).toEqual([expect.stringMatching(/^ack applied STOP in \d+ ms \([^)]+\) from neck test-neck$/)]);
      const refused = await runCli(['send', 'X10'], { context: context() });
      expect(refused.code).toBe(1);
      expect(refused.errors[0]).toMatch(
        /pressed STOP: the neck takes no motion until someone sends RELEASE \[STOPPED\]$/,
      );
      const release = await runCli(['stop', '--release'], { context: context() });
      expect(release.lines).toEqual([
        expect.stringMatching(/^ack applied RELEASE in \d+ ms \([^)]+\) from neck test-neck$/),
      ]);
      expect((await runCli(['send', 'X10'], { context: context() })).code).toBe(0);
    });
  });
});
