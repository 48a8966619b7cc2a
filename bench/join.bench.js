'use strict';
// Join storm: what one join costs as the server fills with idle peers, and the memory each idle peer holds.
// The built hub and the bare relay (each a child process) are filled side by side, stage after stage, to 100,
// 1,000 and 5,000 idle peers (--max-peers caps it), in batches of 100 by bench/join-clients.js — one child
// process per server, so that the idle peers share neither the server's core nor the bench's: one neck, ten
// operators (ui) and every other peer an observer, each with its own uuid, logging in with POST /login (20 at a time; the bare relay has no
// login), then all 100 connecting at once. At each stage the bench itself joins probe observers one at a time,
// alternating servers, and times each from the socket.io connection to its `existing-peers` (the token was got
// before; a warm-up is discarded), then reads each server's RSS (/proc/<pid>/status VmRSS). RSS per idle peer is
// that over the RSS before the storm (after a warm-up batch joined and left), divided by the peers. A join that
// fails is counted, not retried; a batch with more than half failing, or the time budget running out, stops that
// server's storm and its larger stages are reported as not reached. Each peer holds a socket in the server and in
// its clients' process, so both get an open-files limit of the largest stage + SPARE_DESCRIPTORS (raised up to
// the hard limit). Targets (issue 13): join time flat (±30 %) from 100 to 5,000 peers; hub RSS per idle
// observer ≤ 30 KB. Run: npm run bench -- --only join
const { join } = require('node:path');
const {
  alternating,
  connectPeer,
  fmt,
  openFilesLimits,
  percentile,
  progress,
  row,
  rssKb,
  sleep,
  startProgram,
  startServer,
  withTimeout,
} = require('./common');

const BATCH = 100;
const LOGIN_CONCURRENCY = 20;
const JOIN_TIMEOUT_MS = 30_000;
/** Descriptors each process needs besides one per peer (node itself, logins in flight, the IPC channel). */
const SPARE_DESCRIPTORS = 300;
const PROBE_WARM_UP = 5;
const FULL = { sizes: [100, 1_000, 5_000], probes: 30, budgetMs: 8 * 60_000 };
const QUICK = { sizes: [100, 1_000], probes: 10, budgetMs: 2 * 60_000 };
const MAX_RSS_PER_PEER_KB = 30;
const NAME = 'join storm';

/** The sizes to reach: the defaults up to `max`, and `max` itself. */
function sizesUpTo(defaults, max) {
  if (max === undefined) return defaults;
  const sizes = defaults.filter((size) => size <= max);
  if (sizes.length === 0 || sizes[sizes.length - 1] < max) sizes.push(max);
  return sizes;
}

/** A server and the child process holding its idle peers, with what the storm learnt about it. */
async function startSide(name, openFiles) {
  const server = await startServer(name, { openFiles, collectable: true });
  let clients;
  try {
    ({ program: clients } = await startProgram(`join clients (${name})`, [join(__dirname, 'join-clients.js')], {
      ipc: true,
      openFiles,
    }));
  } catch (error) {
    await server.stop();
    throw error;
  }
  const ask = (message, timeoutMs) =>
    withTimeout(
      new Promise((resolve, reject) => {
        clients.child.once('message', (answer) =>
          answer.type === 'error' ? reject(new Error(`join clients: ${answer.message}`)) : resolve(answer),
        );
        clients.child.send(message);
      }),
      timeoutMs,
      `the join clients to answer ${message.type}`,
    );
  return {
    name,
    server,
    clients,
    ask,
    next: 0,
    connected: 0,
    droppedByServer: 0,
    spentMs: 0,
    stopped: undefined,
    failures: {},
    token: undefined,
    points: [],
    stop: async () => {
      await clients.stop();
      await server.stop();
    },
  };
}

/** One batch of `count` peers into the side's server. */
function batch(side, count) {
  const from = side.next;
  side.next += count;
  const timeoutMs = Math.ceil(count / LOGIN_CONCURRENCY) * JOIN_TIMEOUT_MS + JOIN_TIMEOUT_MS + 10_000;
  return side.ask(
    {
      type: 'grow',
      url: side.server.url,
      auth: side.name === 'hub',
      from,
      count,
      loginConcurrency: LOGIN_CONCURRENCY,
      timeoutMs: JOIN_TIMEOUT_MS,
    },
    timeoutMs,
  );
}

/** Fills the side's server up to `size` (unless its storm stopped); returns the fill's cost per peer joined. */
async function fill(side, size, budgetMs) {
  const cost = { loginMs: 0, connectMs: 0, ok: 0 };
  while (side.stopped === undefined && side.connected < size) {
    if (side.spentMs > budgetMs) {
      side.stopped = `time budget of ${budgetMs / 60_000} min ran out at ${fmt(side.connected)} peers`;
      break;
    }
    if (!side.server.program.alive) {
      side.stopped = `the ${side.name} exited at ${fmt(side.connected)} peers: ${side.server.program.tail(3)}`;
      break;
    }
    const count = Math.min(BATCH, size - side.connected);
    const started = performance.now();
    const result = await batch(side, count);
    side.spentMs += performance.now() - started;
    side.connected = result.connected;
    side.droppedByServer = result.droppedByServer;
    cost.loginMs += result.loginMs;
    cost.connectMs += result.connectMs;
    cost.ok += result.ok;
    for (const [kind, n] of Object.entries(result.failures)) side.failures[kind] = (side.failures[kind] ?? 0) + n;
    if (result.ok < count / 2) {
      side.stopped = `${count - result.ok} of ${count} joins failed at ${fmt(side.connected)} peers`;
    }
    if (side.connected % 1_000 === 0 && side.connected < size) {
      progress(`join (${side.name}): ${fmt(side.connected)} of ${fmt(size)} idle peers joined`);
    }
  }
  return cost;
}

/**
 * The server's RSS, KB, once the joins' garbage is gone: the last broadcasts have no end event, so after a second
 * the bench has the server collect its garbage (bench/gc-on-signal.js), which V8 would otherwise do only when it
 * sees fit, seconds or minutes later. Also the RSS before that collection.
 */
async function idleRss(side) {
  await sleep(1_000);
  const rssBeforeGcKb = rssKb(side.server.pid);
  await side.server.collectGarbage();
  return { rssKb: rssKb(side.server.pid), rssBeforeGcKb };
}

/** One observer joining from this process: ms from the connection to `existing-peers`; it leaves at once. */
async function probe(side) {
  const started = performance.now();
  const socket = await connectPeer(side.server.url, { token: side.token, timeoutMs: JOIN_TIMEOUT_MS });
  const ms = performance.now() - started;
  socket.disconnect();
  return ms;
}

async function run({ quick, maxPeers }) {
  const { budgetMs, probes, sizes: defaults } = quick ? QUICK : FULL;
  let sizes = sizesUpTo(defaults, maxPeers);
  const notes = [];
  const limits = openFilesLimits();
  const largest = sizes[sizes.length - 1];
  if (limits !== undefined && limits.hard < largest + SPARE_DESCRIPTORS) {
    const fits = Math.floor((limits.hard - SPARE_DESCRIPTORS) / BATCH) * BATCH;
    notes.push(
      `join storm: the hard open-files limit (${limits.hard}) allows ${fmt(fits)} peers, not ${fmt(largest)}; ` +
        'raise it (ulimit -Hn, as root) for the full storm',
    );
    sizes = sizesUpTo(
      sizes.filter((size) => size <= fits),
      fits,
    );
  }
  const openFiles = sizes[sizes.length - 1] + SPARE_DESCRIPTORS;
  const sides = {};
  try {
    for (const name of ['bare', 'hub']) {
      sides[name] = await startSide(name, openFiles);
      const side = sides[name];
      side.token = await side.server.login({ uuid: 'bench-probe', role: 'observer' });
      // Warm both processes up (code paths, JIT), then let the peers go and read the RSS the storm starts from.
      await batch(side, BATCH);
      await side.ask({ type: 'drop' }, JOIN_TIMEOUT_MS);
      for (let i = 0; i < PROBE_WARM_UP; i++) await probe(side);
    }
    for (const side of Object.values(sides)) side.rssBeforeKb = (await idleRss(side)).rssKb;

    for (const [stage, size] of sizes.entries()) {
      for (const name of alternating(stage, ['bare', 'hub'])) {
        const side = sides[name];
        const filled = await fill(side, size, budgetMs);
        if (side.stopped !== undefined) {
          progress(`join (${name}): stopped: ${side.stopped}`);
          side.points.push({ size, reached: false, reason: side.stopped });
          continue;
        }
        side.points.push({
          size,
          reached: true,
          fillMsPerJoin: (filled.loginMs + filled.connectMs) / Math.max(1, filled.ok),
          probesMs: [],
        });
      }
      const reached = ['bare', 'hub'].filter((name) => sides[name].points.at(-1)?.reached);
      for (let i = 0; i < probes; i++) {
        for (const name of alternating(i, reached)) {
          const point = sides[name].points.at(-1);
          try {
            point.probesMs.push(await probe(sides[name]));
          } catch (error) {
            point.probeFailures = (point.probeFailures ?? 0) + 1;
            if (point.probeFailures === 1) progress(`join (${name}): a probe failed: ${error.message}`);
          }
        }
      }
      for (const name of reached) {
        const side = sides[name];
        const point = side.points.at(-1);
        point.probesMs.sort((a, b) => a - b);
        point.joinMs = percentile(point.probesMs, 0.5);
        Object.assign(point, await idleRss(side));
        point.rssPerPeerKb = (point.rssKb - side.rssBeforeKb) / side.connected;
        progress(
          `join (${name}): ${fmt(side.connected)} idle peers: probe join ${fmt(point.joinMs, 2)} ms (median of ` +
            `${point.probesMs.length}), fill ${fmt(point.fillMsPerJoin, 2)} ms per peer, RSS ` +
            `${fmt(point.rssKb / 1024, 1)} MB after GC (${fmt(point.rssBeforeGcKb / 1024, 1)} before), ` +
            `${fmt(point.rssPerPeerKb, 1)} KB per peer`,
        );
      }
    }
  } finally {
    await Promise.all(Object.values(sides).map((side) => side.stop()));
  }

  const at = (name, size) => sides[name].points.find((point) => point.size === size);
  const shown = (point, value) => (point?.reached ? value(point) : 'not reached');
  const rows = [];
  for (const size of sizes) {
    rows.push(
      row(NAME, `join at ${fmt(size)} idle peers, ms (median of ${probes})`, {
        value: shown(at('hub', size), (p) => p.joinMs),
        bare: shown(at('bare', size), (p) => p.joinMs),
        digits: 2,
      }),
    );
  }
  const [first, last] = [sizes[0], sizes[sizes.length - 1]];
  const growth = (name) => {
    const [a, b] = [at(name, first), at(name, last)];
    return a?.reached && b?.reached ? b.joinMs / a.joinMs : undefined;
  };
  const hubGrowth = growth('hub');
  const bareGrowth = growth('bare');
  rows.push(
    row(NAME, `join time at ${fmt(last)} ÷ at ${fmt(first)} peers`, {
      value: hubGrowth ?? 'not reached',
      bare: bareGrowth ?? 'not reached',
      digits: 2,
      figure: hubGrowth === undefined ? '—' : `×${fmt(hubGrowth, 2)}`,
      target: '×0.7–1.3 (flat)',
      met: hubGrowth !== undefined && hubGrowth >= 0.7 && hubGrowth <= 1.3,
      ...(hubGrowth === undefined ? { note: at('hub', last)?.reason ?? 'not reached' } : {}),
    }),
  );
  const top = (name) => [...sides[name].points].reverse().find((point) => point.reached);
  const [bareTop, hubTop] = [top('bare'), top('hub')];
  if (hubTop) {
    const sameSize = bareTop?.size === hubTop.size;
    rows.push(
      row(NAME, `RSS per idle peer at ${fmt(hubTop.size)} (all but 11 observers), KB`, {
        value: hubTop.rssPerPeerKb,
        bare: sameSize ? bareTop.rssPerPeerKb : undefined,
        digits: 1,
        figure: `${fmt(hubTop.rssPerPeerKb, 1)} KB`,
        target: `≤ ${MAX_RSS_PER_PEER_KB} KB`,
        met: hubTop.rssPerPeerKb <= MAX_RSS_PER_PEER_KB,
        ...(hubTop.size < last ? { note: `only ${fmt(hubTop.size)} peers reached` } : {}),
      }),
      row(NAME, `server RSS at ${fmt(hubTop.size)} idle peers, MB`, {
        value: hubTop.rssKb / 1024,
        bare: sameSize ? bareTop.rssKb / 1024 : undefined,
        digits: 1,
      }),
    );
  }
  const failed = (name) =>
    Object.values(sides[name].failures).reduce((sum, n) => sum + n, 0) + sides[name].droppedByServer;
  rows.push(row(NAME, 'joins failed, idle peers dropped', { value: failed('hub'), bare: failed('bare'), figure: '—' }));
  for (const name of ['bare', 'hub']) {
    const kinds = Object.entries(sides[name].failures).map(([kind, n]) => `${n} ${kind}`);
    if (sides[name].droppedByServer > 0) kinds.push(`${sides[name].droppedByServer} idle peers dropped by the server`);
    if (kinds.length > 0) notes.push(`join storm (${name}): ${kinds.join(', ')}`);
  }
  const fills = (name) =>
    sides[name].points
      .filter((p) => p.reached)
      .map((p) => `${fmt(p.size)}: ${fmt(p.fillMsPerJoin, 2)}`)
      .join(', ');
  notes.push(
    `join storm: filling in batches of ${BATCH} (login + connect, ms per peer) — hub ${fills('hub')}; ` +
      `bare ${fills('bare')}`,
  );
  const details = { batch: BATCH, loginConcurrency: LOGIN_CONCURRENCY, probes, sizes, openFiles };
  for (const [name, side] of Object.entries(sides)) {
    details[name] = {
      rssBeforeKb: side.rssBeforeKb,
      failures: side.failures,
      droppedByServer: side.droppedByServer,
      stopped: side.stopped ?? null,
      points: side.points,
    };
  }
  return { rows, notes, details };
}

module.exports = { name: 'join', title: NAME, run };
