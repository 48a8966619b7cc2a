import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from 'socket.io';
import { Events, MAX_PAYLOAD_DEPTH } from '@neck-signal/protocol';
import { TestHub, type TestPeer, connectError, nextEvent } from './support/hub';
import { HubProcess } from './support/hub-process';
import { Program } from './support/program';

/**
 * Hostile peers against the built hub as a process (issue 17): what one authenticated peer sends must never end
 * it, observers and operators cannot speak for a neck, one uuid cannot open sockets without bound, a flood of
 * unknown targets costs nothing to parse, and a DNS-rebound page is not the hub's own.
 */

const opened: { close(): Promise<void> | void }[] = [];
const track = <T extends { close(): Promise<void> | void }>(thing: T): T => {
  opened.push(thing);
  return thing;
};

afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) await thing.close();
});

/** The red team's payload: an array 3,000 deep, about 6 KB of JSON. */
function deepArray(depth = 3000): unknown {
  let deep: unknown = [];
  for (let level = 0; level < depth; level++) deep = [deep];
  return deep;
}

/** Resolves with the next error-message, or rejects if none comes. */
const nextError = (socket: TestPeer) => nextEvent(socket, Events.ErrorMessage, 10_000);

/** The first `n` error-messages the socket receives. */
function nErrors(socket: TestPeer, n: number, timeoutMs = 10_000): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const seen: unknown[] = [];
    const timer = setTimeout(() => reject(new Error(`${seen.length} of ${n} error-messages`)), timeoutMs);
    socket.on(Events.ErrorMessage, (error) => {
      seen.push(error);
      if (seen.length !== n) return;
      clearTimeout(timer);
      resolve(seen);
    });
  });
}

/** What a neck reports, or a message, that a peer receives (joins are not counted: they race the test's start). */
function reports(socket: TestPeer): string[] {
  const relayed: ReadonlySet<string> = new Set([
    Events.NeckAck,
    Events.NeckOutput,
    Events.NeckStatus,
    Events.PeerMessage,
    Events.NeckCommand,
  ]);
  const seen: string[] = [];
  socket.onAny((event: string) => {
    if (relayed.has(event)) seen.push(event);
  });
  return seen;
}

describe('a hostile peer cannot end the hub: a 3,000-deep nesting in any field (issue 17)', () => {
  const deep = deepArray();
  const cases: [string, 'observer' | 'ui', string, Record<string, unknown>][] = [
    ['neck_output {line}', 'observer', Events.NeckOutput, { line: deep }],
    ['neck_status {serial}', 'observer', Events.NeckStatus, { serial: deep }],
    ['broadcast-message {sentAt}', 'ui', Events.BroadcastMessage, { message: 'X1', sentAt: deep }],
    ['broadcast-message {extra}', 'ui', Events.BroadcastMessage, { message: 'X1', extra: deep }],
    ['neck_command {extra}', 'ui', Events.NeckCommand, { command: 'X1', extra: deep }],
    ['peer-message {target}', 'ui', Events.PeerMessage, { target: deep, message: 'X1' }],
    ['neck_output {line}', 'ui', Events.NeckOutput, { line: deep }],
    ['broadcast-message {extra}', 'observer', Events.BroadcastMessage, { message: 'X1', extra: deep }],
  ];

  it.each(cases)(
    '%s from a peer of role %s: INVALID_PAYLOAD, and the hub stays up and relays',
    async (_, role, event, body) => {
      const hub = track(await HubProcess.start());
      const attacker = await hub.connect(role, `attacker-${role}`);
      const operator = await hub.connect('ui', 'operator');
      const neck = await hub.connect('neck', 'neck');

      const error = nextError(attacker);
      attacker.emit(event as typeof Events.BroadcastMessage, body as never);
      expect(await error).toEqual({
        code: 'INVALID_PAYLOAD',
        message: `payload is nested deeper than ${MAX_PAYLOAD_DEPTH} levels`,
      });
      // Still up, still relaying: a command reaches the neck.
      const command = nextEvent(neck, Events.NeckCommand);
      operator.emit(Events.NeckCommand, { command: 'X2', id: 'after' });
      expect(await command).toMatchObject({ command: 'X2', id: 'after' });
      expect(hub.alive).toBe(true);
    },
  );
});

/**
 * A hostile hub: answers any login, and lets the test emit whatever it likes to the agent that connects (the
 * real hub would never relay these; a compromised or impostor one could).
 */
async function hostileHub(): Promise<{
  url: string;
  agent: Promise<import('socket.io').Socket>;
  close(): Promise<void>;
}> {
  const http = createServer((request, response) => {
    if (request.method === 'POST' && request.url === '/login') {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ token: 'hostile.token.here', uuid: 'victim', expiresIn: 3600 }));
      return;
    }
    response.writeHead(404).end();
  });
  const io = new Server(http, { serveClient: false });
  const agent = new Promise<import('socket.io').Socket>((resolve) => {
    io.on('connection', (socket) => {
      socket.emit(Events.ExistingPeers, []);
      resolve(socket);
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const address = http.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    agent,
    close: async () => {
      await io.close();
    },
  };
}

describe("the agent's command input: a hostile hub cannot end the agent either (issue 17)", () => {
  it('drops 3,000-deep and malformed commands from the hub, says so, and still acks a good one', async () => {
    const hub = track(await hostileHub());
    const configDir = mkdtempSync(join(tmpdir(), 'neck-hostile-hub-agent-'));
    track({ close: () => rmSync(configDir, { recursive: true, force: true }) });
    const agent = Program.start('neck-agent', ['-s', hub.url, '-u', 'victim', '--simulate'], {
      NECK_CONFIG_DIR: configDir,
      PEER_SHARED_SECRET: 'any password',
    });
    track({ close: () => agent.kill() });
    const socket = await hub.agent;
    const deep = deepArray();
    socket.emit(Events.NeckCommand, { command: 'X1', peerId: 'operator', extra: deep });
    socket.emit(Events.NeckCommand, { command: deep, peerId: 'operator' });
    socket.emit(Events.PeerMessage, { message: 'X1', peerId: deep });
    socket.emit(Events.NeckCommand, null);
    socket.emit(Events.NewPeer, null);
    await agent.waitFor(/dropped a neck_command from the hub: payload is nested deeper than 16 levels/);
    await agent.waitFor(/dropped a peer-message from the hub: payload is nested deeper/);
    await agent.waitFor(/dropped a new-peer from the hub: a handler failed/);
    const ack = new Promise<unknown>((resolve) =>
      socket.on(Events.NeckAck, (payload: { id?: string }) => {
        if (payload.id === 'good') resolve(payload);
      }),
    );
    socket.emit(Events.NeckCommand, { command: 'X10', peerId: 'operator', id: 'good' });
    expect(await ack).toMatchObject({ id: 'good', to: 'operator' });
    expect(agent.child.exitCode).toBeNull();
  });
});

describe('only necks report acks, status and output (issue 17)', () => {
  it.each(['observer', 'ui'] as const)(
    'a peer of role %s sending neck_ack, neck_output or neck_status gets FORBIDDEN, and no other peer receives anything',
    async (role) => {
      const hub = track(await HubProcess.start());
      const spoofer = await hub.connect(role, `spoofer-${role}`);
      const operator = await hub.connect('ui', 'operator');
      const observer = await hub.connect('observer', 'watcher');
      const neck = await hub.connect('neck', 'neck');
      const heard = { operator: reports(operator), observer: reports(observer), neck: reports(neck) };
      const errors = nErrors(spoofer, 4);

      const ack = { command: 'X0,Y0,Z0,H0,S1,A1,R0,P0', status: 'written', id: 'c1' } as const;
      spoofer.emit(Events.NeckAck, { ...ack, to: operator.id ?? '' });
      spoofer.emit(Events.NeckAck, ack);
      spoofer.emit(Events.NeckOutput, { line: 'Executing HOME_BRUTE command...' });
      spoofer.emit(Events.NeckStatus, {
        serial: { state: 'open', path: '/dev/ttyUSB0', baud: 115200 },
        firmware: { state: 'ready', answersHealth: true },
        control: { holder: null, leaseMs: 2000, stopped: false, stoppedBy: null },
        pose: null,
        queueDepth: 0,
        health: null,
      });
      // Each was answered, in order; then the neck's own report goes through, after anything they could have caused.
      const refusals = await errors;
      const real = Promise.all([nextEvent(operator, Events.NeckOutput), nextEvent(observer, Events.NeckOutput)]);
      neck.emit(Events.NeckOutput, { line: 'real' });
      for (const output of await real) expect(output).toMatchObject({ line: 'real', peerId: neck.id });

      const expected = role === 'observer' ? /^observers cannot send/ : /^only a neck reports/;
      expect(refusals).toEqual(
        Array.from({ length: 4 }, () => ({ code: 'FORBIDDEN', message: expect.stringMatching(expected) })),
      );
      expect(heard).toEqual({ operator: [Events.NeckOutput], observer: [Events.NeckOutput], neck: [] });
    },
  );
});

describe('at most 16 sockets per uuid (issue 17)', () => {
  it('refuses the 17th socket of one uuid at the handshake with the reason; one closed makes room', async () => {
    const hub = track(await HubProcess.start());
    const login = await hub.login({ uuid: 'many-tabs', role: 'ui' });
    const sockets: TestPeer[] = [];
    for (let i = 0; i < 16; i++) {
      const socket = hub.peer(login.body.token);
      await nextEvent(socket, Events.ExistingPeers);
      sockets.push(socket);
    }
    const refused = await connectError(hub.peer(login.body.token));
    expect(refused).toMatch(/^too many connections: many-tabs already has 16 sockets open/);
    // Another uuid is not affected; and once one of the 16 leaves, the uuid may connect again.
    await hub.connect('ui', 'someone-else');
    const left = nextEvent(sockets[1], Events.PeerDisconnect);
    sockets[0].disconnect();
    await left;
    await nextEvent(hub.peer(login.body.token), Events.ExistingPeers);
  });

  it('takes the cap from --max-sockets-per-uuid', async () => {
    const hub = track(await HubProcess.start(['--max-sockets-per-uuid', '2']));
    const login = await hub.login({ uuid: 'two-only', role: 'observer' });
    for (let i = 0; i < 2; i++) await nextEvent(hub.peer(login.body.token), Events.ExistingPeers);
    expect(await connectError(hub.peer(login.body.token))).toMatch(/two-only already has 2 sockets/);
  });
});

describe('paired uuids are bounded: pairing past --max-paired-devices is refused (issue 17)', () => {
  it('refuses a new uuid past the bound with 403 and the way out, and lets a paired uuid pair again', async () => {
    const hub = track(await HubProcess.start(['--max-paired-devices', '3']));
    for (const uuid of ['d1', 'd2', 'd3']) expect((await hub.login({ uuid, pair: true })).status).toBe(200);
    const refused = await hub.login({ uuid: 'd4', pair: true });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/already has 3 paired devices.*neck devices revoke UUID/);
    const again = await hub.login({ uuid: 'd2', pair: true });
    expect(again.status).toBe(200);
    expect(again.body.deviceKey).toEqual(expect.any(String));
    // Logging in without pairing is not bounded.
    expect((await hub.login({ uuid: 'd5' })).status).toBe(200);
  });
});

/** A raw HTTP request, with no Host header when `host` is ''; resolves with the status (101: upgraded). */
function rawRequest(url: string, path: string, given: Record<string, string>): Promise<{ status: number }> {
  const { host, ...rest } = given;
  const headers = host === undefined || host === '' ? rest : { ...rest, host };
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}${path}`, { headers, setHost: host === undefined }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
    });
    request.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve({ status: 101 });
    });
    request.on('error', reject);
    request.end();
  });
}

const POLLING_HANDSHAKE = '/socket.io/?EIO=4&transport=polling';
const WEBSOCKET_UPGRADE = '/socket.io/?EIO=4&transport=websocket';
const upgrade = {
  connection: 'Upgrade',
  upgrade: 'websocket',
  'sec-websocket-version': '13',
  'sec-websocket-key': Buffer.from('0123456789abcdef').toString('base64'),
};

describe('Origin: the hub knows its own page by its own addresses, not by Host (issue 17)', () => {
  it('answers 403 to a DNS-rebinding Origin/Host pair, Origin null and unparsable origins, on polling and upgrade', async () => {
    const hub = track(await TestHub.start({ corsOrigins: ['https://good.example'] }));
    const port = new URL(hub.url).port;
    const rebinding = { origin: `http://evil.test:${port}`, host: `evil.test:${port}` };
    const statuses: Record<string, number> = {};
    const hostile: Record<string, Record<string, string>> = {
      rebinding,
      'rebinding origin': { origin: `http://evil.test:${port}` },
      'rebinding origin, no Host': { origin: `http://evil.test:${port}`, host: '' },
      null: { origin: 'null' },
      'null, no Host': { origin: 'null', host: '' },
      unparsable: { origin: 'not a url' },
    };
    for (const [name, headers] of Object.entries(hostile)) {
      statuses[`${name} polling`] = (await rawRequest(hub.url, POLLING_HANDSHAKE, headers)).status;
      statuses[`${name} upgrade`] = (await rawRequest(hub.url, WEBSOCKET_UPGRADE, { ...upgrade, ...headers })).status;
    }
    // The hub's own page, by the address it was reached on and by localhost, and a listed origin, pass.
    statuses['own address'] = (await rawRequest(hub.url, WEBSOCKET_UPGRADE, { ...upgrade, origin: hub.url })).status;
    statuses['own localhost'] = (
      await rawRequest(hub.url, WEBSOCKET_UPGRADE, { ...upgrade, origin: `http://localhost:${port}` })
    ).status;
    statuses.listed = (await rawRequest(hub.url, POLLING_HANDSHAKE, { origin: 'https://good.example' })).status;
    // Another port on the hub's own address is another origin.
    statuses['own address, other port'] = (
      await rawRequest(hub.url, WEBSOCKET_UPGRADE, { ...upgrade, origin: `http://127.0.0.1:${Number(port) + 1}` })
    ).status;
    expect(statuses).toEqual({
      'rebinding polling': 403,
      'rebinding upgrade': 403,
      'rebinding origin polling': 403,
      'rebinding origin upgrade': 403,
      'rebinding origin, no Host polling': 400,
      'rebinding origin, no Host upgrade': 403,
      'null polling': 403,
      'null upgrade': 403,
      // Node's HTTP server itself refuses an HTTP/1.1 request without Host (400) before the hub sees it.
      'null, no Host polling': 400,
      'null, no Host upgrade': 403,
      'unparsable polling': 403,
      'unparsable upgrade': 403,
      'own address': 101,
      'own localhost': 101,
      listed: 200,
      'own address, other port': 403,
    });
  });

  it('sends X-Content-Type-Options: nosniff with its JSON', async () => {
    const hub = track(await TestHub.start());
    const health = await fetch(`${hub.url}/`, { headers: { accept: 'application/json' } });
    expect(health.headers.get('content-type')).toMatch(/^application\/json/);
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    const login = await hub.postLogin({ password: 'wrong' });
    expect(login.status).toBe(401);
    expect(login.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
