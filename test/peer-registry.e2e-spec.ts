import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { HubHealthDto, PeerCountsDto, PeerInfoDto } from '@neck-signal/protocol';
import { TEST_PASSWORD, TestHub, TestPeer, collect, nextEvent } from './support/hub';
import { Program } from './support/program';
import { RedisServer } from './support/redis-server';

async function health(url: string): Promise<HubHealthDto> {
  return (await (await fetch(`${url}/`)).json()) as HubHealthDto;
}

/** Polls `GET /` until `accept` holds: hubs learn of each other's peers through Redis, a moment later. */
async function healthUntil(
  url: string,
  accept: (health: HubHealthDto) => boolean,
  what: string,
): Promise<HubHealthDto> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await health(url);
    if (accept(answer)) return answer;
    if (Date.now() > deadline) throw new Error(`GET ${url}/ never showed ${what}: ${JSON.stringify(answer)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A round trip through the hub: everything the hub sent `socket` before it is in. */
async function barrier(socket: TestPeer): Promise<void> {
  const error = nextEvent(socket, 'error-message');
  socket.emit('peer-message', { target: 'nobody', message: 'barrier' });
  await error;
}

describe('observers at scale: they hear of necks and operators, and counts, never of each other', () => {
  let hub: TestHub;

  beforeEach(async () => {
    hub = await TestHub.start();
  });

  afterEach(async () => {
    await hub.close();
  });

  it('observers get no new-peer or peer-disconnect for other observers but peer-counts; operators hear of all', async () => {
    const neck = await hub.connect('neck', 'the-neck');
    const operator = await hub.connect('ui', 'the-operator');
    const first = await hub.connect('observer', 'watcher-1');
    // An observer is told of the neck and the operator, and the counts.
    expect((first.peers as PeerInfoDto[]).map((peer) => peer.uuid).sort()).toEqual(['the-neck', 'the-operator']);
    const toFirst = { joined: collect(first.socket, 'new-peer'), left: collect(first.socket, 'peer-disconnect') };
    const counts: PeerCountsDto[] = collect(first.socket, 'peer-counts');

    // The adversary: a crowd of watchers, each of whom would cost every other one a message per join and leave.
    const crowd = [];
    for (let i = 0; i < 20; i++) crowd.push(await hub.connect('observer', `watcher-${i + 2}`));
    expect(crowd.every((peer) => (peer.peers as PeerInfoDto[]).length === 2)).toBe(true);
    const operatorHeard = collect(operator.socket, 'peer-disconnect');
    const leaverSid = crowd[0].socket.id;
    crowd[0].socket.disconnect();
    await nextEvent(first.socket, 'peer-counts', 5_000, (now) => now.observers === 20);
    expect(counts.at(-1)).toEqual({ necks: 1, operators: 1, observers: 20 });
    // Counts come at most once a second: far fewer messages than the 21 joins and leaves they summarise.
    expect(counts.length).toBeLessThanOrEqual(3);
    await barrier(operator.socket);
    expect(operatorHeard).toEqual([leaverSid]);
    await barrier(first.socket);
    expect(toFirst.joined).toEqual([]);
    expect(toFirst.left).toEqual([]);

    // Necks and operators joining and leaving are announced to observers, with the seed payloads.
    const second = await hub.connect('ui', 'second-operator');
    const secondSid = second.socket.id;
    expect(await nextEvent(first.socket, 'new-peer', 5_000, (peer) => peer.uuid === 'second-operator')).toEqual({
      id: secondSid,
      uuid: 'second-operator',
      roles: ['ui'],
    });
    const gone = nextEvent(first.socket, 'peer-disconnect');
    second.socket.disconnect();
    expect(await gone).toBe(secondSid);
    // The neck still lists every peer, observers included.
    const late = await hub.connect('neck', 'late-neck');
    expect((late.peers as PeerInfoDto[]).filter((peer) => peer.roles.includes('observer'))).toHaveLength(20);
    expect(neck.socket.connected).toBe(true);
  });
});

describe('several hubs on one Redis: one registry of peers', () => {
  let redis: RedisServer;
  let hubA: TestHub;
  let hubB: Program | undefined;
  const dirs: string[] = [];
  const sockets: TestPeer[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });

  afterAll(async () => {
    await redis.stop();
  });

  beforeEach(async () => {
    hubA = await TestHub.start({ redisUrl: redis.url });
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await hubB?.kill();
    await hubA.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** neck-hub as its own process on the same Redis (so that it can die as a process does). */
  async function startHubB(): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'neck-hub-b-'));
    dirs.push(dir);
    hubB = Program.start('hub', ['--port', '0', '--host', '127.0.0.1', '--no-tunnel', '--redis', redis.url], {
      PEER_SHARED_SECRET: TEST_PASSWORD,
      JWT_SECRET: hubA.settings.auth.jwtSecret,
      NECK_CONFIG_DIR: dir,
    });
    const [, url] = await hubB.waitFor(/listening on (http:\/\/\S+)/);
    return url;
  }

  async function connectTo(url: string, role: 'neck' | 'ui', uuid: string): Promise<TestPeer> {
    const response = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: TEST_PASSWORD, uuid, role }),
    });
    const { token } = (await response.json()) as { token: string };
    const socket: TestPeer = io(url, { auth: { token }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    await nextEvent(socket, 'existing-peers');
    return socket;
  }

  it('GET / on one hub lists the necks of every hub; a hub that dies takes its peers with it', async () => {
    const urlB = await startHubB();
    const ui = await hubA.connect('ui', 'ui-on-a');
    const neckOnB = await connectTo(urlB, 'neck', 'neck-on-b');
    const neckSid = neckOnB.id;
    neckOnB.emit('neck_status', {
      serial: { state: 'open', path: '/dev/ttyUSB0', baud: 115200 },
      firmware: { state: 'ready', answersHealth: true },
      control: { holder: null, leaseMs: 2000, stopped: false, stoppedBy: null },
      pose: null,
      queueDepth: 0,
      health: null,
    });
    const listed = await healthUntil(hubA.url, (answer) => answer.necks.length === 1, 'the neck on hub B');
    expect(listed.necks[0]).toMatchObject({ peerId: neckSid, uuid: 'neck-on-b', serial: { state: 'open' } });
    expect(listed.peers).toBe(2);
    // A command from hub A reaches the neck on hub B (no NO_NECK), stamped by hub A.
    const command = nextEvent(neckOnB, 'neck_command');
    ui.socket.emit('neck_command', { command: 'X10', id: 'c1' });
    expect(await command).toMatchObject({ command: 'X10', id: 'c1', hub: { hub: expect.any(String) } });

    // The adversary: hub B killed outright; it can say nothing, so hub A must notice it fell silent.
    const left = nextEvent(ui.socket, 'peer-disconnect', 30_000);
    await hubB?.kill();
    expect(await left).toBe(neckSid);
    expect((await health(hubA.url)).necks).toEqual([]);
    expect((await health(hubA.url)).peers).toBe(1);
    const refused = nextEvent(ui.socket, 'error-message');
    ui.socket.emit('neck_command', { command: 'X10', id: 'c2' });
    expect(await refused).toMatchObject({ code: 'NO_NECK', id: 'c2' });
  }, 60_000);

  it('a hub started later learns the peers already on the others', async () => {
    await hubA.connect('neck', 'early-neck');
    await hubA.connect('observer', 'early-watcher');
    const urlB = await startHubB();
    const answer = await healthUntil(urlB, (health) => health.peers === 2, 'the two peers of hub A');
    expect(answer.quietNecks?.map((peer) => peer.uuid)).toEqual(['early-neck']);
    const ui = await connectTo(urlB, 'ui', 'late-ui-on-b');
    expect(ui.connected).toBe(true);
  }, 60_000);
});
