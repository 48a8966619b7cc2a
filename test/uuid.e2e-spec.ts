import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_UUID_LENGTH, UUID_RULE } from '@neck-signal/protocol';
import { TEST_PASSWORD, TestHub } from './support/hub';
import { Program } from './support/program';
import { SeedPeer } from './support/seed-peer';

/**
 * Uuids as lenient as the original hub: it took any string, so an original Python client whose uuid is
 * `robot neck` looped for ever on our 400. Printable text now works everywhere a uuid goes (login, the socket,
 * peer lists, device keys); a line break, a control character or an over-long one is a clear 400.
 */
describe('uuids as lenient as the original hub', () => {
  let hub: TestHub;
  let dir: string;
  const running: Program[] = [];
  const seeds: SeedPeer[] = [];

  beforeAll(async () => {
    hub = await TestHub.start();
  });

  afterAll(async () => {
    await hub.close();
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'neck-uuid-'));
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((program) => program.kill()));
    await Promise.all(seeds.splice(0).map((seed) => seed.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  const neck = (args: string[]) => {
    const program = Program.start('cli', args, {
      NECK_CONFIG_DIR: dir,
      PEER_SHARED_SECRET: TEST_PASSWORD,
      NECK_HUB_URL: hub.url,
    });
    running.push(program);
    return program;
  };

  it('an original Python client with uuid `robot neck` logs in, connects and shows in `neck peers`', async () => {
    const seed = SeedPeer.start(hub.url, 'robot neck', 'websocket', 'ui', TEST_PASSWORD);
    seeds.push(seed);
    await seed.waitFor((event) => event.event === 'existing-peers');
    const peers = neck(['peers', '--json']);
    expect(await peers.exit()).toEqual({ code: 0, signal: null });
    const listed = JSON.parse(peers.output.join('\n')) as { uuid: string }[];
    expect(listed.map((peer) => peer.uuid)).toContain('robot neck');
    const lines = neck(['peers']);
    expect(await lines.exit()).toEqual({ code: 0, signal: null });
    expect(lines.output.join('\n')).toContain('robot neck');
  });

  it('a login and a socket with uuid `robot neck` work, and the agent pairs and keeps its key under it', async () => {
    const login = await hub.login({ uuid: 'robot neck', role: 'neck' });
    expect(login.uuid).toBe('robot neck');
    const socket = hub.peer({ token: login.token });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    socket.disconnect();

    const agent = Program.start('neck-agent', ['-s', hub.url, '-u', 'robot arm 2', '--simulate', '--config-dir', dir], {
      PEER_SHARED_SECRET: TEST_PASSWORD,
    });
    running.push(agent);
    await agent.waitFor(/connected to .* as robot arm 2 /);
    const keys = JSON.parse(readFileSync(join(dir, 'device-keys.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(keys)).toEqual(['agent:robot arm 2']);
  });

  // Adversary: a uuid that would break a log line or a peer list, or one longer than any the hub keeps.
  it.each([
    ['a line break', 'robot\nneck', UUID_RULE],
    ['an escape sequence', 'robot\u001b[2Jneck', UUID_RULE],
    ['only spaces', '   ', UUID_RULE],
    [
      'too many characters',
      'x'.repeat(MAX_UUID_LENGTH + 1),
      `uuid must be shorter than or equal to ${MAX_UUID_LENGTH} characters`,
    ],
  ])('a uuid with %s gets a clear 400', async (_what, uuid, message) => {
    const response = await hub.postLogin({ uuid, password: TEST_PASSWORD });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ message });
  });

  it('the CLI refuses such a uuid before asking the hub, saying what a uuid may be (exit 2)', async () => {
    const send = neck(['send', 'HOME', '-u', 'two\nlines']);
    expect(await send.exit()).toEqual({ code: 2, signal: null });
    expect(send.output.join('\n')).toContain(`the hub would refuse uuid "two\\nlines": ${UUID_RULE}`);
  });
});
