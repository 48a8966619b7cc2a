import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TEST_PASSWORD, TestHub, nextEvent } from '../../../../test/support/hub';
import { TestContext, quietNestLogs, runCli, tempDir } from '../../test/cli-test-kit';

describe('neck devices', () => {
  let hub: TestHub;
  let dir: { path: string; remove: () => void };
  const context = (env: NodeJS.ProcessEnv = {}) =>
    new TestContext({
      NECK_CONFIG_DIR: dir.path,
      PEER_SHARED_SECRET: TEST_PASSWORD,
      NECK_HUB_URL: hub.url,
      ...env,
    });
  const pair = async (uuid: string, role: 'ui' | 'neck') => {
    const response = await hub.postLogin({ uuid, password: TEST_PASSWORD, role, pair: true });
    expect(response.status).toBe(200);
  };

  beforeAll(() => quietNestLogs());

  beforeEach(async () => {
    dir = tempDir('neck-devices-');
    hub = await TestHub.start();
  });

  afterEach(async () => {
    await hub.close();
    dir.remove();
  });

  it('lists the paired devices (itself included: it paired to ask), as text and as JSON', async () => {
    await pair('arm-1', 'neck');
    const output = await runCli(['devices', '-u', 'admin'], { context: context() });
    expect(output.code).toBe(0);
    expect(output.lines).toEqual([
      expect.stringMatching(/^admin \(ui\) {2}1 key, paired \S+, last login never$/),
      expect.stringMatching(/^arm-1 \(neck\) {2}1 key, paired \S+, last login never$/),
    ]);
    const json = await runCli(['devices', '-u', 'admin', '--json'], { context: context() });
    expect(JSON.parse(json.lines.join('\n'))).toEqual([
      { uuid: 'admin', role: 'ui', keys: 1, pairedAt: expect.any(String), lastUsedAt: expect.any(String) },
      { uuid: 'arm-1', role: 'neck', keys: 1, pairedAt: expect.any(String), lastUsedAt: null },
    ]);
  });

  it('revokes one device, dropping its connections; --revoke-all (or revoke --all) every one', async () => {
    await pair('arm-1', 'neck');
    await pair('tablet', 'ui');
    const neck = await hub.connect('neck', 'arm-1');
    const dropped = new Promise<string>((resolve) => neck.socket.once('disconnect', resolve));
    const revoked = await runCli(['devices', 'revoke', 'arm-1', '-u', 'admin'], { context: context() });
    expect(revoked.lines).toEqual(['revoked arm-1: 1 key, 1 connection dropped']);
    expect(revoked.code).toBe(0);
    expect(await dropped).toBe('io server disconnect');

    const watcher = await hub.connect('observer', 'watcher');
    const told = nextEvent(watcher.socket, 'error-message');
    const all = await runCli(['devices', '--revoke-all', '-u', 'admin'], { context: context() });
    expect(all.code).toBe(0);
    // tablet's key and the admin's own (it paired to ask); every connection goes, the watcher's too.
    expect(all.lines).toEqual(['revoked every device: 2 keys, 1 connection dropped']);
    expect(await told).toMatchObject({ code: 'REVOKED' });
  });

  it.each([
    [['devices', 'forget', 'x'], /the action is revoke/],
    [['devices', 'revoke'], /give a device uuid, or --all/],
    [['devices', 'revoke', 'x', '--all'], /give a device uuid, or --all/],
    [['devices', '--revoke-all', 'x'], /--revoke-all takes no arguments/],
  ])('exits 2 for the usage error %j', async (args, message) => {
    const output = await runCli(args, { context: context() });
    expect(output.code).toBe(2);
    expect(output.errors.join('\n')).toMatch(message);
  });

  it('exits 1 with the hub’s answer when the hub has no devices to show (a hub older than device keys)', async () => {
    const older = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      if (request.url === '/login') {
        response.end(JSON.stringify({ token: 'old-hub-token', uuid: 'admin' }));
        return;
      }
      response.statusCode = 404;
      response.end(JSON.stringify({ message: `Cannot ${request.method ?? ''} ${request.url ?? ''}` }));
    });
    older.listen(0, '127.0.0.1');
    await once(older, 'listening');
    try {
      const { port } = older.address() as AddressInfo;
      const output = await runCli(['devices', '-u', 'admin'], {
        context: context({ NECK_HUB_URL: `http://127.0.0.1:${port}` }),
      });
      expect(output.code).toBe(1);
      expect(output.errors).toEqual(['neck: GET /devices answered 404: Cannot GET /devices']);
    } finally {
      older.close();
    }
  });
});
