import { readFileSync } from 'node:fs';
import { createClient } from 'redis';
import { Events, HubHealthDto } from '@neck-signal/protocol';
import { type TestPeer, nextEvent } from './support/hub';
import { HubProcess } from './support/hub-process';
import { RedisServer, freePort } from './support/redis-server';

/**
 * Two built hubs on one redis-server, and the redis-server going away (issue 17): SIGKILLed under them, or not
 * there when they start. Each hub must stay up, keep relaying between its own peers, say so once in its log and
 * in `GET /`, and come back together with the other when Redis returns.
 */

const opened: { close(): Promise<void> | void }[] = [];
const track = <T extends { close(): Promise<void> | void }>(thing: T): T => {
  opened.push(thing);
  return thing;
};

afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) await thing.close();
});

const figure = (text: string) => process.stdout.write(`[redis-outage] ${text}\n`);

/** How long Redis stays away: longer than the 5–8 s after which both hubs used to exit. */
const OUTAGE_MS = 10_000;
/** Redis back: within this long, the hubs must be one again. */
const RECOVERY_MS = 30_000;

/** The peers a hub's `GET /` lists: how many, and the necks. */
function peersOf(health: HubHealthDto): { peers: number; necks: string[] } {
  const necks = [...health.necks.map((neck) => neck.peerId), ...(health.quietNecks ?? []).map((peer) => peer.id)];
  return { peers: health.peers, necks: necks.sort() };
}

/**
 * Resolves once both hubs' `GET /` list the same peers as `expected` (there is no event for a registry settling:
 * it is read every 200 ms), or rejects after timeoutMs with what they listed.
 */
async function samePeers(hubs: HubProcess[], expected: { peers: number; necks: string[] }, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let seen: { peers: number; necks: string[] }[] = [];
  while (Date.now() < deadline) {
    seen = await Promise.all(hubs.map(async (hub) => peersOf(await hub.health())));
    if (seen.every((one) => JSON.stringify(one) === JSON.stringify(expected))) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`hubs list ${JSON.stringify(seen)}, not ${JSON.stringify(expected)}`);
}

/** A command from `from` reaches `neck` (and nothing else is asked of it). */
async function commandReaches(from: TestPeer, neck: TestPeer, id: string, timeoutMs = 10_000): Promise<void> {
  const delivered = nextEvent(neck, Events.NeckCommand, timeoutMs, (command) => command.id === id);
  from.emit(Events.NeckCommand, { command: 'X10', id, target: neck.id ?? '' });
  await delivered;
}

/** Each hub keeps relaying between its own peers: a command, its ack, a broadcast. */
async function relaysLocally(ui: TestPeer, neck: TestPeer, id: string): Promise<void> {
  const command = nextEvent(neck, Events.NeckCommand, 5_000, (delivered) => delivered.id === id);
  ui.emit(Events.NeckCommand, { command: 'Y5', id });
  const delivered = await command;
  const ack = nextEvent(ui, Events.NeckAck, 5_000, (answer) => answer.id === id);
  neck.emit(Events.NeckAck, { command: 'X0,Y5,Z0,H0,S1,A1,R0,P0', status: 'written', to: delivered.peerId, id });
  expect(await ack).toMatchObject({ status: 'written', peerId: neck.id, id });
}

describe('several hubs live through a Redis outage (issue 17)', () => {
  it('redis-server SIGKILLed for 10 s under two hubs: both stay up, relay locally, and are one again once it returns', async () => {
    const redis = await RedisServer.start();
    track({ close: () => redis.stop() });
    const hubA = track(await HubProcess.start(['--redis', redis.url]));
    const hubB = track(await HubProcess.start(['--redis', redis.url]));
    const neckA = await hubA.connect('neck', 'neck-a');
    const uiA = await hubA.connect('ui', 'ui-a');
    const neckB = await hubB.connect('neck', 'neck-b');
    const uiB = await hubB.connect('ui', 'ui-b');
    await hubA.connect('observer', 'watcher-a');
    const before = { peers: 5, necks: [neckA.id ?? '', neckB.id ?? ''].sort() };
    await samePeers([hubA, hubB], before, RECOVERY_MS);
    await commandReaches(uiA, neckB, 'before');

    const killedAt = Date.now();
    await redis.kill();
    await Promise.all([hubA, hubB].map((hub) => hub.program.waitFor(/Redis at .* cannot be reached/, 15_000)));
    for (const hub of [hubA, hubB]) expect((await hub.health()).redis).toMatchObject({ state: 'down' });
    await relaysLocally(uiA, neckA, 'during-a');
    await relaysLocally(uiB, neckB, 'during-b');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - killedAt))));
    expect({ a: hubA.alive, b: hubB.alive }).toEqual({ a: true, b: true });
    await relaysLocally(uiA, neckA, 'late-a');
    await relaysLocally(uiB, neckB, 'late-b');

    const back = await RedisServer.start(redis.port);
    track(back);
    const returnedAt = Date.now();
    await Promise.all([hubA, hubB].map((hub) => hub.program.waitFor(/answers again/, RECOVERY_MS)));
    await commandReaches(uiA, neckB, 'after');
    await samePeers([hubA, hubB], before, RECOVERY_MS - (Date.now() - returnedAt));
    figure(`both hubs one again ${Date.now() - returnedAt} ms after Redis returned`);
    for (const hub of [hubA, hubB]) {
      expect((await hub.health()).redis).toMatchObject({ state: 'up', lastError: expect.any(String) });
      // One warning for the outage, however many clients failed and however often they retried.
      expect(hub.program.output.filter((line) => /cannot be reached/.test(line))).toHaveLength(1);
    }
  });

  it('Redis absent at start: both hubs start and serve their own peers, then share them once it comes', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const hubA = track(await HubProcess.start(['--redis', url]));
    const hubB = track(await HubProcess.start(['--redis', url]));
    for (const hub of [hubA, hubB]) {
      await hub.program.waitFor(/Redis at redis:\/\/127\.0\.0\.1:\d+ cannot be reached/);
      expect((await hub.health()).redis).toMatchObject({ state: 'down', lastError: expect.any(String) });
    }
    const neckB = await hubB.connect('neck', 'neck-b');
    const uiB = await hubB.connect('ui', 'ui-b');
    const uiA = await hubA.connect('ui', 'ui-a');
    await relaysLocally(uiB, neckB, 'alone-b');
    // Pairing needs Redis (device keys live there): refused with 503 and the way out; a plain login works.
    const pairing = await hubA.login({ uuid: 'new-device', pair: true });
    expect(pairing.status).toBe(503);
    expect(pairing.body.message).toMatch(/Redis, which this hub cannot reach.*shared password still logs in/);

    const redis = await RedisServer.start(port);
    track(redis);
    const returnedAt = Date.now();
    await Promise.all([hubA, hubB].map((hub) => hub.program.waitFor(/answers again/, RECOVERY_MS)));
    // ui-a, which joined before the hubs met, is told of the neck on the other hub.
    await nextEvent(uiA, Events.NewPeer, RECOVERY_MS, (peer) => peer.id === neckB.id);
    await commandReaches(uiA, neckB, 'after');
    await samePeers([hubA, hubB], { peers: 3, necks: [neckB.id ?? ''] }, RECOVERY_MS - (Date.now() - returnedAt));
    figure(`hubs started without Redis met ${Date.now() - returnedAt} ms after it came`);
    expect((await hubA.login({ uuid: 'new-device', pair: true })).status).toBe(200);
  });
});

describe('unknown targets are answered from the registry (issue 17)', () => {
  it('2,000 peer-messages to unknown targets on each of two hubs: the other hub and Redis do no work for them', async () => {
    const redis = await RedisServer.start();
    track({ close: () => redis.stop() });
    const hubA = track(await HubProcess.start(['--redis', redis.url]));
    const hubB = track(await HubProcess.start(['--redis', redis.url]));
    // Ten senders a hub, 200 messages each: within each one's rate limit (300/s, per uuid).
    const senders = async (hub: HubProcess, name: string) =>
      Promise.all(Array.from({ length: 10 }, (_, i) => hub.connect('ui', `${name}-${i}`)));
    const fromA = await senders(hubA, 'flooder-a');
    const fromB = await senders(hubB, 'flooder-b');
    await samePeers([hubA, hubB], { peers: 20, necks: [] }, RECOVERY_MS);
    const stats = createClient({ url: redis.url });
    track({ close: () => stats.close() });
    await stats.connect();
    const commands = async () => Number(/total_commands_processed:(\d+)/.exec(await stats.info('stats'))?.[1]);
    const cpuMs = (hub: HubProcess) => processCpuMs(hub.program.child.pid ?? 0);

    /** Floods from `senders`; returns the CPU both hubs and the Redis commands it cost. */
    const flood = async (from: TestPeer[]) => {
      const before = { a: cpuMs(hubA), b: cpuMs(hubB), redis: await commands() };
      const answered = from.map((socket) => nErrors(socket, 200, 60_000));
      from.forEach((socket, s) => {
        for (let i = 0; i < 200; i++) socket.emit(Events.PeerMessage, { target: `nobody-${s}-${i}`, message: 'X1' });
      });
      const errors = (await Promise.all(answered)).flat();
      expect(errors.filter((error) => error.code !== 'UNKNOWN_TARGET')).toEqual([]);
      // Our own INFO calls count (2), and each hub's heartbeat (a publish every 5 s).
      return { a: cpuMs(hubA) - before.a, b: cpuMs(hubB) - before.b, redis: (await commands()) - before.redis };
    };
    const onA = await flood(fromA);
    const onB = await flood(fromB);
    figure(
      `2,000 unknown targets on A: A ${onA.a} ms CPU, B ${onA.b} ms, ${onA.redis} Redis commands; ` +
        `on B: B ${onB.b} ms, A ${onB.a} ms, ${onB.redis} Redis commands`,
    );
    expect({ onA: onA.redis < 10, onB: onB.redis < 10 }).toEqual({ onA: true, onB: true });
    // Before, each message cost the other hub ~320 µs (0.6 s for 2,000): now it spends nothing on them, a small
    // fraction of what the flooded hub spends answering them.
    expect(onA.b).toBeLessThan(Math.max(50, onA.a / 4));
    expect(onB.a).toBeLessThan(Math.max(50, onB.b / 4));
  });
});

/** CPU time (user + system) a process has used, ms, from /proc. */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Math.round((ticks * 1000) / 100);
}

/** The first `n` error-messages the socket receives. */
function nErrors(socket: TestPeer, n: number, timeoutMs: number): Promise<{ code: string }[]> {
  return new Promise((resolve, reject) => {
    const seen: { code: string }[] = [];
    const timer = setTimeout(() => reject(new Error(`${seen.length} of ${n} error-messages`)), timeoutMs);
    socket.on(Events.ErrorMessage, (error) => {
      seen.push(error);
      if (seen.length !== n) return;
      clearTimeout(timer);
      resolve(seen);
    });
  });
}
