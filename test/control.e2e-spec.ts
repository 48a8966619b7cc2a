import { io } from 'socket.io-client';
import { HubClient } from '@neck-signal/hub-client';
import { Events, type NeckAckDeliveryDto } from '@neck-signal/protocol';
import {
  PASSWORD,
  type Rig,
  type WireNeck,
  bounded,
  closeRig,
  count,
  nextStatus,
  nthOutput,
  startRig,
  track,
  within,
} from './support/neck-rig';
import { type TestPeer, nextEvent } from './support/hub';
import type { Program } from './support/program';
import { RedisServer } from './support/redis-server';
import { SeedPeer } from './support/seed-peer';
import { TcpProxy } from './support/tcp-proxy';

/**
 * One operator at a time, a STOP anyone can press, and no stale motion: the hub and agent as programs, the
 * virtual neck on a socat PTY, operators as HubClients (and one original Python client).
 */

/** Control lasts this long without motion in these tests (the default is 2 s). */
const LEASE_MS = 500;
/** A pose later than its sender's usual by more than this is dropped (the default). */
const STALE_AFTER_MS = 250;

afterEach(() => closeRig());

/** Sends `text` every `periodMs` until stopped; collects every ack (and every failure to send). */
class Stream {
  readonly acks: NeckAckDeliveryDto[] = [];
  readonly sent: { seq: number; at: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private readonly pending: Promise<unknown>[] = [];

  constructor(
    private readonly client: HubClient,
    private readonly line: (seq: number) => string,
    private readonly periodMs: number,
  ) {}

  start(): this {
    this.timer = setInterval(() => this.send(), this.periodMs);
    return this;
  }

  /** Stops sending; resolves once every command sent has been answered (or failed). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await bounded(Promise.allSettled(this.pending), 'the stream’s acks', 30_000);
  }

  private send(): void {
    const seq = ++this.seq;
    this.sent.push({ seq, at: performance.now() });
    this.pending.push(
      this.client.sendCommand(this.line(seq), { via: 'neck_command' }).then(({ ack }) => this.acks.push(ack)),
    );
  }
}

/** Direction reversals in the X of the head lines the firmware ran. */
function reversals(lines: readonly string[]): number {
  const signs = lines.flatMap((line) => {
    const match = /^X(-?\d+),/.exec(line);
    return match ? [Math.sign(Number(match[1]))] : [];
  });
  return signs.filter((sign, i) => i > 0 && sign !== 0 && signs[i - 1] !== 0 && sign !== signs[i - 1]).length;
}

/** Resolves with the moment the first ack matching `accept` arrives at `client`. */
function firstAck(client: HubClient, accept: (ack: NeckAckDeliveryDto) => boolean): Promise<number> {
  return within(
    15_000,
    () => 'a matching ack',
    (resolve) =>
      client.on(Events.NeckAck, (ack) => {
        if (accept(ack)) resolve(performance.now());
      }),
  );
}

/** Resolves once the neck has received `line` `n` times in all. */
function nthReceived(neck: WireNeck, line: string, n: number): Promise<void> {
  return within(
    15_000,
    () => `the virtual neck to receive ${line} ${n} times; it has ${JSON.stringify(neck.received.slice(-5))}`,
    (resolve) => {
      const check = () => {
        if (count(neck.received, line) >= n) resolve(undefined);
      };
      check();
      return neck.onReceived(check);
    },
  );
}

const countOutput = (program: Program, pattern: RegExp) => program.output.filter((line) => pattern.test(line)).length;

describe.each([
  ['one hub', false],
  ['two hubs sharing a real redis-server', true],
] as const)('control of a neck across %s', (_name, twoHubs) => {
  let redis: RedisServer | undefined;

  beforeAll(async () => {
    if (twoHubs) redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  async function startOperators(): Promise<{ rig: Rig; alice: HubClient; bob: HubClient }> {
    const rig = await startRig({
      agentConfig: { control_lease_ms: LEASE_MS },
      ...(redis ? { redisUrl: redis.url } : {}),
    });
    const alice = await rig.operator('alice', 0);
    const bob = await rig.operator('bob', twoHubs ? 1 : 0);
    return { rig, alice, bob };
  }

  it('two operators streaming opposite poses: only the holder’s are written, the other is told who holds it', async () => {
    const { rig, alice, bob } = await startOperators();
    const before = rig.neck.received.length;
    const aliceStream = new Stream(alice, () => 'X300', 20).start();
    await firstAck(alice, (ack) => ack.status === 'written');
    const bobStream = new Stream(bob, () => 'X-300', 20).start();
    await firstAck(bob, (ack) => ack.error?.code === 'CONTROL_HELD');
    await new Promise<void>((resolve) => setTimeout(resolve, 1000));
    await aliceStream.stop();
    const aliceStoppedAt = performance.now();

    // Alice has let go: within a lease the neck is Bob's.
    const bobTookOverAt = await firstAck(bob, (ack) => ack.status === 'written');
    await bobStream.stop();
    await rig.neck.untilLine('X-300,Y0,Z0,H0,S1,A1,R0,P0');
    const lines = rig.neck.received.slice(before).filter((line) => line.startsWith('X'));
    const heldRefusals = bobStream.acks.filter((ack) => ack.error?.code === 'CONTROL_HELD');
    process.stdout.write(
      `control e2e (${_name}): ${lines.length} head lines written, ${reversals(lines)} direction reversals, ` +
        `${heldRefusals.length} CONTROL_HELD refusals, Bob took over ${Math.round(bobTookOverAt - aliceStoppedAt)} ms after Alice stopped\n`,
    );
    expect(reversals(lines)).toBe(1);
    expect(lines[0]).toBe('X300,Y0,Z0,H0,S1,A1,R0,P0');
    expect(lines.at(-1)).toBe('X-300,Y0,Z0,H0,S1,A1,R0,P0');
    expect(heldRefusals.length).toBeGreaterThan(20);
    expect(heldRefusals[0].error?.message).toMatch(/^alice holds this neck's control/);
    expect(aliceStream.acks.every((ack) => ack.status !== 'rejected')).toBe(true);
    expect(bobTookOverAt - aliceStoppedAt).toBeLessThan(2 * LEASE_MS);
  });

  it('TAKE takes control at once (the holder sees it), YIELD gives it up, and a holder that leaves frees it', async () => {
    const { rig, alice, bob } = await startOperators();
    await alice.sendCommand('X100', { via: 'neck_command' });
    const aliceSeesBob = nextStatus(alice, (status) => status.control.holder?.uuid === 'bob');
    const take = await bob.sendCommand('TAKE', { via: 'neck_command' });
    expect(take.ack).toMatchObject({ command: 'TAKE', status: 'applied' });
    expect((await aliceSeesBob).status.control).toMatchObject({ holder: { uuid: 'bob' }, stopped: false });
    expect((await alice.sendCommand('X110', { via: 'neck_command' })).ack.error?.code).toBe('CONTROL_HELD');
    expect((await bob.sendCommand('X120', { via: 'neck_command' })).ack.status).toBe('written');
    expect((await bob.sendCommand('YIELD', { via: 'neck_command' })).ack.status).toBe('applied');
    expect((await alice.sendCommand('X130', { via: 'neck_command' })).ack.status).toBe('written');

    const free = nextStatus(bob, (status) => status.control.holder === null);
    await alice.close();
    await free;
    expect((await bob.sendCommand('X140', { via: 'neck_command' })).ack.status).toBe('written');
    await rig.neck.untilLine('X140,Y0,Z0,H0,S1,A1,R0,P0');
    expect(rig.neck.received.filter((line) => /^X1\d0,/.test(line))).toEqual([
      'X100,Y0,Z0,H0,S1,A1,R0,P0',
      'X120,Y0,Z0,H0,S1,A1,R0,P0',
      'X130,Y0,Z0,H0,S1,A1,R0,P0',
      'X140,Y0,Z0,H0,S1,A1,R0,P0',
    ]);
  });

  it('STOP during a stream: nothing more is written after its ack, and no motion until RELEASE', async () => {
    const { rig, alice, bob } = await startOperators();
    const stream = new Stream(alice, (seq) => `X${seq % 600}`, 10).start();
    await firstAck(alice, (ack) => ack.status === 'written');
    await new Promise<void>((resolve) => setTimeout(resolve, 300));
    const stop = await bob.sendCommand('STOP', { via: 'neck_command' });
    expect(stop.ack).toMatchObject({ command: 'STOP', status: 'applied' });
    await firstAck(alice, (ack) => ack.error?.code === 'STOPPED');
    await stream.stop();
    // A barrier: HEALTH moves nothing and is taken while stopped; once the neck has it, it has all before it.
    // Its ack `written` is not enough: the bytes may still be in socat, and the agent's log still in its pipe.
    const neckHasBarrier = nthReceived(rig.neck, 'HEALTH', count(rig.neck.received, 'HEALTH') + 1);
    const agentLoggedBarrier = nthOutput(rig.agent, /wrote HEALTH$/, countOutput(rig.agent, /wrote HEALTH$/) + 1);
    expect((await bob.sendCommand('HEALTH', { via: 'neck_command' })).ack.status).toBe('written');
    await neckHasBarrier;
    await agentLoggedBarrier;
    await rig.neck.idle();
    const stopLogged = rig.agent.output.findIndex((line) => /STOP by bob/.test(line));
    expect(stopLogged).toBeGreaterThan(0);
    const wroteAfterStop = rig.agent.output.slice(stopLogged).filter((line) => /wrote X/.test(line));
    const wrote = rig.agent.output.filter((line) => /wrote X/.test(line));
    process.stdout.write(
      `control e2e (${_name}): STOP: ${wroteAfterStop.length} poses written after it, ` +
        `${stream.acks.filter((ack) => ack.error?.code === 'STOPPED').length} refused STOPPED\n`,
    );
    expect(wroteAfterStop).toEqual([]);
    // What the neck ran is exactly what the agent wrote before STOP: nothing came later.
    expect(rig.neck.received.filter((line) => line.startsWith('X'))).toHaveLength(wrote.length);
    expect((await alice.sendCommand('X5', { via: 'neck_command' })).ack.error?.code).toBe('STOPPED');
    expect((await alice.sendCommand('RELEASE', { via: 'neck_command' })).ack.status).toBe('applied');
    expect((await alice.sendCommand('X5', { via: 'neck_command' })).ack.status).toBe('written');
  });
});

describe('no stale motion', () => {
  /** Each pose carries its number in X and Y (X = n mod 700, Y = n div 700), so that the neck's line tells its age. */
  const poseOf = (seq: number) => `X${seq % 700},Y${Math.floor(seq / 700)}`;
  const seqOf = (line: string): number | undefined => {
    const match = /^X(\d+),Y(\d+),/.exec(line);
    return match ? Number(match[2]) * 700 + Number(match[1]) : undefined;
  };

  /**
   * Streams at 100 Hz for 1 s, stalls the path for 5 s while streaming on, restores it, streams 1 s more; then
   * every pose the firmware ran, with its age (run time − send time, one clock: all in this process).
   */
  async function streamThroughStall(
    rig: Rig,
    client: HubClient,
    stall: () => void,
    restore: () => void,
  ): Promise<{ ages: { seq: number; ageMs: number; afterStall: boolean }[]; stream: Stream }> {
    const runs: { line: string; at: number }[] = [];
    rig.neck.onRun((line, at) => runs.push({ line, at }));
    const stream = new Stream(client, poseOf, 10).start();
    await new Promise<void>((resolve) => setTimeout(resolve, 1000));
    stall();
    await new Promise<void>((resolve) => setTimeout(resolve, 5000));
    const restoredAt = performance.now();
    restore();
    await new Promise<void>((resolve) => setTimeout(resolve, 1000));
    await stream.stop();
    await rig.neck.idle();
    const sentAt = new Map(stream.sent.map(({ seq, at }) => [seq, at]));
    const ages = runs.flatMap(({ line, at }) => {
      const seq = seqOf(line);
      const sent = seq === undefined ? undefined : sentAt.get(seq);
      return seq === undefined || sent === undefined ? [] : [{ seq, ageMs: at - sent, afterStall: at >= restoredAt }];
    });
    return { ages, stream };
  }

  function report(what: string, ages: { ageMs: number; afterStall: boolean }[], stream: Stream): void {
    const after = ages.filter((age) => age.afterStall);
    const usual = Math.min(...ages.map((age) => age.ageMs));
    const oldest = Math.max(...after.map((age) => age.ageMs));
    process.stdout.write(
      `control e2e: ${what}: ${stream.sent.length} poses sent, ${after.length} written after the stall, the oldest ` +
        `${Math.round(oldest)} ms old (usual ${Math.round(usual)} ms); ${stream.acks.filter((ack) => ack.status === 'stale').length} acked stale\n`,
    );
  }

  it('a hub frozen for 5 s (SIGSTOP) while the operator streams at 100 Hz: no pose older than the bound reaches the neck', async () => {
    const rig = await startRig();
    const pid = rig.hub.child.pid;
    if (pid === undefined) throw new Error('the hub has no pid');
    track(() => {
      // A test that failed mid-freeze must not leave the hub stopped (it may have exited already).
      if (rig.hub.child.exitCode === null) process.kill(pid, 'SIGCONT');
    });
    const { ages, stream } = await streamThroughStall(
      rig,
      rig.ui,
      () => process.kill(pid, 'SIGSTOP'),
      () => process.kill(pid, 'SIGCONT'),
    );
    report('hub frozen 5 s', ages, stream);
    const usual = Math.min(...ages.map((age) => age.ageMs));
    // The bound is on the agent's side; the queue and the wire after it add a few ms.
    expect(ages.filter((age) => age.ageMs > usual + STALE_AFTER_MS + 50)).toEqual([]);
    expect(stream.acks.filter((ack) => ack.status === 'stale').length).toBeGreaterThan(100);
    expect(ages.some((age) => age.afterStall)).toBe(true);
  });

  it('an operator’s link black-holed for 5 s (a TCP proxy holds every byte): no pose older than the bound reaches the neck', async () => {
    const rig = await startRig();
    const proxy = await TcpProxy.start(rig.hubPort);
    track(() => proxy.close());
    const client = new HubClient({
      url: `http://127.0.0.1:${proxy.port}`,
      password: PASSWORD,
      uuid: 'far-operator',
      role: 'ui',
      transports: ['websocket'],
      ackTimeoutMs: 20_000,
    });
    track(() => client.close());
    await client.connect();
    const { ages, stream } = await streamThroughStall(
      rig,
      client,
      () => proxy.blackHole(),
      () => proxy.restore(),
    );
    report('link black-holed 5 s', ages, stream);
    const usual = Math.min(...ages.map((age) => age.ageMs));
    expect(ages.filter((age) => age.ageMs > usual + STALE_AFTER_MS + 50)).toEqual([]);
    expect(stream.acks.filter((ack) => ack.status === 'stale').length).toBeGreaterThan(100);
    expect(ages.some((age) => age.afterStall)).toBe(true);
  });
});

describe('no stale motion in a compound (issue 17)', () => {
  // Adversary: with the usual delay learnt, `X60` stamped 2 s late was dropped, but `X60|Y10` and `X61|X61`
  // stamped the same were written: the gate judged simple poses only.
  it('drops a late compound containing a pose as stale, and the neck runs none of it', async () => {
    const rig = await startRig();
    const url = `http://127.0.0.1:${rig.hubPort}`;
    const login = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: PASSWORD, uuid: 'late-operator', role: 'ui' }),
    });
    const { token } = (await login.json()) as { token: string };
    const socket: TestPeer = io(url, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    track(() => void socket.disconnect());
    await nextEvent(socket, Events.ExistingPeers);
    const send = (id: string, command: string, lateMs: number) =>
      within<NeckAckDeliveryDto>(
        15_000,
        () => `the ack of ${id}`,
        (resolve) => {
          const listener = (ack: NeckAckDeliveryDto) => {
            if (ack.id === id) resolve(ack);
          };
          socket.on(Events.NeckAck, listener);
          socket.emit(Events.NeckCommand, { command, id, sentAt: Date.now() - lateMs });
          return () => socket.off(Events.NeckAck, listener);
        },
      );
    // The agent learns this sender's usual delay from fresh poses.
    for (let i = 1; i <= 3; i++) expect((await send(`fresh-${i}`, `X${i}`, 0)).status).toBe('written');
    for (const [id, command] of [
      ['late-compound', 'X60|Y10'],
      ['late-twice', 'X61|X61'],
      ['late-home-then-pose', 'HOME_SOFT|X62'],
    ]) {
      expect({ id, ack: await send(id, command, 2000) }).toMatchObject({
        id,
        ack: { status: 'stale', error: { code: 'STALE' } },
      });
    }
    expect((await send('after', 'X5', 0)).status).toBe('written');
    await rig.neck.untilLine('X5,Y0,Z0,H0,S1,A1,R0,P0');
    expect(rig.neck.received.filter((line) => /^(X6[012],|HOME_SOFT)/.test(line))).toEqual([]);
  });
});

describe('the original Python UI (no stamps, no lease calls)', () => {
  it('drives a free neck, and gets a refusal as an ack like any other while another operator holds it', async () => {
    const rig = await startRig({ agentConfig: { control_lease_ms: LEASE_MS } });
    const seed = SeedPeer.start(`http://127.0.0.1:${rig.hubPort}`, 'seed-ui', 'websocket', 'ui', PASSWORD);
    track(() => seed.stop());
    await seed.waitFor((event) => event.event === 'connected');
    seed.send('X40');
    const written = await seed.waitFor((event) => event.event === 'neck_ack' && event.data?.status === 'written');
    expect(written.data).toMatchObject({ command: 'X40,Y0,Z0,H0,S1,A1,R0,P0', status: 'written' });
    await rig.neck.untilLine('X40,Y0,Z0,H0,S1,A1,R0,P0');
    expect(rig.neck.received).toContain('X40,Y0,Z0,H0,S1,A1,R0,P0');

    // Someone else takes control: the seed UI's next line is refused, and it is told so in an ack.
    expect((await rig.ui.sendCommand('TAKE', { via: 'neck_command' })).ack.status).toBe('applied');
    seed.send('X41');
    const refused = await seed.waitFor((event) => event.event === 'neck_ack' && event.data?.status === 'rejected');
    expect(refused.data).toMatchObject({ command: 'X41', error: { code: 'CONTROL_HELD' } });
    expect(rig.neck.received).not.toContain('X41,Y0,Z0,H0,S1,A1,R0,P0');
  });
});
