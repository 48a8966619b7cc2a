import { TEST_PASSWORD, TestHub } from '../../../../test/support/hub';
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

  it('lists the other peers with their roles and sids', async () => {
    await hub.connect('ui', 'operator-2');
    const output = await runCli(['peers'], { context: context() });
    expect(output.code).toBe(0);
    expect(output.lines).toEqual([
      expect.stringMatching(/^test-neck \(neck\) {2}sid \S+$/),
      expect.stringMatching(/^operator-2 \(ui\) {2}sid \S+$/),
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
