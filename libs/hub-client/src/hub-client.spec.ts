import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Events } from '@neck-signal/protocol';
import { HUB_STAMP, TEST_PASSWORD, TestHub } from '../../../test/support/hub';
import { TcpProxy, freePort, nextHubEvent, nextLifecycle } from '../test/support';
import { AckTimeoutError, ClientClosedError, HubError, LoginError, NotConnectedError } from './errors';
import type { CommandAck, TrackedAck } from './command-tracker';
import { HubClient, type HubClientOptions, type LoginRetryInfo } from './hub-client';

/**
 * Small delays so retries and reconnections happen within a test's time. WebSocket only: a hub closed while a
 * long-polling peer is attached keeps an engine.io timer (closeTimeout, 30 s) that holds the test process.
 */
const FAST: Partial<HubClientOptions> = {
  retryIntervalMs: 100,
  reconnectionDelayMs: 50,
  reconnectionDelayMaxMs: 200,
  transports: ['websocket'],
};

describe('HubClient', () => {
  const opened: { close(): Promise<void> }[] = [];
  let hub: TestHub;

  beforeEach(async () => {
    hub = await TestHub.start();
    opened.push(hub);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    // Clients first, then proxies and hubs.
    for (const resource of opened.reverse()) await resource.close();
    opened.length = 0;
  });

  function client(options: Partial<HubClientOptions> = {}): HubClient {
    const created = new HubClient({ url: hub.url, password: TEST_PASSWORD, ...FAST, ...options });
    opened.push(created);
    return created;
  }

  async function connected(options: Partial<HubClientOptions> = {}): Promise<HubClient> {
    const created = client(options);
    await created.connect();
    return created;
  }

  /** A HubClient acting as a neck: acks every command it receives as written, echoing its id. */
  async function fakeNeck(options: Partial<HubClientOptions> = {}): Promise<HubClient> {
    const neck = await connected({ role: 'neck', uuid: 'neck-1', ...options });
    neck.on(Events.PeerMessage, ({ peerId, message, id }) => {
      neck.emit(Events.NeckAck, { command: message, status: 'written', to: peerId, ...(id ? { id } : {}) });
    });
    neck.on(Events.NeckCommand, ({ peerId, command, id }) => {
      neck.emit(Events.NeckAck, { command, status: 'written', to: peerId, ...(id ? { id } : {}) });
    });
    return neck;
  }

  function retries(target: HubClient): LoginRetryInfo[] {
    const seen: LoginRetryInfo[] = [];
    target.onLifecycle('login-retry', (info) => seen.push(info));
    return seen;
  }

  describe('connect', () => {
    it('logs in, connects with the token and reports the connection', async () => {
      const ui = client({ uuid: 'operator-1' });
      const sid = nextLifecycle(ui, 'connected');
      expect(ui.connected).toBe(false);
      expect(ui.id).toBeUndefined();

      await ui.connect();

      expect(ui.connected).toBe(true);
      expect(ui.id).toEqual(expect.any(String));
      expect(await sid).toEqual([ui.id]);
      expect(ui.uuid).toBe('operator-1');
      const { peers } = await hub.connect('observer');
      expect(peers).toEqual([{ id: ui.id, uuid: 'operator-1', roles: ['ui'] }]);
      // connect() again while connected resolves at once.
      await expect(ui.connect()).resolves.toBeUndefined();
    });

    it('retries until the hub appears, reporting each failed attempt', async () => {
      const port = await freePort();
      const ui = client({ url: `http://127.0.0.1:${port}` });
      const seen = retries(ui);
      const secondRetry = nextLifecycle(ui, 'login-retry', 5_000, (info) => info.attempt === 2);

      const connecting = ui.connect();
      await secondRetry;
      opened.push(await TestHub.start({ port }));
      await connecting;

      expect(ui.connected).toBe(true);
      expect(seen.length).toBeGreaterThanOrEqual(2);
      seen.forEach((info, index) => {
        expect(info).toMatchObject({ reason: 'unreachable', attempt: index + 1, delayMs: 100 });
        expect(info.error).toBeInstanceOf(LoginError);
        expect(info.message).toBe(
          `hub at http://127.0.0.1:${port} is unreachable (ECONNREFUSED); retrying in 0.1 s (attempt ${index + 1} failed)`,
        );
      });
    });

    it('reports a wrong password on each attempt and gives up after maxLoginAttempts', async () => {
      const ui = client({ password: 'wrong', maxLoginAttempts: 3 });
      const seen = retries(ui);
      const failed = nextLifecycle(ui, 'login-failed');

      const error = await ui.connect().then(
        () => undefined,
        (reason: unknown) => reason,
      );

      expect(error).toBeInstanceOf(LoginError);
      expect(error).toMatchObject({ reason: 'wrong-password', status: 401 });
      expect(String(error)).toContain('gave up logging in after 3 attempts: hub at');
      expect(await failed).toEqual([error]);
      expect(seen.map((info) => [info.reason, info.attempt])).toEqual([
        ['wrong-password', 1],
        ['wrong-password', 2],
      ]);
      expect(seen[0]?.message).toContain('check the shared password; retrying in 0.1 s (attempt 1 of 3 failed)');
      expect(ui.connected).toBe(false);
    });

    it('waits as long as a throttled hub asks before the next attempt', async () => {
      const throttling = await TestHub.start({ auth: { maxFailedLogins: 1, failedLoginWindowSeconds: 1 } });
      opened.push(throttling);
      const ui = client({ url: throttling.url, password: 'wrong', maxLoginAttempts: 4 });
      const seen = retries(ui);

      // 1: wrong password (free); 2: wrong again, this identity must now wait 2 s; 3: throttled, wait 2 s;
      // 4: the wait is over, the password is still wrong.
      await expect(ui.connect()).rejects.toMatchObject({ reason: 'wrong-password' });

      expect(seen.map((info) => [info.reason, info.delayMs])).toEqual([
        ['wrong-password', 100],
        ['wrong-password', 100],
        ['throttled', 2000],
      ]);
      expect(seen[2]?.error.retryAfterSeconds).toBe(2);
      expect(seen[2]?.message).toContain('wait 2 s and check the shared password; retrying in 2 s');
    });
  });

  describe('events', () => {
    it('delivers typed emits to typed handlers, and drops emits while disconnected', async () => {
      const sender = client();
      expect(sender.emit(Events.BroadcastMessage, { message: 'too early' })).toBe(false);
      await sender.connect();
      const receiver = await connected();
      const received = nextHubEvent(receiver, Events.PeerMessage);

      expect(sender.emit(Events.BroadcastMessage, { message: 'X30', id: 'm1' })).toBe(true);

      expect(await received).toEqual({
        peerId: sender.id,
        uuid: sender.uuid,
        message: 'X30',
        id: 'm1',
        hub: HUB_STAMP,
      });
    });

    it('works over long-polling too', async () => {
      const polling = await connected({ transports: ['polling'] });
      const receiver = await connected();
      const received = nextHubEvent(polling, Events.PeerMessage);

      receiver.emit(Events.BroadcastMessage, { message: 'over polling' });

      expect(await received).toMatchObject({ peerId: receiver.id, message: 'over polling' });
    });

    it('stops calling a handler once it is unsubscribed', async () => {
      const sender = await connected();
      const receiver = await connected();
      const early: string[] = [];
      const off = receiver.on(Events.PeerMessage, ({ message }) => early.push(message));
      const first = nextHubEvent(receiver, Events.PeerMessage);
      sender.emit(Events.BroadcastMessage, { message: 'one' });
      await first;
      off();
      const second = nextHubEvent(receiver, Events.PeerMessage);
      sender.emit(Events.BroadcastMessage, { message: 'two' });

      expect((await second).message).toBe('two');
      expect(early).toEqual(['one']);
    });

    it('tracks peers through existing-peers, new-peer and peer-disconnect', async () => {
      const first = await connected({ uuid: 'first' });
      expect(first.peers()).toEqual([]);
      const joined = nextHubEvent(first, Events.NewPeer);

      const second = await connected({ uuid: 'second', role: 'neck' });

      await joined;
      expect(first.peers()).toEqual([{ id: second.id, uuid: 'second', roles: ['neck'] }]);
      expect(second.peers()).toEqual([{ id: first.id, uuid: 'first', roles: ['ui'] }]);

      const left = nextHubEvent(first, Events.PeerDisconnect);
      const secondId = second.id;
      await second.close();
      expect(await left).toBe(secondId);
      expect(first.peers()).toEqual([]);
    });

    it('has the peer list updated before its own handlers run', async () => {
      const first = await connected();
      const seenInHandler = new Promise<number>((resolve) =>
        first.on(Events.NewPeer, () => resolve(first.peers().length)),
      );
      await connected();
      expect(await seenInHandler).toBe(1);
    });
  });

  describe('sendCommand', () => {
    it('resolves with the ack of a neck (broadcast) and measures the round trip', async () => {
      const neck = await fakeNeck();
      const ui = await connected();
      const sent = nextHubEvent(neck, Events.PeerMessage);

      const before = Date.now();
      const { ack, roundTripMs } = await ui.sendCommand('X50,Y-20');

      const delivered = await sent;
      // Stamped with the client's clock and a sequence number, so that a neck can tell a late pose.
      expect(delivered).toEqual({
        peerId: ui.id,
        uuid: ui.uuid,
        message: 'X50,Y-20',
        id: expect.any(String),
        sentAt: expect.any(Number),
        seq: 1,
        hub: HUB_STAMP,
      });
      expect(delivered.sentAt).toBeGreaterThanOrEqual(before);
      expect(delivered.sentAt).toBeLessThanOrEqual(Date.now());
      expect(ack).toEqual({ command: 'X50,Y-20', status: 'written', peerId: neck.id, id: delivered.id });
      expect(roundTripMs).toBeGreaterThan(0);
      expect(roundTripMs).toBeLessThan(5000);
    });

    it('gives every command a fresh id and matches each ack to its command', async () => {
      await fakeNeck();
      const ui = await connected();

      const results = await Promise.all(['HOME', 'X10', 'Y20'].map((text) => ui.sendCommand(text)));

      expect(results.map(({ ack }) => ack.command)).toEqual(['HOME', 'X10', 'Y20']);
      expect(new Set(results.map(({ ack }) => ack.id)).size).toBe(3);
    });

    it('sends a directed peer-message when given a target', async () => {
      const neck = await fakeNeck();
      const ui = await connected();
      const sent = nextHubEvent(neck, Events.PeerMessage);

      const { ack } = await ui.sendCommand('HOME', { target: neck.id });

      expect((await sent).id).toBe(ack.id);
      expect(ack.status).toBe('written');
    });

    it('sends neck_command, to every neck or to a target', async () => {
      const neck = await fakeNeck();
      const ui = await connected();
      const sent = nextHubEvent(neck, Events.NeckCommand);

      const all = await ui.sendCommand('HOME_SOFT', { via: 'neck_command' });
      const targeted = await ui.sendCommand('X1', { via: 'neck_command', target: neck.id });

      expect(await sent).toEqual({
        command: 'HOME_SOFT',
        peerId: ui.id,
        uuid: ui.uuid,
        id: all.ack.id,
        sentAt: expect.any(Number),
        seq: 1,
        hub: HUB_STAMP,
      });
      expect(all.ack).toMatchObject({ command: 'HOME_SOFT', status: 'written', peerId: neck.id });
      expect(targeted.ack).toMatchObject({ command: 'X1', status: 'written', peerId: neck.id });
    });

    it('resolves with a rejected ack too', async () => {
      const neck = await connected({ role: 'neck' });
      neck.on(Events.PeerMessage, ({ peerId, message, id }) => {
        neck.emit(Events.NeckAck, {
          command: message,
          status: 'rejected',
          to: peerId,
          ...(id ? { id } : {}),
          error: { code: 'PORT_DOWN', message: 'the serial port is down' },
        });
      });
      const ui = await connected();

      const { ack } = await ui.sendCommand('X1');

      expect(ack).toMatchObject({ status: 'rejected', error: { code: 'PORT_DOWN' } });
    });

    it('rejects with AckTimeoutError when no ack comes', async () => {
      const ui = await connected({ ackTimeoutMs: 200 });

      const error = await ui.sendCommand('X30').catch((reason: unknown) => reason);

      expect(error).toBeInstanceOf(AckTimeoutError);
      expect(error).toMatchObject({ command: 'X30', timeoutMs: 200, commandId: expect.any(String) });
      expect(String(error)).toContain('no neck_ack for "X30"');
    });

    it('rejects with the hub’s NO_NECK at once for a neck_command with no neck connected', async () => {
      const ui = await connected();

      const error = await ui.sendCommand('HOME', { via: 'neck_command', timeoutMs: 30_000 }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(HubError);
      expect(error).toMatchObject({ code: 'NO_NECK', message: 'no neck is connected to the hub; start neck-agent' });
    });

    it('rejects the neck_command with the NO_NECK carrying its id, not an earlier command still waiting', async () => {
      const ui = await connected();
      const broadcast = ui.sendCommand('X1', { timeoutMs: 300 }).catch((e: unknown) => e);

      const command = await ui.sendCommand('X2', { via: 'neck_command' }).catch((e: unknown) => e);

      expect(command).toMatchObject({ code: 'NO_NECK' });
      expect(await broadcast).toBeInstanceOf(AckTimeoutError);
    });

    it('settles no command on an error-message without id, and still hands it to error-message handlers', async () => {
      const silentNeck = await connected({ role: 'neck' });
      const ui = await connected();
      const errors = nextHubEvent(ui, Events.ErrorMessage);
      const waiting = ui.sendCommand('X1', { target: silentNeck.id, timeoutMs: 500 }).catch((e: unknown) => e);

      // The same code a targeted command could get, but for a payload that carried no id.
      ui.emit(Events.PeerMessage, { target: 'nobody', message: 'hello' });

      const error = await errors;
      expect(error).toMatchObject({ code: 'UNKNOWN_TARGET' });
      expect(error).not.toHaveProperty('id');
      expect(await waiting).toBeInstanceOf(AckTimeoutError);
    });

    it('takes an ack without id (the seed’s Python agent) for the oldest pending command with that text', async () => {
      const pythonNeck = await connected({ role: 'neck', uuid: 'python-neck' });
      let acked = 0;
      // It acks {command} only, and only the first X1 it gets.
      pythonNeck.on(Events.PeerMessage, ({ message }) => {
        if (message === 'X1' && acked++ > 0) return;
        pythonNeck.emit(Events.NeckAck, { command: message });
      });
      const ui = await connected();

      const first = ui.sendCommand('X1', { timeoutMs: 5_000 });
      const second = ui.sendCommand('X1', { timeoutMs: 500 }).catch((e: unknown) => e);
      const other = ui.sendCommand('Y2');

      expect(await first).toEqual({
        ack: { command: 'X1', status: 'written', peerId: pythonNeck.id },
        roundTripMs: expect.any(Number),
      });
      expect((await other).ack).toEqual({ command: 'Y2', status: 'written', peerId: pythonNeck.id });
      expect(await second).toBeInstanceOf(AckTimeoutError);
    });

    it('reports every ack it receives: its command’s first and further ones, and acks of others', async () => {
      const neck1 = await fakeNeck({ uuid: 'neck-1' });
      const neck2 = await fakeNeck({ uuid: 'neck-2' });
      const ui = await connected();
      const seen: TrackedAck[] = [];
      ui.onCommandAck((tracked) => seen.push(tracked));
      const mine: CommandAck[] = [];
      let homeAcks = 0;
      const secondAck = nextHubEvent(ui, Events.NeckAck, 5_000, (ack) => ack.command === 'HOME' && ++homeAcks === 2);

      const { ack } = await ui.sendCommand('HOME', { via: 'neck_command', onAck: (tracked) => mine.push(tracked) });
      await secondAck;
      const firstNeck = ack.peerId;
      const otherNeck = firstNeck === neck1.id ? neck2.id : neck1.id;
      const foreign = nextHubEvent(ui, Events.NeckAck, 5_000, (delivered) => delivered.id === 'not-ours');
      neck1.emit(Events.NeckAck, { command: 'X9', status: 'written', to: ui.id ?? '', id: 'not-ours' });
      await foreign;

      const command = { id: ack.id, text: 'HOME' };
      expect(seen).toEqual([
        { ack, command, roundTripMs: expect.any(Number), first: true },
        {
          ack: { command: 'HOME', status: 'written', peerId: otherNeck, id: ack.id },
          command,
          roundTripMs: expect.any(Number),
          first: false,
        },
        { ack: { command: 'X9', status: 'written', peerId: neck1.id, id: 'not-ours' }, first: false },
      ]);
      expect(mine).toEqual(seen.slice(0, 2));
    });

    it('rejects with UNKNOWN_TARGET for a target that is not connected', async () => {
      const ui = await connected();

      await expect(ui.sendCommand('HOME', { target: 'no-such-sid' })).rejects.toMatchObject({
        name: 'HubError',
        code: 'UNKNOWN_TARGET',
        message: expect.stringContaining('no peer with id no-such-sid'),
      });
    });

    it('refuses a payload the hub would refuse, without sending it', async () => {
      const ui = await connected();
      const errors: unknown[] = [];
      ui.on(Events.ErrorMessage, (error) => errors.push(error));

      await expect(ui.sendCommand('X'.repeat(2000))).rejects.toMatchObject({
        code: 'INVALID_PAYLOAD',
        message: 'message must be shorter than or equal to 1024 characters',
      });
      // The hub answers the next message normally, so nothing was sent before it.
      await expect(ui.sendCommand('HOME', { target: 'nobody' })).rejects.toMatchObject({ code: 'UNKNOWN_TARGET' });
      expect(errors).toEqual([expect.objectContaining({ code: 'UNKNOWN_TARGET' })]);
    });

    it('rejects with NotConnectedError when not connected', async () => {
      const ui = client();

      await expect(ui.sendCommand('HOME')).rejects.toBeInstanceOf(NotConnectedError);
    });
  });

  describe('staying connected', () => {
    it('logs in again when the hub refuses an expired token, and messages flow again', async () => {
      const shortLived = await TestHub.start({ auth: { tokenLifetimeSeconds: 1 } });
      const proxy = await TcpProxy.start(shortLived.hub.port);
      opened.push(shortLived, proxy);
      // Without renewal (tested below): the hub is left to refuse the expired token.
      const ui = client({ url: proxy.url, uuid: 'operator', renewTokens: false });
      await ui.connect();
      const firstSid = ui.id;
      const receiver = client({ url: shortLived.url });
      await receiver.connect();
      const relogin = nextLifecycle(ui, 'relogin');
      const reconnected = nextLifecycle(ui, 'connected');
      const dropped = nextLifecycle(ui, 'disconnected');
      // Expiry is a matter of the hub's clock, not an event: move the clock past the 1 s token instead of waiting
      // for it. Held there, the new login's token is valid.
      const later = Date.now() + 8_000;
      jest.spyOn(Date, 'now').mockReturnValue(later);

      // Cut the connection as a network blip would.
      proxy.drop();

      expect(await dropped).toEqual(['transport close']);
      const [info] = await relogin;
      expect(info.uuid).toBe('operator');
      expect(info.reason).toMatch(/^unauthorized: jwt expired/);
      const [sid] = await reconnected;
      expect(sid).not.toBe(firstSid);
      const received = nextHubEvent(receiver, Events.PeerMessage);
      expect(ui.emit(Events.BroadcastMessage, { message: 'after relogin' })).toBe(true);
      expect(await received).toMatchObject({ peerId: sid, message: 'after relogin' });
    });

    it('survives a hub restart on the same port and sends commands again', async () => {
      const port = hub.hub.port;
      const neck = await fakeNeck();
      const ui = await connected();
      const uiBack = nextLifecycle(ui, 'connected');
      const neckBack = nextLifecycle(neck, 'connected');
      const uiDown = nextLifecycle(ui, 'disconnected');

      const failedAttempt = nextLifecycle(ui, 'connect-error');

      await hub.close();
      // "transport close", or "transport error" when a polling request was cut.
      expect((await uiDown)[0]).toMatch(/^transport (close|error)$/);
      expect(ui.connected).toBe(false);
      await expect(ui.sendCommand('X1')).rejects.toBeInstanceOf(NotConnectedError);
      // socket.io keeps trying while the hub is down, and says so.
      expect((await failedAttempt)[0]).toMatch(/error/);
      opened.push(await TestHub.start({ port }));
      await Promise.all([uiBack, neckBack]);
      // Whichever reconnected first, the ui learns of the neck from existing-peers or from new-peer.
      if (ui.peers().length === 0) await nextHubEvent(ui, Events.NewPeer);

      expect(ui.peers()).toEqual([{ id: neck.id, uuid: 'neck-1', roles: ['neck'] }]);
      const { ack } = await ui.sendCommand('HOME');
      expect(ack).toMatchObject({ command: 'HOME', status: 'written', peerId: neck.id });
    });

    it('logs in again when a restarted hub no longer accepts the token', async () => {
      const port = hub.hub.port;
      const ui = await connected({ uuid: 'operator' });
      const relogin = nextLifecycle(ui, 'relogin');
      const back = nextLifecycle(ui, 'connected');

      await hub.close();
      opened.push(
        await TestHub.start({ port, auth: { jwtSecret: 'another-jwt-secret-that-is-long-enough-0123456789' } }),
      );

      const [info] = await relogin;
      expect(info).toEqual({ uuid: 'operator', reason: expect.stringMatching(/^unauthorized: invalid signature/) });
      await back;
      expect(ui.connected).toBe(true);
    });

    it('reconnects when the hub disconnects it', async () => {
      const ui = await connected();
      const firstSid = ui.id;
      const dropped = nextLifecycle(ui, 'disconnected');
      const back = nextLifecycle(ui, 'connected');

      hub.hub.io.in(firstSid ?? '').disconnectSockets(true);

      expect(await dropped).toEqual(['io server disconnect']);
      const [sid] = await back;
      expect(sid).not.toBe(firstSid);
    });

    it('tries again later when the hub refuses a connection for another reason', async () => {
      const ui = await connected();
      const server = hub.hub.io;
      let refusals = 1;
      server.use((_socket, next) => (refusals-- > 0 ? next(new Error('hub is busy')) : next()));
      const refused = nextLifecycle(ui, 'connect-error');
      const back = nextLifecycle(ui, 'connected');

      server.in(ui.id ?? '').disconnectSockets(true);

      expect(await refused).toEqual(['hub is busy']);
      await back;
      expect(ui.connected).toBe(true);
      expect(refusals).toBe(-1);
    });
  });

  describe('health', () => {
    it("reads the hub's GET / with its token and the tunnel's bypass header, validated", async () => {
      const seen: (string | undefined)[][] = [];
      const server = hub.hub.app.getHttpServer() as Server;
      server.prependListener('request', (request: IncomingMessage) => {
        if (request.url !== '/') return;
        const bypass = request.headers['bypass-tunnel-reminder'];
        seen.push([
          request.headers.authorization?.replace(/\S+$/, 'TOKEN'),
          typeof bypass === 'string' ? bypass : undefined,
        ]);
      });
      const operator = await connected();
      const health = await operator.health();
      expect(health).toMatchObject({ status: 'ok', tunnel: { state: 'disabled', url: null } });
      // No tunnel: no tunnel password, even for an operator.
      expect(health.tunnel.password).toBeUndefined();
      expect(seen).toEqual([['Bearer TOKEN', 'neck-signal']]);
    });

    it("refuses an answer that is not a hub's health (adversary: a wrong URL)", async () => {
      const impostor = createServer((_, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"hello":"world"}');
      });
      await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
      opened.push({ close: () => new Promise<void>((resolve) => impostor.close(() => resolve())) });
      const address = impostor.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      await expect(client({ url: `http://127.0.0.1:${port}` }).health()).rejects.toThrow(
        /^http:\/\/127\.0\.0\.1:\d+\/ answered 200 without a hub's health \(/,
      );
    });
  });

  describe('close', () => {
    it('rejects pending commands and later calls, and disconnects', async () => {
      const ui = await connected();
      const other = await connected();
      const left = nextHubEvent(other, Events.PeerDisconnect);
      const pending = ui.sendCommand('X1', { timeoutMs: 30_000 });
      const uiId = ui.id;

      await ui.close();

      await expect(pending).rejects.toBeInstanceOf(ClientClosedError);
      expect(await left).toBe(uiId);
      expect(ui.connected).toBe(false);
      expect(ui.peers()).toEqual([]);
      await expect(ui.connect()).rejects.toThrow('connecting: the hub client was closed');
      await expect(ui.sendCommand('X1')).rejects.toBeInstanceOf(ClientClosedError);
      await expect(ui.login()).rejects.toBeInstanceOf(ClientClosedError);
      await expect(ui.close()).resolves.toBeUndefined();
    });

    it('stops retrying to log in and rejects connect()', async () => {
      const ui = client({ url: `http://127.0.0.1:${await freePort()}`, retryIntervalMs: 60_000 });
      const firstRetry = nextLifecycle(ui, 'login-retry');
      const connecting = ui.connect();
      await firstRetry;

      await ui.close();

      await expect(connecting).rejects.toBeInstanceOf(ClientClosedError);
    });
  });

  // Adversary (issue 17): a hub (compromised, or an impostor) sending what no listener expects; before, a listener
  // that threw, or a payload 3,000 deep, went up through socket.io-client and ended the process.
  describe('what the hub sends cannot end the client', () => {
    it('drops a payload nested too deep and survives a listener that throws, reporting both as input-refused', async () => {
      const ui = await connected({ uuid: 'operator-1' });
      const seen: string[] = [];
      ui.on(Events.NeckOutput, ({ line }) => {
        if (line === 'bug') throw new Error('listener bug');
        seen.push(line);
      });
      let deep: unknown = [];
      for (let level = 0; level < 3000; level++) deep = [deep];
      const tooDeep = nextLifecycle(ui, 'input-refused');
      // The hub's own server, typed for what it sends: a bare one says what a hostile hub may send.
      const raw = hub.hub.io as unknown as { to(room: string): { emit(event: string, payload: unknown): void } };
      raw.to(ui.id ?? '').emit(Events.NeckOutput, { line: 'x', peerId: 'n', extra: deep });
      expect(await tooDeep).toEqual([{ event: Events.NeckOutput, reason: 'payload is nested deeper than 16 levels' }]);
      const threw = nextLifecycle(ui, 'input-refused');
      hub.hub.io.to(ui.id ?? '').emit(Events.NeckOutput, { line: 'bug', peerId: 'n' });
      expect(await threw).toEqual([{ event: Events.NeckOutput, reason: 'a handler failed: listener bug' }]);
      const malformed = nextLifecycle(ui, 'input-refused');
      raw.to(ui.id ?? '').emit(Events.NewPeer, null);
      expect(await malformed).toEqual([
        { event: Events.NewPeer, reason: expect.stringMatching(/^a handler failed: /) },
      ]);
      const after = nextHubEvent(ui, Events.NeckOutput);
      hub.hub.io.to(ui.id ?? '').emit(Events.NeckOutput, { line: 'still here', peerId: 'n' });
      await after;
      expect(seen).toEqual(['still here']);
      expect(ui.connected).toBe(true);
    });
  });
});
