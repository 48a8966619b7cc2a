import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { HubClient, type DeviceKeyStore } from '@neck-signal/hub-client';
import {
  Events,
  type HubHealthDto,
  type LoginResponseDto,
  type NeckAckDeliveryDto,
  type PeerInfoDto,
  type RenewTokenResultDto,
} from '@neck-signal/protocol';
import { nextLifecycle } from '../libs/hub-client/test/support';
import { TEST_PASSWORD, TestHub, type TestPeer, collect, connectError, nextEvent } from './support/hub';
import { bounded, nextStatus, within } from './support/neck-rig';
import { Program } from './support/program';
import { RedisServer } from './support/redis-server';

/**
 * Access under attack, against the real hub (in this process, so the tests can read its log) and the real
 * agent (the built program, on its virtual neck): tokens that outlive themselves, a hostile Origin, a flood of
 * connections that never authenticate, a flood of wrong passwords, ten sockets on one token, a lost device.
 * Every figure a test measures is printed as `[access] …` for the note.
 */

const opened: { close(): Promise<void> | void }[] = [];
const track = <T extends { close(): Promise<void> | void }>(thing: T): T => {
  opened.push(thing);
  return thing;
};

afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) await thing.close();
});

const figure = (text: string) => process.stdout.write(`[access] ${text}\n`);

/** A temporary directory removed after the test. */
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  track({ close: () => rmSync(dir, { recursive: true, force: true }) });
  return dir;
}

/** A device key store in memory, as the web page keeps one per tab. */
function memoryKeys(): DeviceKeyStore & { key?: string } {
  const store: DeviceKeyStore & { key?: string } = {
    load: () => store.key,
    save: (key) => {
      store.key = key;
    },
  };
  return store;
}

function client(hub: TestHub, options: Partial<ConstructorParameters<typeof HubClient>[0]> = {}): HubClient {
  return track(
    new HubClient({
      url: hub.url,
      password: TEST_PASSWORD,
      retryIntervalMs: 100,
      reconnectionDelayMs: 100,
      reconnectionDelayMaxMs: 500,
      ackTimeoutMs: 30_000,
      ...options,
    }),
  );
}

async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function health(url: string): Promise<HubHealthDto> {
  return (await (await fetch(url, { headers: { accept: 'application/json' } })).json()) as HubHealthDto;
}

/**
 * Nothing to await from the hub but its own count: reads `GET /` every 100 ms until `accept`; resolves with
 * performance.now() at that moment.
 */
function waitForHealth(url: string, accept: (health: HubHealthDto) => boolean, timeoutMs: number): Promise<number> {
  return within<number>(
    timeoutMs,
    () => 'a matching GET /',
    (resolve) => {
      const timer = setInterval(() => {
        void health(url).then((now) => {
          if (accept(now)) resolve(performance.now());
        });
      }, 100);
      return () => clearInterval(timer);
    },
  );
}

/** A raw HTTP request to the hub; resolves with the status (101 for an accepted WebSocket upgrade). */
function rawRequest(
  url: string,
  path: string,
  headers: Record<string, string> = {},
  agent?: Agent,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}${path}`, { headers, ...(agent ? { agent } : {}) }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve({ status: 101, body: '' });
    });
    request.on('error', reject);
    request.end();
  });
}

const POLLING_HANDSHAKE = '/socket.io/?EIO=4&transport=polling';
const WEBSOCKET_UPGRADE = '/socket.io/?EIO=4&transport=websocket';
const upgradeHeaders = (origin?: string): Record<string, string> => ({
  connection: 'Upgrade',
  upgrade: 'websocket',
  'sec-websocket-version': '13',
  'sec-websocket-key': Buffer.from('0123456789abcdef').toString('base64'),
  ...(origin === undefined ? {} : { origin }),
});

/** The built agent on its virtual neck, connected to `url` as `uuid`. */
function startAgent(url: string, uuid: string, configDir: string, config: Record<string, unknown> = {}): Program {
  writeFileSync(
    join(configDir, 'agent.json'),
    JSON.stringify({ login_retry_ms: 200, status_interval_ms: 30_000, ...config }),
  );
  const agent = Program.start('neck-agent', ['-s', url, '-u', uuid, '--simulate'], {
    NECK_CONFIG_DIR: configDir,
    PEER_SHARED_SECRET: TEST_PASSWORD,
  });
  track({ close: () => agent.kill() });
  return agent;
}

/** Resolves once `peer` sees a neck_status from `uuid`. */
const neckSeen = (peer: TestPeer, uuid: string, timeoutMs = 20_000) =>
  nextEvent(peer, Events.NeckStatus, timeoutMs, (status) => status.uuid === uuid);

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('access: a token ends the connection it opened', () => {
  it('drops a live socket at its token’s exp with TOKEN_EXPIRED, within 2 s', async () => {
    const hub = track(await TestHub.start({ auth: { tokenLifetimeSeconds: 2 } }));
    const { token } = await hub.login({ uuid: 'expiring' });
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { exp: number };
    const peer = hub.peer({ token });
    await nextEvent(peer, Events.ExistingPeers);
    const errors = collect(peer, Events.ErrorMessage);

    const [reason] = await within<[string]>(
      8_000,
      () => 'the hub to drop the expiring socket',
      (resolve) => {
        const listener = (why: string) => resolve([why]);
        peer.on('disconnect', listener);
        return () => peer.off('disconnect', listener);
      },
    );
    const lateMs = Date.now() - exp * 1000;

    figure(`expired socket dropped ${lateMs} ms after its exp`);
    expect(reason).toBe('io server disconnect');
    expect(errors).toEqual([
      expect.objectContaining({ code: 'TOKEN_EXPIRED', message: expect.stringMatching(/expired/) }),
    ]);
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(2_000);
    // Presenting the expired token again is refused at the handshake.
    expect(await connectError(hub.peer({ token }))).toMatch(/^unauthorized: jwt expired/);
  });

  it('a hub client renews its token on the same connection, control kept; one that does not logs in again by itself as the same uuid', async () => {
    const hub = track(await TestHub.start({ auth: { tokenLifetimeSeconds: 3 } }));
    // Everyone here lives across several token lifetimes, so everyone is a hub client (which renews).
    const watcher = client(hub, { uuid: 'watcher' });
    await watcher.connect();
    const ready = nextStatus(
      watcher,
      (status) => status.uuid === 'renew-neck' && status.firmware.state === 'ready',
      30_000,
    );
    // The agent renews too: it must stay on across many lifetimes. Control outlasts a renewal here.
    const agent = startAgent(hub.url, 'renew-neck', tempDir('neck-access-agent-'), { control_lease_ms: 10_000 });
    await ready;

    const renewing = client(hub, { uuid: 'renewing' });
    const disconnects: string[] = [];
    renewing.onLifecycle('disconnected', (reason) => disconnects.push(reason));
    await renewing.connect();
    const sid = renewing.id;
    expect((await renewing.sendCommand('TAKE', { via: 'neck_command' })).ack).toMatchObject({ status: 'applied' });
    await nextLifecycle(renewing, 'renewed', 10_000);
    const [expiresIn] = await nextLifecycle(renewing, 'renewed', 10_000);
    expect(expiresIn).toBeGreaterThanOrEqual(1);
    expect(renewing.id).toBe(sid);
    expect(disconnects).toEqual([]);
    // Still the holder of control, two lifetimes later: its pose is written, another operator's is refused.
    const pose = await renewing.sendCommand('X120', { via: 'neck_command' });
    expect(pose.ack).toMatchObject({ status: 'written', command: 'X120,Y0,Z0,H0,S1,A1,R0,P0' });
    const other = client(hub, { uuid: 'other-operator' });
    await other.connect();
    expect((await other.sendCommand('X-120', { via: 'neck_command' })).ack.error?.code).toBe('CONTROL_HELD');

    // Without renewal: the hub ends the connection at exp; the client logs in again and carries on as itself.
    const lapsing = client(hub, { uuid: 'lapsing', renewTokens: false });
    await lapsing.connect();
    const relogin = nextLifecycle(lapsing, 'relogin', 10_000);
    const back = nextLifecycle(lapsing, 'connected', 10_000);
    const dropped = await nextLifecycle(lapsing, 'disconnected', 10_000);
    const returned = within<PeerInfoDto>(
      10_000,
      () => 'the watcher to see lapsing connect again',
      (resolve) =>
        watcher.on(Events.NewPeer, (peer) => {
          if (peer.uuid === 'lapsing') resolve(peer);
        }),
    );
    expect(dropped).toEqual(['io server disconnect']);
    const [info] = await relogin;
    expect(info).toEqual({ uuid: 'lapsing', reason: expect.stringMatching(/token expired/) });
    await back;
    expect(await returned).toMatchObject({ uuid: 'lapsing', roles: ['ui'] });
    expect((await lapsing.sendCommand('HEALTH', { via: 'neck_command' })).ack.status).toBe('written');
    // The agent stayed on throughout: one connection, renewed.
    expect(agent.output.filter((line) => /connected to /.test(line))).toHaveLength(1);
    expect(renewing.id).toBe(sid);
  });
});

describe('access: Origin is enforced on the Engine.IO handshake and the WebSocket upgrade', () => {
  it('answers 403 to a disallowed Origin on polling and websocket, before any Socket.IO traffic, even with a valid token', async () => {
    const hub = track(await TestHub.start({ corsOrigins: ['https://good.example'] }));
    const { token } = await hub.login({ uuid: 'origin-test' });
    const bearer = { authorization: `Bearer ${token}` };

    const evilPolling = await rawRequest(hub.url, POLLING_HANDSHAKE, { origin: 'https://evil.example', ...bearer });
    const evilUpgrade = await rawRequest(hub.url, WEBSOCKET_UPGRADE, {
      ...upgradeHeaders('https://evil.example'),
      ...bearer,
    });
    const goodPolling = await rawRequest(hub.url, POLLING_HANDSHAKE, { origin: 'https://good.example' });
    const goodUpgrade = await rawRequest(hub.url, WEBSOCKET_UPGRADE, upgradeHeaders('https://good.example'));
    const noOriginUpgrade = await rawRequest(hub.url, WEBSOCKET_UPGRADE, upgradeHeaders());
    // The hub's own page, wherever it was opened from (here the hub's address itself).
    const ownPageUpgrade = await rawRequest(hub.url, WEBSOCKET_UPGRADE, upgradeHeaders(hub.url));
    figure(
      `Origin: evil polling ${evilPolling.status}, evil websocket ${evilUpgrade.status}, ` +
        `good polling ${goodPolling.status}, good websocket ${goodUpgrade.status}, none ${noOriginUpgrade.status}, own page ${ownPageUpgrade.status}`,
    );
    expect(evilPolling.status).toBe(403);
    expect(evilPolling.body).not.toMatch(/"sid"/);
    expect(evilUpgrade.status).toBe(403);
    expect(goodPolling.status).toBe(200);
    expect(goodPolling.body).toMatch(/"sid"/);
    expect(goodUpgrade.status).toBe(101);
    expect(noOriginUpgrade.status).toBe(101);
    expect(ownPageUpgrade.status).toBe(101);

    // Socket.IO clients (Node can set Origin) with a valid token: refused with the evil Origin on either transport.
    for (const transport of ['websocket', 'polling'] as const) {
      const evil = io(hub.url, {
        auth: { token },
        transports: [transport],
        reconnection: false,
        forceNew: true,
        extraHeaders: { origin: 'https://evil.example' },
      });
      track({ close: () => void evil.disconnect() });
      await expect(connectError(evil as TestPeer)).resolves.toMatch(/error/);
    }
    const good = io(hub.url, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      extraHeaders: { origin: 'https://good.example' },
    });
    track({ close: () => void good.disconnect() });
    await nextEvent(good as TestPeer, Events.ExistingPeers);
    // Without Origin (the agent, the CLI) a valid token connects; without a token nothing does.
    await nextEvent(hub.peer({ token }), Events.ExistingPeers);
    expect(await connectError(hub.peer(undefined))).toMatch(/^unauthorized: no token/);
  });
});

describe('access: connections that never authenticate', () => {
  it('closes a refused handshake within a second, even when the client never reads the refusal', async () => {
    // A long handshake timeout: only the refusal can close this connection in time.
    const hub = track(await TestHub.start({ socket: { handshakeTimeoutMs: 30_000 } }));
    const handshake = await rawRequest(hub.url, POLLING_HANDSHAKE);
    const { sid } = JSON.parse(handshake.body.slice(1)) as { sid: string };
    const session = `${POLLING_HANDSHAKE}&sid=${sid}`;
    const started = performance.now();
    const sent = await fetch(`${hub.url}${session}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: '40{"token":"not-a-token"}',
    });
    expect(sent.status).toBe(200);
    expect((await health(hub.url)).unauthenticated).toBe(1);

    const closedMs = await waitForHealth(hub.url, (now) => now.unauthenticated === 0, 5_000);
    figure(`refused handshake (never read) closed ${Math.round(closedMs - started)} ms after the refusal`);
    const after = await rawRequest(hub.url, session);
    expect(after.status).toBe(400);
    expect(after.body).toMatch(/Session ID unknown/);
  });

  it('2,000 unauthenticated connections: the surplus gets 503, all close within seconds, and a real agent connects meanwhile', async () => {
    const hub = track(await TestHub.start({ socket: { handshakeTimeoutMs: 5_000, maxUnauthenticated: 1_000 } }));
    const watcher = (await hub.connect('ui', 'flood-watcher')).socket;
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    track({ close: () => agent.destroy() });
    const statuses = new Map<number, number>();
    const rssBefore = process.memoryUsage().rss;

    const started = performance.now();
    const flood = Array.from({ length: 2_000 }, () =>
      rawRequest(hub.url, POLLING_HANDSHAKE, {}, agent).then(({ status }) =>
        statuses.set(status, (statuses.get(status) ?? 0) + 1),
      ),
    );
    await Promise.all(flood);
    const floodMs = performance.now() - started;
    // While the waiting room is full (the first of them wait 5 s): junk is refused, the hub still answers, a real
    // neck gets in.
    expect((await rawRequest(hub.url, POLLING_HANDSHAKE)).status).toBe(503);
    const during = (await health(hub.url)).unauthenticated;
    expect((await postJson(hub.url, { uuid: 'in-flood', password: TEST_PASSWORD })).status).toBe(200);
    const neckSeenMeanwhile = neckSeen(watcher, 'flood-neck', 30_000);
    const connectStarted = performance.now();
    startAgent(hub.url, 'flood-neck', tempDir('neck-access-agent-'));
    const realNeck = client(hub, { uuid: 'flood-client', role: 'neck' });
    await realNeck.connect();
    const realConnectMs = performance.now() - connectStarted;
    const stillFull = (await health(hub.url)).unauthenticated ?? 0;

    const drained = (await waitForHealth(hub.url, (now) => now.unauthenticated === 0, 10_000)) - started;
    await neckSeenMeanwhile;
    const agentMs = performance.now() - connectStarted;
    const rssAfter = process.memoryUsage().rss;

    figure(
      `2,000 handshakes in ${Math.round(floodMs)} ms: ${statuses.get(200) ?? 0} accepted, ${statuses.get(503) ?? 0} refused 503; ` +
        `${during} waiting; a neck client connected in ${Math.round(realConnectMs)} ms with ${stillFull} still waiting; ` +
        `all closed ${Math.round(drained)} ms after the flood began; the agent program on in ${Math.round(agentMs)} ms; ` +
        `test-process RSS ${Math.round(rssBefore / 1e6)} → ${Math.round(rssAfter / 1e6)} MB`,
    );
    expect((statuses.get(200) ?? 0) + (statuses.get(503) ?? 0)).toBe(2_000);
    expect(statuses.get(200)).toBeGreaterThanOrEqual(1_000);
    expect(statuses.get(503)).toBeGreaterThan(0);
    expect(during).toBeLessThanOrEqual(1_000);
    expect(stillFull).toBeGreaterThan(0);
    expect((await health(hub.url)).peers).toBeGreaterThanOrEqual(3);
  });
});

describe('access: wrong passwords', () => {
  it('a flood against the agent’s own uuid does not stop it reconnecting with its device key, nor a second operator logging in', async () => {
    const configDir = tempDir('neck-access-hub-');
    let hub = await TestHub.start({ configDir });
    const port = hub.hub.port;
    opened.push({ close: () => hub.close() });
    const agentDir = tempDir('neck-access-agent-');
    let watcher = (await hub.connect('ui', 'watcher')).socket;
    let seen = neckSeen(watcher, 'victim-neck');
    const agent = startAgent(hub.url, 'victim-neck', agentDir);
    await seen;

    // Paired on its first login: its key in its config dir (0600), only the key's hash on the hub (0600).
    const keys = JSON.parse(readFileSync(join(agentDir, 'device-keys.json'), 'utf8')) as Record<string, string>;
    const key = keys['agent:victim-neck'];
    expect(key).toMatch(/^[\w-]+\.[\w-]{20,}$/);
    expect(mode(join(agentDir, 'device-keys.json'))).toBe('600');
    const devicesFile = readFileSync(join(configDir, 'devices.json'), 'utf8');
    expect(devicesFile).toContain('victim-neck');
    expect(devicesFile).not.toContain(key.split('.')[1]);
    expect(mode(join(configDir, 'devices.json'))).toBe('600');
    expect(hub.logger.text()).toMatch(/paired a new neck: victim-neck/);

    // The hub restarts with a new JWT secret: the agent's token is now worthless and it must log in again,
    // while an attacker sends wrong passwords as the agent's uuid (and as no uuid) as fast as the hub answers.
    await hub.close();
    hub = await TestHub.start({
      configDir,
      port,
      auth: { jwtSecret: 'another-jwt-secret-after-the-restart-0123456789' },
    });
    let attacking = true;
    const answers = new Map<number, number>();
    const attack = (async () => {
      while (attacking) {
        for (const body of [{ uuid: 'victim-neck', password: 'guess' }, { password: 'guess' }]) {
          const { status } = await postJson(hub.url, body);
          answers.set(status, (answers.get(status) ?? 0) + 1);
        }
      }
    })();
    track({
      close: async () => {
        attacking = false;
        await attack;
      },
    });
    watcher = (await hub.connect('ui', 'watcher')).socket;
    seen = neckSeen(watcher, 'victim-neck', 30_000);
    const restartedAt = performance.now();
    await seen;
    const agentBackMs = performance.now() - restartedAt;

    // The attack is in full effect: the agent's uuid may not even try the password now…
    const asVictim = await postJson(hub.url, { uuid: 'victim-neck', password: TEST_PASSWORD });
    expect(asVictim.status).toBe(429);
    // …yet the agent came back with its key, and another operator logs in with the password.
    const second = await postJson(hub.url, { uuid: 'second-operator', password: TEST_PASSWORD });
    attacking = false;
    await attack;
    figure(
      `wrong-password flood (${answers.get(401) ?? 0} × 401, ${answers.get(429) ?? 0} × 429): paired agent back ` +
        `${Math.round(agentBackMs)} ms after the hub restart; second operator ${second.status}`,
    );
    expect(second.status).toBe(200);
    expect(answers.get(429)).toBeGreaterThan(0);
    expect(hub.logger.text()).toMatch(/login: victim-neck as neck \(device key\)/);
    expect(agent.output.join('\n')).not.toMatch(/wrong password|throttled|too many/i);
  });

  it('past the hub-wide ceiling passwords wait, device keys do not', async () => {
    const hub = track(await TestHub.start({ auth: { maxFailedLoginsPerMinute: 20 } }));
    const paired = await postJson(hub.url, { uuid: 'paired-laptop', password: TEST_PASSWORD, pair: true });
    expect(paired.status).toBe(200);
    const deviceKey = paired.body.deviceKey as string;
    // 25 different identities, one wrong password each: no single identity is suspicious, the sum is an attack.
    const wrong = await Promise.all(
      Array.from({ length: 25 }, (_, i) => postJson(hub.url, { uuid: `bot-${i}`, password: 'guess' })),
    );
    const refused = wrong.filter(({ status }) => status === 401).length;
    const password = await postJson(hub.url, { uuid: 'newcomer', password: TEST_PASSWORD });
    const withKey = await postJson(hub.url, { deviceKey });
    figure(
      `hub-wide ceiling 20/min: ${refused} × 401 then 429s; password login ${password.status}, key login ${withKey.status}`,
    );
    expect(refused).toBe(20);
    expect(password.status).toBe(429);
    expect(withKey.status).toBe(200);
    expect(withKey.body).toMatchObject({ uuid: 'paired-laptop' });
  });
});

describe('access: rate limits are per identity', () => {
  it('ten sockets on one token flooding commands get one budget, and the hub drops none of a neck’s acks', async () => {
    const hub = track(await TestHub.start({ socket: { messagesPerSecond: 300 } }));
    const watcher = (await hub.connect('ui', 'watcher')).socket;
    const seen = neckSeen(watcher, 'acking-neck', 30_000);
    startAgent(hub.url, 'acking-neck', tempDir('neck-access-agent-'));
    await seen;
    // A second neck that only counts: every command the hub let through reaches it as it reaches the agent.
    const spy = (await hub.connect('neck', 'counting-neck')).socket;
    const operator = client(hub, { uuid: 'legit-operator' });
    await operator.connect();
    const operatorErrors: string[] = [];
    operator.on(Events.ErrorMessage, (error) => operatorErrors.push(error.code));

    const { token } = await hub.login({ uuid: 'flooder' });
    const flooders = Array.from({ length: 10 }, () => hub.peer({ token }));
    await Promise.all(flooders.map((peer) => nextEvent(peer, Events.ExistingPeers)));
    let delivered = 0;
    spy.on(Events.NeckCommand, (command) => {
      if (command.uuid === 'flooder') delivered++;
    });
    let rateLimited = 0;
    let floodAcks = 0;
    const ackWatchers = new Set<() => void>();
    for (const peer of flooders) {
      peer.on(Events.ErrorMessage, (error) => {
        if (error.code === 'RATE_LIMITED') rateLimited++;
      });
      peer.on(Events.NeckAck, () => {
        floodAcks++;
        for (const check of ackWatchers) check();
      });
    }
    let sent = 0;
    const flood = setInterval(() => {
      for (const peer of flooders) {
        for (let i = 0; i < 4; i++, sent++) peer.emit(Events.NeckCommand, { command: 'HEALTH' });
      }
    }, 10);
    track({ close: () => clearInterval(flood) });
    // Past the burst allowance: from here on the flood is being cut.
    await nextEvent(flooders[0], Events.ErrorMessage, 10_000, (error) => error.code === 'RATE_LIMITED');

    const acks: NeckAckDeliveryDto[] = [];
    const roundTripMs: number[] = [];
    for (let i = 0; i < 40; i++) {
      const started = performance.now();
      const { ack } = await operator.sendCommand('HEALTH', { via: 'neck_command', timeoutMs: 30_000 });
      roundTripMs.push(performance.now() - started);
      acks.push(ack);
    }
    clearInterval(flood);
    // Every command the hub delivered to the neck is acked to its sender: none of the neck's acks were dropped.
    await within<void>(
      30_000,
      () => `the flooder's acks: ${floodAcks} of ${delivered}`,
      (resolve) => {
        const check = () => {
          if (floodAcks >= delivered) resolve();
        };
        ackWatchers.add(check);
        check();
        return () => ackWatchers.delete(check);
      },
    );
    roundTripMs.sort((a, b) => a - b);
    figure(
      `10-socket flood: ${sent} commands sent on one token, ${delivered} let through, ${rateLimited} RATE_LIMITED ` +
        `answers, ${floodAcks} acks to the flooder; the other operator got ${acks.length}/40 acks, round trip p50 ` +
        `${Math.round(roundTripMs[19])} ms, p95 ${Math.round(roundTripMs[37])} ms`,
    );
    expect(acks).toHaveLength(40);
    expect(new Set(acks.map((ack) => ack.id)).size).toBe(40);
    expect(floodAcks).toBe(delivered);
    // One budget for the ten sockets: 300/s and a 900 burst, not ten times that.
    expect(delivered).toBeLessThan(sent);
    expect(rateLimited).toBeGreaterThan(0);
    expect(operatorErrors).toEqual([]);
  });
});

describe('access: paired devices and revocation', () => {
  it('revoking a device drops its sockets at once; its key and its tokens stop working; only the password pairs it again', async () => {
    const hub = track(await TestHub.start());
    const keys = memoryKeys();
    const laptop = client(hub, { uuid: 'lab-laptop', deviceKeys: keys });
    const paired = nextLifecycle(laptop, 'paired');
    await laptop.connect();
    expect(await paired).toEqual(['lab-laptop']);
    const key = keys.key as string;
    const { token } = (await postJson(hub.url, { deviceKey: key })).body as unknown as LoginResponseDto;
    const second = hub.peer({ token });
    await nextEvent(second, Events.ExistingPeers);
    const secondErrors = collect(second, Events.ErrorMessage);
    const admin = await hub.login({ uuid: 'admin' });
    const bearer = { authorization: `Bearer ${admin.token}` };

    const listed = (await (await fetch(`${hub.url}/devices`, { headers: bearer })).json()) as { devices: unknown[] };
    expect(listed.devices).toEqual([
      { uuid: 'lab-laptop', role: 'ui', keys: 1, pairedAt: expect.any(String), lastUsedAt: expect.any(String) },
    ]);

    // The laptop keeps its password here: it pairs again (that is what the password is for).
    const laptopDropped = nextLifecycle(laptop, 'disconnected');
    const laptopPairedAgain = nextLifecycle(laptop, 'paired', 10_000);
    const secondDropped = new Promise<string>((resolve) => second.once('disconnect', resolve));
    const revoked = await fetch(`${hub.url}/devices/lab-laptop`, { method: 'DELETE', headers: bearer });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toEqual({ keys: 1, sockets: 2 });
    expect(await laptopDropped).toEqual(['io server disconnect']);
    expect(await secondDropped).toBe('io server disconnect');
    expect(secondErrors).toEqual([expect.objectContaining({ code: 'REVOKED' })]);

    const oldKey = await postJson(hub.url, { deviceKey: key });
    expect(oldKey.status).toBe(401);
    expect(oldKey.body.message).toMatch(/unknown or revoked device key/);
    expect(await connectError(hub.peer({ token }))).toMatch(/^unauthorized: device lab-laptop was revoked/);
    await laptopPairedAgain;
    expect(keys.key).not.toBe(key);

    // A device that only has its (revoked) key stays out, and says what to do.
    const keyOnly = client(hub, { uuid: 'kiosk', deviceKeys: memoryKeys(), maxLoginAttempts: 1 });
    await keyOnly.connect();
    const kioskKey = (await postJson(hub.url, { uuid: 'kiosk', password: TEST_PASSWORD, pair: true })).body
      .deviceKey as string;
    await keyOnly.close();
    expect((await fetch(`${hub.url}/devices/kiosk`, { method: 'DELETE', headers: bearer })).status).toBe(200);
    const stranded = client(hub, {
      uuid: 'kiosk',
      password: undefined,
      deviceKeys: { load: () => kioskKey, save: () => undefined },
      maxLoginAttempts: 1,
    });
    await expect(stranded.connect()).rejects.toThrow(/no shared password to pair again with/);

    // Only operators may list or revoke.
    const neckToken = (await hub.login({ uuid: 'some-neck', role: 'neck' })).token;
    expect((await fetch(`${hub.url}/devices`, { headers: { authorization: `Bearer ${neckToken}` } })).status).toBe(403);
    expect((await fetch(`${hub.url}/devices`)).status).toBe(401);
  });

  it('a neck key cannot become ui, a ui key cannot become a neck (only an observer), and a renewal cannot change who a socket is', async () => {
    const hub = track(await TestHub.start());
    const neckKey = (await postJson(hub.url, { uuid: 'arm-1', password: TEST_PASSWORD, role: 'neck', pair: true })).body
      .deviceKey as string;
    const uiKey = (await postJson(hub.url, { uuid: 'tablet', password: TEST_PASSWORD, role: 'ui', pair: true })).body
      .deviceKey as string;
    expect(hub.logger.text()).toMatch(/warn \[AuthService\] paired a new neck: arm-1/);

    const neckAsUi = await postJson(hub.url, { deviceKey: neckKey, role: 'ui' });
    const uiAsNeck = await postJson(hub.url, { deviceKey: uiKey, role: 'neck' });
    const wrongUuid = await postJson(hub.url, { deviceKey: uiKey, uuid: 'arm-1' });
    expect([neckAsUi.status, uiAsNeck.status, wrongUuid.status]).toEqual([401, 401, 401]);
    expect(neckAsUi.body.message).toMatch(/paired as neck; it cannot log in as ui/);
    expect(uiAsNeck.body.message).toMatch(/paired as ui; it cannot log in as neck/);
    // Less is allowed: an operator's key may log in to watch.
    const uiAsObserver = await postJson(hub.url, { deviceKey: uiKey, role: 'observer' });
    expect(uiAsObserver.status).toBe(200);
    const asNeck = await postJson(hub.url, { deviceKey: neckKey });
    expect(asNeck.status).toBe(200);
    const claims = JSON.parse(Buffer.from(String(asNeck.body.token).split('.')[1], 'base64url').toString()) as {
      sub: string;
      roles: string[];
    };
    expect(claims).toMatchObject({ sub: 'arm-1', roles: ['neck'] });

    // A tablet's socket offered the neck's token: refused, the socket stays the tablet.
    const tablet = await hub.connect('ui', 'tablet');
    const result = await tablet.socket
      .timeout(5_000)
      .emitWithAck(Events.RenewToken, { token: String(asNeck.body.token) });
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/another uuid or role/) });
    const junk = (await tablet.socket
      .timeout(5_000)
      .emitWithAck(Events.RenewToken, { token: 'junk' })) as RenewTokenResultDto;
    expect(junk.ok).toBe(false);
  });

  it('keeps the 10 most recently used keys of one uuid (a page pairs once per tab), dropping the oldest', async () => {
    const hub = track(await TestHub.start());
    const keys: string[] = [];
    for (let tab = 0; tab < 12; tab++) {
      const paired = await postJson(hub.url, { uuid: 'kiosk-page', password: TEST_PASSWORD, pair: true });
      keys.push(String(paired.body.deviceKey));
    }
    const admin = await hub.login({ uuid: 'admin' });
    const listed = (await (
      await fetch(`${hub.url}/devices`, { headers: { authorization: `Bearer ${admin.token}` } })
    ).json()) as { devices: { uuid: string; keys: number }[] };
    expect(listed.devices).toEqual([expect.objectContaining({ uuid: 'kiosk-page', keys: 10 })]);
    const statuses = await Promise.all(keys.map(async (deviceKey) => (await postJson(hub.url, { deviceKey })).status));
    expect(statuses).toEqual([401, 401, ...Array<number>(10).fill(200)]);
  });

  it('with two hubs on one redis-server, a key paired on one logs in on the other, and a revocation on either drops it everywhere', async () => {
    const redis = await RedisServer.start();
    track({ close: () => redis.stop() });
    const configA = tempDir('neck-access-hub-a-');
    const configB = tempDir('neck-access-hub-b-');
    const hubA = track(await TestHub.start({ configDir: configA, redisUrl: redis.url }));
    const hubB = track(await TestHub.start({ configDir: configB, redisUrl: redis.url }));
    const paired = await postJson(hubA.url, { uuid: 'roaming', password: TEST_PASSWORD, pair: true });
    const onB = await postJson(hubB.url, { deviceKey: paired.body.deviceKey });
    expect(onB.status).toBe(200);
    const peerOnA = hubA.peer({ token: String(onB.body.token) });
    await nextEvent(peerOnA, Events.ExistingPeers);
    const dropped = new Promise<string>((resolve) => peerOnA.once('disconnect', resolve));
    const admin = await hubB.login({ uuid: 'admin' });
    const revoked = await fetch(`${hubB.url}/devices/roaming`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(await revoked.json()).toEqual({ keys: 1, sockets: 1 });
    expect(await bounded(dropped, 'the socket on the other hub to be dropped', 5_000)).toBe('io server disconnect');
    expect((await postJson(hubA.url, { deviceKey: paired.body.deviceKey })).status).toBe(401);
    expect(await connectError(hubA.peer({ token: String(onB.body.token) }))).toMatch(/was revoked/);
  });
});
