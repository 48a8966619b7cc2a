'use strict';
// The two peers of the relay benchmarks (relay, paced, cpu), connected to the hub or to the bare relay: a UI
// (role ui) that sends `broadcast-message {message, id}`, and a neck-like peer (role neck) that answers each
// delivery with `neck_ack {command, status: 'written', to: <sender's sid>, id}`. A round trip is two relayed
// messages. Both peers live in the bench's own process, never in the server's. Drivers: closedLoop (wait for
// each ack before the next) and paced (one message every period, whatever the acks do).
const { ascending, percentile, protocol, sleep, startServer } = require('./common');

/** How long one round trip may take before the benchmark gives up, ms. */
const ACK_TIMEOUT_MS = 5_000;

/** Connects the UI and the neck-like peer to `server` (from startServer). */
async function connectRelayPeers(server) {
  const { Events } = protocol();
  const ui = await server.connect({ uuid: 'bench-ui', role: 'ui' });
  const neck = await server.connect({ uuid: 'bench-neck-peer', role: 'neck' }).catch((error) => {
    ui.disconnect();
    throw error;
  });
  neck.on(Events.PeerMessage, ({ peerId, message, id }) => {
    neck.emit(Events.NeckAck, { command: message, status: 'written', to: peerId, id });
  });
  let onAck = () => {};
  let onError = () => {};
  ui.on(Events.NeckAck, (ack) => onAck(ack));
  ui.on(Events.ErrorMessage, (error) => onError(error));
  return {
    server,
    send: (message, id) => ui.emit(Events.BroadcastMessage, { message, id }),
    /** Sets the one ack handler, and what to do with an `error-message`. */
    listen(ack, error) {
      onAck = ack;
      onError = error;
    },
    close() {
      ui.disconnect();
      neck.disconnect();
    },
  };
}

const serverSaid = (server, error) =>
  new Error(`the ${server.name} answered error-message ${error.code}: ${error.message} (id ${error.id ?? 'none'})`);

/**
 * `count` round trips one after the other; resolves with their times (ms, ascending) and the wall time.
 * Rejects when one is not acked within ACK_TIMEOUT_MS or the server answers an error.
 */
async function closedLoop(peers, count, idPrefix) {
  const times = new Float64Array(count);
  let pending;
  peers.listen(
    (ack) => {
      if (pending !== undefined && ack.id === pending.id) pending.resolve();
    },
    (error) => pending?.reject(serverSaid(peers.server, error)),
  );
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const id = `${idPrefix}-${i}`;
    const sent = performance.now();
    await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ack from the ${peers.server.name} for ${id} within ${ACK_TIMEOUT_MS} ms`)),
        ACK_TIMEOUT_MS,
      );
      pending = {
        id,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      peers.send(`X${i % 700}`, id);
    });
    times[i] = performance.now() - sent;
  }
  const wallMs = performance.now() - started;
  pending = undefined;
  return { times: times.sort(), wallMs };
}

/**
 * One message every `periodMs` for `durationMs` (scheduled on absolute times, so a late timer does not slow
 * the rate), then waits for the last acks; resolves with the round-trip times (ms, ascending) and how many
 * messages got no ack within ACK_TIMEOUT_MS.
 */
async function paced(peers, { periodMs, durationMs, idPrefix }) {
  const sentAt = new Map();
  const times = [];
  let drained;
  let failure;
  peers.listen(
    (ack) => {
      const sent = sentAt.get(ack.id);
      if (sent === undefined) return;
      times.push(performance.now() - sent);
      sentAt.delete(ack.id);
      if (sentAt.size === 0) drained?.();
    },
    (error) => {
      failure ??= serverSaid(peers.server, error);
    },
  );
  const start = performance.now();
  for (let i = 0; i * periodMs < durationMs && failure === undefined; i++) {
    const wait = start + i * periodMs - performance.now();
    if (wait > 0) await sleep(wait);
    const id = `${idPrefix}-${i}`;
    sentAt.set(id, performance.now());
    peers.send(`X${i % 2 === 0 ? 100 : -100}`, id);
  }
  if (sentAt.size > 0) {
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, ACK_TIMEOUT_MS);
      drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  if (failure) throw failure;
  return { times: ascending(times), lost: sentAt.size };
}

/** Median, p99 and mean of times sorted ascending (ms in, µs out). */
function summaryUs(sorted) {
  let sum = 0;
  for (const t of sorted) sum += t;
  return {
    p50: percentile(sorted, 0.5) * 1000,
    p99: percentile(sorted, 0.99) * 1000,
    mean: (sum / sorted.length) * 1000,
  };
}

/** Concatenates Float64Arrays into one, sorted ascending. */
function mergeSorted(arrays) {
  const all = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    all.set(a, offset);
    offset += a.length;
  }
  return all.sort();
}

/**
 * Starts the bare relay and the hub, connects a UI and a neck-like peer to each, warms both up with `warmUp`,
 * runs `measure({bare, hub})` (each `{server, peers}`) and stops everything however it ends.
 */
async function withRelayServers(warmUp, measure) {
  const sides = {};
  try {
    for (const name of ['bare', 'hub']) {
      const server = await startServer(name);
      sides[name] = { server, peers: undefined };
      sides[name].peers = await connectRelayPeers(server);
      await warmUp(sides[name].peers);
    }
    return await measure(sides);
  } finally {
    for (const side of Object.values(sides)) side.peers?.close();
    await Promise.all(Object.values(sides).map((side) => side.server.stop()));
  }
}

module.exports = { ACK_TIMEOUT_MS, closedLoop, connectRelayPeers, mergeSorted, paced, summaryUs, withRelayServers };
