import { TEST_PASSWORD, TestHub, nextEvent } from '../../../../test/support/hub';
import {
  SimulatedNeck,
  TestContext,
  quietNestLogs,
  runCli,
  startSimulatedNeck,
  tempDir,
} from '../../test/cli-test-kit';

describe('neck peers', () => {
  let hub: TestHub;
  let dir: { path: string; remove: () => void };
  let sim: SimulatedNeck;
  const context = () =>
    new TestContext({ NECK_CONFIG_DIR: dir.path, PEER_SHARED_SECRET: TEST_PASSWORD, NECK_HUB_URL: hub.url });

  beforeAll(() => quietNestLogs());

  beforeEach(async () => {
    dir = tempDir('neck-peers-');
    hub = await TestHub.start();
    sim = await startSimulatedNeck(hub.url, dir.path);
  });

  afterEach(async () => {
    await sim.stop();
    await hub.close();
    dir.remove();
  });

  it('lists the other peers with their roles and sids, and who holds each neck’s control', async () => {
    const operator = await hub.connect('ui', 'operator-2');
    const output = await runCli(['peers'], { context: context() });
    expect(output.code).toBe(0);
    expect(output.lines).toEqual([
      expect.stringMatching(/^test-neck \(neck\) {2}sid \S+ {2}\(control free\)$/),
      expect.stringMatching(/^operator-2 \(ui\) {2}sid \S+$/),
    ]);

    const held = nextEvent(operator.socket, 'neck_status');
    operator.socket.emit('neck_command', { command: 'X10', id: 'm1' });
    expect((await held).control.holder?.uuid).toBe('operator-2');
    const again = await runCli(['peers'], { context: context() });
    expect(again.lines).toEqual([
      expect.stringMatching(/^test-neck \(neck\) {2}sid \S+ {2}\(control held by operator-2\)$/),
      expect.stringMatching(/^operator-2 \(ui\) {2}sid \S+ {2}\(holds control of test-neck\)$/),
    ]);
  });

  it('prints JSON with --json', async () => {
    const output = await runCli(['peers', '--json'], { context: context() });
    expect(JSON.parse(output.lines.join('\n'))).toEqual([
      { id: expect.any(String), uuid: 'test-neck', roles: ['neck'] },
    ]);
  });

  it('exits 2 naming PEER_SHARED_SECRET without a password and without a terminal', async () => {
    const output = await runCli(['peers', '-s', hub.url], { context: new TestContext({ NECK_CONFIG_DIR: dir.path }) });
    expect(output.code).toBe(2);
    expect(output.errors.join('\n')).toMatch(/PEER_SHARED_SECRET/);
  });
});
