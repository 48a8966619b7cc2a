#!/usr/bin/env node
'use strict';
// Relay cost of the hub against a bare socket.io relay, run side by side on loopback.
//   node bench/relay.bench.js [roundTrips=2000] [rounds=5]
// Two peers play ping-pong through each server (A broadcasts, B answers, A waits): the round trip is two
// relayed messages. The bare server just does socket.broadcast.emit; the hub adds auth, validation, rate
// limiting (raised here so it never triggers) and routing. Rounds alternate bare/hub to share the machine's
// noise. Needs `npm run build`.
const { createServer } = require('node:http');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Server } = require('socket.io');
const { io } = require('socket.io-client');

const root = join(__dirname, '..');
const { HubSettings, TOKEN_AUDIENCE, TOKEN_ISSUER, startHub } = require(join(root, 'libs/hub/dist/index.js'));

const ROUND_TRIPS = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 5);
const PASSWORD = 'bench-password';

async function bareRelay() {
  const http = createServer();
  const server = new Server(http, { serveClient: false });
  server.on('connection', (socket) => {
    socket.on('broadcast-message', (payload) =>
      socket.broadcast.emit('peer-message', { peerId: socket.id, ...payload }),
    );
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${http.address().port}`,
    auth: async () => ({}),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function hubRelay() {
  const configDir = mkdtempSync(join(tmpdir(), 'neck-bench-'));
  const settings = new HubSettings({
    configDir,
    port: 0,
    host: '127.0.0.1',
    corsOrigins: '*',
    auth: {
      sharedSecret: PASSWORD,
      jwtSecret: 'bench-jwt-secret-0123456789abcdef0123456789abcdef',
      tokenLifetimeSeconds: 3600,
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      maxFailedLogins: 10,
      failedLoginWindowSeconds: 60,
    },
    socket: { maxPayloadBytes: 16 * 1024, messagesPerSecond: 1_000_000 },
    tunnel: {
      enabled: false,
      heartbeatIntervalMs: 60_000,
      heartbeatTimeoutMs: 5_000,
      maxHeartbeatFailures: 5,
      retryMinMs: 5_000,
      retryMaxMs: 300_000,
    },
  });
  const hub = await startHub(settings, { logger: false });
  return {
    url: hub.url,
    auth: async () => {
      const response = await fetch(`${hub.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ password: PASSWORD }),
      });
      return { token: (await response.json()).token };
    },
    close: async () => {
      await hub.close();
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}

async function connect(server) {
  const socket = io(server.url, { auth: await server.auth(), transports: ['websocket'], forceNew: true });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

/** Round-trip times in ms for `count` sequential ping-pongs through the server. */
async function pingPong(server, count) {
  const a = await connect(server);
  const b = await connect(server);
  b.on('peer-message', ({ message }) => b.emit('broadcast-message', { message: `pong ${message}` }));
  const times = [];
  for (let i = 0; i < count + 100; i++) {
    const started = performance.now();
    await new Promise((resolve) => {
      a.once('peer-message', resolve);
      a.emit('broadcast-message', { message: `X${i % 700}` });
    });
    if (i >= 100) times.push(performance.now() - started); // the first 100 warm up
  }
  a.disconnect();
  b.disconnect();
  return times;
}

const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const percentile = (values, p) =>
  [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.floor(values.length * p))];
const fmt = (ms) => `${(ms * 1000).toFixed(0)} µs`;

async function main() {
  const bare = await bareRelay();
  const hub = await hubRelay();
  const results = { bare: [], hub: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, server] of round % 2 === 0
      ? [
          ['bare', bare],
          ['hub', hub],
        ]
      : [
          ['hub', hub],
          ['bare', bare],
        ]) {
      results[name].push(...(await pingPong(server, ROUND_TRIPS)));
    }
  }
  await bare.close();
  await hub.close();
  const row = (name) => {
    const times = results[name];
    const total = times.reduce((sum, t) => sum + t, 0);
    return { name, median: median(times), p99: percentile(times, 0.99), perSecond: (times.length / total) * 1000 };
  };
  const [b, h] = [row('bare'), row('hub')];
  console.log(
    `relay round trip (2 relayed messages), ${ROUNDS} alternating rounds × ${ROUND_TRIPS}, node ${process.version}`,
  );
  for (const r of [b, h]) {
    console.log(
      `  ${r.name.padEnd(5)} median ${fmt(r.median).padStart(8)}  p99 ${fmt(r.p99).padStart(8)}  ${r.perSecond.toFixed(0)} round trips/s`,
    );
  }
  console.log(
    `  hub / bare: median ×${(h.median / b.median).toFixed(2)}, p99 ×${(h.p99 / b.p99).toFixed(2)}, throughput ×${(h.perSecond / b.perSecond).toFixed(2)}`,
  );
  console.log(
    `  a 100 Hz pose stream needs 100 round trips/s: the hub sustains ${(h.perSecond / 100).toFixed(0)}× that here`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
