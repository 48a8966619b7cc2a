import { HubHealthDto, NeckStatusDto } from '@neck-signal/protocol';
import { TestHub, TestPeer, collect, nextEvent, HUB_STAMP } from './support/hub';

const STATUS: NeckStatusDto = {
  serial: { state: 'open', path: '/dev/ttyUSB0', baud: 115200 },
  firmware: { state: 'ready', answersHealth: true },
  control: { holder: { uuid: 'operator-1', sid: 'sid-1' }, leaseMs: 2000, stopped: false, stoppedBy: null },
  pose: { X: 50, Y: 0, Z: 0, H: 0, S: 1, A: 1, R: 0, P: 0 },
  actuatorsMm: [1, 2, 3, 4, 5, 6],
  queueDepth: 0,
  health: null,
};

describe('hub: signalling', () => {
  let hub: TestHub;

  beforeEach(async () => {
    hub = await TestHub.start();
  });

  afterEach(async () => {
    await hub.close();
  });

  /** Sends a broadcast from `from` and waits until `to` has it: everything sent before has been routed. */
  async function barrier(from: TestPeer, to: TestPeer): Promise<void> {
    const marker = `barrier-${Math.random()}`;
    const arrived = nextEvent(to, 'peer-message', 5_000, (payload) => payload.message === marker);
    from.emit('broadcast-message', { message: marker });
    await arrived;
  }

  it('tells a new peer who is there, and everyone else about the new peer', async () => {
    const a = await hub.connect('ui', 'alice');
    expect(a.peers).toEqual([]);
    const joined = nextEvent(a.socket, 'new-peer');
    const n = await hub.connect('neck', 'neck-1');
    expect(n.peers).toEqual([{ id: a.socket.id, uuid: 'alice', roles: ['ui'] }]);
    expect(await joined).toEqual({ id: n.socket.id, uuid: 'neck-1', roles: ['neck'] });
  });

  it('relays broadcast-message to everyone else as peer-message {peerId, uuid, message}', async () => {
    const a = await hub.connect('ui');
    const b = await hub.connect('ui');
    const c = await hub.connect('neck');
    const toA = collect(a.socket, 'peer-message');
    const atB = nextEvent(b.socket, 'peer-message');
    const atC = nextEvent(c.socket, 'peer-message');
    a.socket.emit('broadcast-message', { message: 'HOME' });
    expect(await atB).toEqual({ peerId: a.socket.id, uuid: a.uuid, message: 'HOME', hub: HUB_STAMP });
    expect(await atC).toEqual({ peerId: a.socket.id, uuid: a.uuid, message: 'HOME', hub: HUB_STAMP });
    await barrier(b.socket, a.socket);
    expect(toA.map((m) => m.message)).not.toContain('HOME');
  });

  it('passes a message id and the sender’s stamp through', async () => {
    const a = await hub.connect('ui');
    const b = await hub.connect('ui');
    const atB = nextEvent(b.socket, 'peer-message');
    a.socket.emit('broadcast-message', { message: 'X30', id: 'cmd-7', sentAt: 99, seq: 3 });
    expect(await atB).toEqual({
      peerId: a.socket.id,
      uuid: a.uuid,
      message: 'X30',
      id: 'cmd-7',
      sentAt: 99,
      seq: 3,
      hub: HUB_STAMP,
    });
  });

  it('delivers a directed peer-message to its target only', async () => {
    const a = await hub.connect('ui');
    const b = await hub.connect('ui');
    const c = await hub.connect('neck');
    const atB = collect(b.socket, 'peer-message');
    const atC = nextEvent(c.socket, 'peer-message');
    a.socket.emit('peer-message', { target: c.socket.id ?? '', message: 'X30' });
    expect(await atC).toEqual({ peerId: a.socket.id, uuid: a.uuid, message: 'X30', hub: HUB_STAMP });
    await barrier(c.socket, b.socket);
    expect(atB.map((m) => m.message)).toEqual([expect.stringMatching(/^barrier-/)]);
  });

  it('answers an unknown target with error-message UNKNOWN_TARGET, and a room name is not a target', async () => {
    const a = await hub.connect('ui');
    const neck = await hub.connect('neck');
    const atNeck = collect(neck.socket, 'peer-message');
    for (const target of ['no-such-sid', 'role:neck']) {
      const error = nextEvent(a.socket, 'error-message');
      a.socket.emit('peer-message', { target, message: 'X30' });
      expect(await error).toEqual({
        code: 'UNKNOWN_TARGET',
        message: expect.stringContaining(`no peer with id ${target}`),
      });
    }
    await barrier(a.socket, neck.socket);
    expect(atNeck.map((m) => m.message)).toEqual([expect.stringMatching(/^barrier-/)]);
  });

  it.each<[string, string, unknown, string]>([
    ['broadcast-message without message', 'broadcast-message', {}, 'message must be a string'],
    ['broadcast-message that is a string', 'broadcast-message', 'HOME', 'INVALID_PAYLOAD'],
    ['broadcast-message too long', 'broadcast-message', { message: 'x'.repeat(1025) }, 'shorter than or equal to 1024'],
    ['peer-message without target', 'peer-message', { message: 'X' }, 'target must be a string'],
    ['neck_command with a number', 'neck_command', { command: 5 }, 'command must be a string'],
    ['neck_ack with a bad status', 'neck_ack', { command: 'X', status: 'done' }, 'status must be one of'],
    ['neck_status without serial', 'neck_status', { queueDepth: 0, pose: null, health: null }, 'serial'],
    ['unknown properties', 'broadcast-message', { message: 'x', admin: true }, 'property admin should not exist'],
  ])('%s: error-message INVALID_PAYLOAD, nothing relayed', async (_name, event, payload, text) => {
    const a = await hub.connect('ui');
    const b = await hub.connect('ui');
    const relayed = collect(b.socket, 'peer-message');
    const error = nextEvent(a.socket, 'error-message');
    (a.socket.emit as (event: string, payload: unknown) => void)(event, payload);
    const received = await error;
    expect(received.code).toBe('INVALID_PAYLOAD');
    expect(`${received.code} ${received.message}`).toContain(text);
    await barrier(a.socket, b.socket);
    expect(relayed).toHaveLength(1);
  });

  it('tells everyone else the sid of a peer that left', async () => {
    const a = await hub.connect('ui');
    const b = await hub.connect('neck');
    const left = nextEvent(a.socket, 'peer-disconnect');
    const sid = b.socket.id;
    b.socket.disconnect();
    expect(await left).toBe(sid);
  });

  describe('neck events are routed by role', () => {
    it('sends neck_command to every neck with the sender as peerId, not to other operators', async () => {
      const ui = await hub.connect('ui');
      const other = await hub.connect('ui');
      const neck1 = await hub.connect('neck');
      const neck2 = await hub.connect('neck');
      const toOther = collect(other.socket, 'neck_command');
      const at1 = nextEvent(neck1.socket, 'neck_command');
      const at2 = nextEvent(neck2.socket, 'neck_command');
      ui.socket.emit('neck_command', { command: 'X30', id: 'c1' });
      // The hub stamps what it relays (its id, when it received the command, how long it took) for the timeline.
      const stamp = { hub: expect.any(String), at: expect.any(Number), ms: expect.any(Number) };
      expect(await at1).toEqual({ command: 'X30', peerId: ui.socket.id, uuid: ui.uuid, id: 'c1', hub: stamp });
      expect(await at2).toEqual({ command: 'X30', peerId: ui.socket.id, uuid: ui.uuid, id: 'c1', hub: stamp });
      await barrier(ui.socket, other.socket);
      expect(toOther).toEqual([]);
    });

    it('adds its own part to the timeline the neck reports (hub and link), and keeps it for GET /', async () => {
      const ui = await hub.connect('ui');
      const neck = await hub.connect('neck');
      const command = nextEvent(neck.socket, 'neck_command');
      ui.socket.emit('neck_command', { command: 'X30', id: 't1' });
      const delivered = await command;
      // A neck that takes 20 ms of its own (never comparing clocks: it reports a duration).
      await new Promise((resolve) => setTimeout(resolve, 20));
      const ack = nextEvent(ui.socket, 'neck_ack');
      const agent = { agentMs: 20, queueMs: 5, wireMs: 2 };
      neck.socket.emit('neck_ack', { command: 'X30', to: ui.socket.id, id: 't1', hub: delivered.hub, timeline: agent });
      const { timeline } = await ack;
      expect(timeline).toEqual({ ...agent, hubMs: delivered.hub?.ms, linkMs: expect.any(Number) });
      // The link is the hub's round trip less the agent's 20 ms: a few ms here, never the 20 counted twice.
      expect(timeline?.linkMs).toBeLessThan(20);
      const health = (await (await fetch(`${hub.url}/`)).json()) as HubHealthDto;
      expect(health.timeline).toMatchObject({ commands: 1, agent: { count: 1, p50: 20, max: 20 }, wire: { p95: 2 } });
      // A stamp from another hub (or forged) is relayed, but not counted as this hub's round trip.
      const forged = nextEvent(ui.socket, 'neck_ack');
      const stamp = { hub: 'another-hub', at: 1, ms: 0.5 };
      neck.socket.emit('neck_ack', { command: 'X31', to: ui.socket.id, hub: stamp, timeline: agent });
      expect((await forged).timeline).toEqual({ ...agent, hubMs: 0.5 });
    });

    it('sends a targeted neck_command to that neck only, and refuses a target that is not a neck', async () => {
      const ui = await hub.connect('ui');
      const neck1 = await hub.connect('neck');
      const neck2 = await hub.connect('neck');
      const at2 = collect(neck2.socket, 'neck_command');
      const at1 = nextEvent(neck1.socket, 'neck_command');
      ui.socket.emit('neck_command', { command: 'HOME', target: neck1.socket.id ?? '' });
      expect(await at1).toEqual({ command: 'HOME', peerId: ui.socket.id, uuid: ui.uuid, hub: expect.any(Object) });

      const other = await hub.connect('ui');
      const error = nextEvent(ui.socket, 'error-message');
      ui.socket.emit('neck_command', { command: 'HOME', target: other.socket.id ?? '' });
      expect(await error).toEqual({ code: 'UNKNOWN_TARGET', message: `peer ${other.socket.id} is not a neck` });
      await barrier(ui.socket, neck2.socket);
      expect(at2).toEqual([]);
    });

    it('answers neck_command with NO_NECK when no neck is connected', async () => {
      const ui = await hub.connect('ui');
      const error = nextEvent(ui.socket, 'error-message');
      ui.socket.emit('neck_command', { command: 'HOME' });
      expect(await error).toEqual({ code: 'NO_NECK', message: expect.stringContaining('no neck is connected') });
    });

    it('answers a command that carried an id with error-message carrying that id', async () => {
      const ui = await hub.connect('ui');
      const unknown = nextEvent(ui.socket, 'error-message');
      ui.socket.emit('neck_command', { command: 'HOME', target: 'no-such-sid', id: 'x1' });
      expect(await unknown).toEqual({
        code: 'UNKNOWN_TARGET',
        message: expect.stringContaining('no peer with id no-such-sid'),
        id: 'x1',
      });

      const noNeck = nextEvent(ui.socket, 'error-message');
      ui.socket.emit('neck_command', { command: 'HOME', id: 'x2' });
      expect(await noNeck).toEqual({ code: 'NO_NECK', message: expect.stringContaining('no neck'), id: 'x2' });

      const directed = nextEvent(ui.socket, 'error-message');
      ui.socket.emit('peer-message', { target: 'nobody', message: 'X30', id: 'p1' });
      expect(await directed).toMatchObject({ code: 'UNKNOWN_TARGET', id: 'p1' });

      const invalid = nextEvent(ui.socket, 'error-message');
      (ui.socket.emit as (event: string, payload: unknown) => void)('broadcast-message', { message: 5, id: 'b1' });
      expect(await invalid).toEqual({ code: 'INVALID_PAYLOAD', message: 'message must be a string', id: 'b1' });
    });

    it('answers a payload without id, with an invalid id, or an ack with error-message without id', async () => {
      const ui = await hub.connect('ui');
      const withoutId = nextEvent(ui.socket, 'error-message');
      ui.socket.emit('neck_command', { command: 'HOME' });
      const plain = await withoutId;
      expect(plain.code).toBe('NO_NECK');
      expect(plain).not.toHaveProperty('id');

      // An id the protocol refuses is not echoed; neither is the id of an ack, which names another peer's command.
      const tooLong = nextEvent(ui.socket, 'error-message');
      ui.socket.emit('neck_command', { command: 'HOME', id: 'x'.repeat(65) });
      const refused = await tooLong;
      expect(refused).toMatchObject({
        code: 'INVALID_PAYLOAD',
        message: expect.stringContaining('id must be shorter'),
      });
      expect(refused).not.toHaveProperty('id');
      const badAck = nextEvent(ui.socket, 'error-message');
      (ui.socket.emit as (event: string, payload: unknown) => void)('neck_ack', {
        command: 'X',
        status: 'done',
        id: 'c9',
      });
      const ackError = await badAck;
      expect(ackError.code).toBe('INVALID_PAYLOAD');
      expect(ackError).not.toHaveProperty('id');
    });

    it('routes neck_ack to the peer named by `to`, with the neck as peerId', async () => {
      const ui = await hub.connect('ui');
      const other = await hub.connect('ui');
      const neck = await hub.connect('neck');
      const toOther = collect(other.socket, 'neck_ack');
      const ack = nextEvent(ui.socket, 'neck_ack');
      neck.socket.emit('neck_ack', {
        command: 'X30,Y0,Z0,H0,S1,A1,R0,P0',
        status: 'written',
        to: ui.socket.id,
        id: 'c1',
      });
      expect(await ack).toEqual({
        command: 'X30,Y0,Z0,H0,S1,A1,R0,P0',
        status: 'written',
        peerId: neck.socket.id,
        id: 'c1',
      });
      const rejected = nextEvent(ui.socket, 'neck_ack');
      const error = {
        code: 'OUT_OF_RANGE' as const,
        message: 'X9999: X must be an integer from -700 to 700',
        token: 'X9999',
      };
      neck.socket.emit('neck_ack', { command: 'X9999', status: 'rejected', to: ui.socket.id, error });
      expect(await rejected).toEqual({ command: 'X9999', status: 'rejected', peerId: neck.socket.id, error });
      await barrier(ui.socket, other.socket);
      expect(toOther).toEqual([]);
    });

    it('sends an ack without `to` (the original Python agent) to every non-neck peer as written', async () => {
      const ui = await hub.connect('ui');
      const observer = await hub.connect('observer');
      const neck = await hub.connect('neck');
      const otherNeck = await hub.connect('neck');
      const toOtherNeck = collect(otherNeck.socket, 'neck_ack');
      const atUi = nextEvent(ui.socket, 'neck_ack');
      const atObserver = nextEvent(observer.socket, 'neck_ack');
      neck.socket.emit('neck_ack', { command: 'X30' });
      const expected = { command: 'X30', status: 'written', peerId: neck.socket.id };
      expect(await atUi).toEqual(expected);
      expect(await atObserver).toEqual(expected);
      await barrier(ui.socket, otherNeck.socket);
      expect(toOtherNeck).toEqual([]);
    });

    it('sends neck_status and neck_output to operators, keeps the last status for latecomers and health', async () => {
      const ui = await hub.connect('ui');
      const neck = await hub.connect('neck', 'neck-1');
      const status = nextEvent(ui.socket, 'neck_status');
      const output = nextEvent(ui.socket, 'neck_output');
      neck.socket.emit('neck_status', STATUS);
      neck.socket.emit('neck_output', { line: 'Executing HOME_BRUTE command...' });
      expect(await status).toEqual({ ...STATUS, peerId: neck.socket.id, uuid: 'neck-1' });
      expect(await output).toEqual({ line: 'Executing HOME_BRUTE command...', peerId: neck.socket.id });

      const late = await hub.login({ role: 'observer' });
      const latecomer = hub.peer({ token: late.token });
      const lateStatus = nextEvent(latecomer, 'neck_status');
      expect(await lateStatus).toEqual({ ...STATUS, peerId: neck.socket.id, uuid: 'neck-1' });

      const health = (await (await fetch(`${hub.url}/`, { headers: { accept: 'application/json' } })).json()) as {
        peers: number;
        necks: unknown[];
      };
      expect(health.peers).toBe(3);
      expect(health.necks).toEqual([
        { ...STATUS, peerId: neck.socket.id, uuid: 'neck-1', updatedAt: expect.any(String) },
      ]);

      const gone = nextEvent(ui.socket, 'peer-disconnect');
      neck.socket.disconnect();
      await gone;
      const after = (await (await fetch(`${hub.url}/`)).json()) as { necks: unknown[] };
      expect(after.necks).toEqual([]);
    });

    it('does not let an observer send messages or commands', async () => {
      const observer = await hub.connect('observer');
      const neck = await hub.connect('neck');
      const atNeck = collect(neck.socket, 'neck_command');
      for (const [event, payload] of [
        ['neck_command', { command: 'HOME' }],
        ['broadcast-message', { message: 'HOME' }],
      ] as const) {
        const error = nextEvent(observer.socket, 'error-message');
        (observer.socket.emit as (event: string, payload: unknown) => void)(event, payload);
        expect(await error).toEqual({ code: 'FORBIDDEN', message: expect.stringContaining('observers cannot send') });
      }
      const withId = nextEvent(observer.socket, 'error-message');
      observer.socket.emit('neck_command', { command: 'HOME', id: 'o1' });
      expect(await withId).toMatchObject({ code: 'FORBIDDEN', id: 'o1' });
      expect(atNeck).toEqual([]);
    });
  });
});

describe('hub: health and limits', () => {
  let hub: TestHub;

  afterEach(async () => {
    await hub.close();
  });

  it('answers GET / with JSON health', async () => {
    hub = await TestHub.start();
    const response = await fetch(`${hub.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toEqual({
      status: 'ok',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      uptimeSeconds: expect.any(Number),
      peers: 0,
      unauthenticated: 0,
      necks: [],
      quietNecks: [],
      tunnel: { state: 'disabled', url: null, consecutiveFailures: 0, lastError: null },
      timeline: { window: 500, commands: 0 },
    });
  });

  it('redirects a browser to the web page, which answers HTML', async () => {
    hub = await TestHub.start();
    const accept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const response = await fetch(`${hub.url}/`, { headers: { accept }, redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/app/');
    const page = await fetch(`${hub.url}/app/`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('neck-signal');
  });

  it('drops a peer that sends an oversized payload; the others keep working', async () => {
    hub = await TestHub.start({ socket: { maxPayloadBytes: 4096 } });
    const offender = await hub.connect('ui');
    const a = await hub.connect('ui');
    const b = await hub.connect('ui');
    const dropped = new Promise<string>((resolve) => offender.socket.once('disconnect', resolve));
    offender.socket.emit('broadcast-message', { message: 'x'.repeat(10_000) });
    expect(await dropped).toBe('transport close');
    const atB = nextEvent(b.socket, 'peer-message');
    a.socket.emit('broadcast-message', { message: 'still here' });
    expect(await atB).toEqual({ peerId: a.socket.id, uuid: a.uuid, message: 'still here', hub: HUB_STAMP });
  });

  it('rate-limits a flooding peer with error-message RATE_LIMITED; the others keep working', async () => {
    hub = await TestHub.start({ socket: { messagesPerSecond: 50 } });
    const flooder = await hub.connect('ui');
    const a = await hub.connect('ui');
    const b = await hub.connect('ui');
    const received = collect(b.socket, 'peer-message');
    const limited = nextEvent(flooder.socket, 'error-message');
    for (let i = 0; i < 500; i++) flooder.socket.emit('broadcast-message', { message: `flood-${i}`, id: `f${i}` });
    // It answers the first message dropped, and says which.
    expect(await limited).toEqual({
      code: 'RATE_LIMITED',
      message: expect.stringContaining('more than 50 messages per second'),
      id: expect.stringMatching(/^f\d+$/),
    });
    await barrier2(a.socket, b.socket);
    const floods = received.filter((m) => m.message.startsWith('flood-'));
    expect(floods.length).toBeGreaterThan(0);
    expect(floods.length).toBeLessThanOrEqual(250);
  });

  async function barrier2(from: TestPeer, to: TestPeer): Promise<void> {
    const arrived = nextEvent(to, 'peer-message', 5_000, (payload) => payload.message === 'after-flood');
    from.emit('broadcast-message', { message: 'after-flood' });
    await arrived;
  }
});
