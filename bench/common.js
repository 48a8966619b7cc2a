'use strict';
// What the benchmarks in bench/ share: the programs they start as child processes (the built hub, agent and
// virtual neck through their bins, the bare relay, socat), logging peers in and connecting them over the public
// wire protocol only, readings from /proc, percentiles, and the results rows. Every server runs in its own
// process, so a benchmark's clients never share its event loop. Children are stopped when the bench ends, fails
// or is interrupted (see stopEverything). Needs `npm run build` (see missingBuild()).
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { createInterface } = require('node:readline');
const { stripVTControlCharacters } = require('node:util');

const ROOT = join(__dirname, '..');

/** The programs the benchmarks run: the package's bins (which run dist/), and the built protocol lib. */
const BINS = {
  hub: join(ROOT, 'bin/neck-hub.js'),
  agent: join(ROOT, 'bin/neck-agent.js'),
  cli: join(ROOT, 'bin/neck.js'),
};
const BUILT = {
  hub: join(ROOT, 'dist/apps/hub/main.js'),
  agent: join(ROOT, 'dist/apps/neck-agent/main.js'),
  cli: join(ROOT, 'dist/apps/cli/main.js'),
  /** Event names and HTTP paths only: small enough for the bare relay to load without weighing on its RSS. */
  protocolEvents: join(ROOT, 'libs/protocol/dist/events.js'),
};

/** The built files that are missing (empty once `npm run build` has run). */
function missingBuild() {
  return Object.values(BUILT).filter((file) => !existsSync(file));
}

/** Event names and HTTP paths, from the protocol lib (the one place they are defined). */
function protocol() {
  return require(BUILT.protocolEvents);
}

// A fresh password and JWT key for each run. The bench's own child scripts get the password as BENCH_PASSWORD.
const SECRETS = {
  password: process.env.BENCH_PASSWORD ?? randomBytes(12).toString('hex'),
  jwtSecret: randomBytes(32).toString('hex'),
};

/** A started child process. */
class Program {
  constructor(name, child) {
    this.name = name;
    this.child = child;
    this.pid = child.pid;
    /** The last lines it printed, for error messages. */
    this.lines = [];
    this.lineListeners = new Set();
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  }

  get alive() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  tail(count = 15) {
    return this.lines.slice(-count).join('\n');
  }

  /** A line it printed (colours removed: Nest's logger colours its lines even without a terminal). */
  heard(line) {
    this.lines.push(line);
    if (this.lines.length > 200) this.lines.splice(0, 100);
    for (const listener of this.lineListeners) listener(line);
  }

  /** Resolves with the match of the next line that matches `pattern`; rejects after timeoutMs or on exit. */
  nextLine(pattern, timeoutMs, what = String(pattern)) {
    let listener;
    const line = new Promise((resolve, reject) => {
      listener = (text) => {
        const match = pattern.exec(text);
        if (match) resolve(match);
      };
      this.lineListeners.add(listener);
      void this.exited.then((how) => reject(new Error(`${this.name} exited (${how}) before ${what}`)));
    });
    return withTimeout(line, timeoutMs, `${this.name}: ${what}`).finally(() => this.lineListeners.delete(listener));
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5_000) {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(killer);
  }
}

const children = new Set();
const tempDirs = new Set();
let stopping = false;
let cleanupInstalled = false;

const TEMP_PREFIX = 'neck-bench-';

/**
 * A temp dir that is removed when the bench exits; its name holds this process's pid, so that the next run
 * removes it should this one be killed with SIGKILL (removeOrphanedTempDirs).
 */
function tempDir(prefix) {
  installCleanup();
  const dir = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}${process.pid}-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

/** Removes the temp dirs of bench runs whose process is gone. */
function removeOrphanedTempDirs() {
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(new RegExp(`^${TEMP_PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function removeTempDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Whether the bench is being stopped by a signal (failures past that point are not worth reporting). */
function isStopping() {
  return stopping;
}

/**
 * Stops every child (SIGTERM, SIGKILL after 3 s), removes the temp dirs and exits with `code`. A second signal
 * exits at once; the 'exit' handler still kills what is left.
 */
async function stopEverything(code, why) {
  if (stopping) process.exit(code);
  stopping = true;
  process.stderr.write(`\n${why}: stopping the benchmark's child processes\n`);
  await Promise.all([...children].map((program) => program.stop(3_000)));
  process.exit(code);
}

/** Kills this process's children (by pid) and removes its temp dirs when it exits or is interrupted. */
function installCleanup() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  removeOrphanedTempDirs();
  process.on('exit', () => {
    for (const program of children) if (program.alive) program.child.kill('SIGKILL');
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
  const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const [signal, code] of Object.entries(codes)) {
    process.on(signal, () => void stopEverything(code, signal));
  }
}

/**
 * Starts `command args` (node by default; with an IPC channel when `ipc`) and resolves once a line of its
 * output matches `ready` (with the match), or at once when `ready` is undefined. Rejects, with its last lines,
 * when it exits first or takes longer than timeoutMs. `openFiles` raises its open-files limit (through sh's
 * `ulimit -n`, up to the hard limit) when this process's is lower: the join storm holds a socket per peer.
 */
function startProgram(
  name,
  args,
  { command = process.execPath, nodeOptions = [], env = {}, ready, timeoutMs = 30_000, ipc = false, openFiles } = {},
) {
  installCleanup();
  const childEnv = {
    ...process.env,
    NO_COLOR: '1',
    BENCH_PASSWORD: SECRETS.password,
    // The bins stop by themselves once the process that started them is gone (bin/stop-with-launcher.js), so
    // even a bench killed with SIGKILL leaves no hub behind.
    npm_lifecycle_event: process.env.npm_lifecycle_event ?? 'bench',
    ...env,
  };
  for (const inherited of ['FORCE_COLOR', 'NECK_CONFIG_DIR', 'PEER_SHARED_SECRET', 'JWT_SECRET']) {
    if (!(inherited in env)) delete childEnv[inherited];
  }
  let file = command;
  let argv = command === process.execPath ? [...nodeOptions, ...args] : args;
  const limit = openFilesLimits();
  if (openFiles !== undefined && limit !== undefined && limit.soft < openFiles) {
    file = '/bin/sh';
    const wanted = Math.min(openFiles, limit.hard);
    argv = ['-c', `ulimit -n ${wanted} && exec "$0" "$@"`, command, ...argv];
  }
  const child = spawn(file, argv, {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])],
  });
  const program = new Program(name, child);
  children.add(program);
  void program.exited.then(() => children.delete(program));
  return new Promise((resolve, reject) => {
    let settled = false;
    const whenReady = (line) => {
      const match = ready?.exec(line);
      if (match) settle(undefined, match);
    };
    const settle = (error, match) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      program.lineListeners.delete(whenReady);
      if (error) {
        void program.stop();
        reject(error);
      } else resolve({ program, match });
    };
    const timer = setTimeout(
      () => settle(new Error(`${name} was not ready within ${timeoutMs} ms; it printed:\n${program.tail()}`)),
      timeoutMs,
    );
    // Always read its output: a full pipe would block the child.
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (raw) => program.heard(stripVTControlCharacters(raw)));
    }
    if (ready !== undefined) program.lineListeners.add(whenReady);
    child.once('error', (error) => settle(error));
    void program.exited.then((how) =>
      settle(new Error(`${name} exited (${how}) before it was ready; it printed:\n${program.tail()}`)),
    );
    if (ready === undefined) settle(undefined, null);
  });
}

const LISTENING = /listening on (http:\/\/\S+)/;
const GC_DONE = /^bench: gc (done|unavailable)$/;

/**
 * Node options that let the bench collect a server's garbage before reading its memory (bench/gc-on-signal.js),
 * and the function that does it: SIGUSR2, then wait for the preload's answer.
 */
function garbageCollection(enabled) {
  const nodeOptions = enabled ? ['--expose-gc', '-r', join(__dirname, 'gc-on-signal.js')] : [];
  const collect = async (program) => {
    if (!enabled) throw new Error(`${program.name} was started without { collectable: true }`);
    const done = program.nextLine(GC_DONE, 30_000, 'a garbage collection');
    program.child.kill('SIGUSR2');
    const [, how] = await done;
    if (how !== 'done') throw new Error(`${program.name} cannot collect garbage (no --expose-gc)`);
  };
  return { nodeOptions, collect };
}

/**
 * The built hub (`neck-hub`) as a child process on a free loopback port, without a tunnel, with a fresh config
 * dir whose hub.json lifts the per-identity rate limit and the unauthenticated-connection cap, so that neither
 * is what a benchmark measures (the README's hub.json keys). Successful logins are never throttled.
 */
async function startHub({ openFiles, collectable = false } = {}) {
  const gc = garbageCollection(collectable);
  const configDir = tempDir('hub');
  writeFileSync(
    join(configDir, 'hub.json'),
    JSON.stringify({ cors_origins: '*', messages_per_second: 1_000_000, max_unauthenticated: 100_000 }),
  );
  const args = [BINS.hub, '--port', '0', '--host', '127.0.0.1', '--no-tunnel', '--config-dir', configDir];
  const env = { PEER_SHARED_SECRET: SECRETS.password, JWT_SECRET: SECRETS.jwtSecret };
  let started;
  try {
    started = await startProgram('neck-hub', args, { env, ready: LISTENING, openFiles, nodeOptions: gc.nodeOptions });
  } catch (error) {
    removeTempDir(configDir);
    throw error;
  }
  const { program, match } = started;
  const url = match[1];
  return {
    name: 'hub',
    url,
    program,
    pid: program.pid,
    connect: async ({ uuid, role, timeoutMs }) =>
      connectPeer(url, { token: await login(url, { uuid, role, timeoutMs }), timeoutMs }),
    login: (options) => login(url, options),
    /** A full garbage collection (only when started with { collectable: true }). */
    collectGarbage: () => gc.collect(program),
    stop: async () => {
      await program.stop();
      removeTempDir(configDir);
    },
  };
}

/** The bare socket.io relay (bench/bare-relay.js) as a child process: no login, the same event names. */
async function startBare({ openFiles, collectable = false } = {}) {
  const gc = garbageCollection(collectable);
  const { program, match } = await startProgram('bare relay', [join(__dirname, 'bare-relay.js')], {
    ready: LISTENING,
    openFiles,
    nodeOptions: gc.nodeOptions,
  });
  const url = match[1];
  return {
    name: 'bare',
    url,
    program,
    pid: program.pid,
    connect: ({ timeoutMs }) => connectPeer(url, { timeoutMs }),
    login: async () => undefined,
    collectGarbage: () => gc.collect(program),
    stop: () => program.stop(),
  };
}

/**
 * Starts the server named 'hub' or 'bare'. Options: `openFiles` (see startProgram), `collectable` (the bench may
 * collect its garbage before reading its memory: collectGarbage()).
 */
function startServer(name, options) {
  return name === 'hub' ? startHub(options) : startBare(options);
}

/** Why a peer could not join; `kind` is a short label that results count by. */
class JoinError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

/** `POST /login {uuid, password, role}`; resolves with the token. */
async function login(url, { uuid, role, timeoutMs = 20_000 }) {
  const { HubPaths } = protocol();
  let response;
  try {
    response = await fetch(`${url}${HubPaths.Login}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uuid, password: SECRETS.password, role }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw new JoinError(timedOut ? 'login timeout' : 'login failed', `login of ${uuid}: ${String(error)}`);
  }
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    throw new JoinError(`login HTTP ${response.status}`, `login of ${uuid}: HTTP ${response.status} ${text}`);
  }
  return (await response.json()).token;
}

/**
 * A socket.io-client connection (WebSocket only, no reconnection), resolved once `existing-peers` has arrived:
 * the hub sends it to every peer that has joined, and the bare relay does too, so both are timed alike.
 * `listen(socket)` adds listeners before it connects, so that nothing the server sends on joining is missed.
 */
function connectPeer(url, { token, timeoutMs = 20_000, listen } = {}) {
  const { Events } = protocol();
  const { io } = require('socket.io-client');
  const socket = io(url, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: timeoutMs,
  });
  listen?.(socket);
  return new Promise((resolve, reject) => {
    const fail = (error) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.disconnect();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new JoinError('join timeout', `no existing-peers within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once(Events.ExistingPeers, () => {
      clearTimeout(timer);
      socket.off('connect_error');
      socket.off('disconnect');
      resolve(socket);
    });
    socket.once('connect_error', (error) => fail(new JoinError('connect refused', String(error.message))));
    socket.once('disconnect', (reason) => fail(new JoinError('closed by server', `disconnected: ${reason}`)));
  });
}

/** Rejects with `what` after timeoutMs unless `promise` settles first. */
async function withTimeout(promise, timeoutMs, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Bare first in even rounds, hub first in odd ones, so both share the machine's drifts. */
function alternating(round, pair) {
  return round % 2 === 0 ? pair : [...pair].reverse();
}

/** Clock ticks per second of /proc/<pid>/stat's times: USER_HZ, which Linux fixes at 100 for user space. */
const USER_HZ = 100;

/** User + system CPU time a process has used, ms (/proc/<pid>/stat utime + stime; 10 ms resolution). */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; fields after it are space-separated from field 3 on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
}

/** Resident set size of a process, KB (/proc/<pid>/status VmRSS). */
function rssKb(pid) {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

/** This process's open-files limits {soft, hard} (children inherit them), or undefined off Linux. */
function openFilesLimits() {
  try {
    const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(
      readFileSync('/proc/self/limits', 'utf8'),
    );
    if (!match) return undefined;
    const value = (text) => (text === 'unlimited' ? Infinity : Number(text));
    return { soft: value(match[1]), hard: value(match[2]) };
  } catch {
    return undefined;
  }
}

/** Nearest-rank percentile (p in 0…1) of numbers sorted ascending. */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** A Float64Array of the values, sorted ascending. */
const ascending = (values) => Float64Array.from(values).sort();

const mean = (values) => (values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length);

/** A number with thousands separators and `digits` decimals; '—' for none. */
function fmt(value, digits = 0) {
  if (value === undefined || value === null || Number.isNaN(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A progress line on stderr (stdout holds the results). */
function progress(message) {
  const clock = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[${clock}] ${message}\n`);
}

/**
 * One results row: `value` is what the hub (or the agent) measured, `bare` the baseline's, both numbers or
 * text. `figure` is what the target is judged on; by default value ÷ bare, shown as ×1.23. `met` is true, false
 * or undefined (no target); `note` is added to the met? cell (why a target could not be judged, for one).
 */
function row(bench, measure, { value, bare, digits = 0, figure, target = '—', met, note } = {}) {
  const cell = (v) => (typeof v === 'number' ? fmt(v, digits) : (v ?? '—'));
  const ratio = typeof value === 'number' && typeof bare === 'number' && bare !== 0 ? value / bare : undefined;
  const shown = figure ?? (ratio !== undefined && Number.isFinite(ratio) ? `×${fmt(ratio, 2)}` : '—');
  const verdict = met === undefined ? '—' : met ? 'yes' : 'no';
  return {
    bench,
    measure,
    value: typeof value === 'number' ? value : (value ?? null),
    bare: typeof bare === 'number' ? bare : (bare ?? null),
    figure: shown,
    target,
    met: met ?? null,
    note: note ?? null,
    cells: [bench, measure, cell(value), cell(bare), shown, target, note ? `${verdict} (${note})` : verdict],
  };
}

/** A row for a benchmark that could not run. */
function failedRow(bench, error) {
  const message = error instanceof Error ? error.message : String(error);
  const reason = message.split('\n')[0].replaceAll('|', '/').slice(0, 160);
  return {
    bench,
    measure: 'could not run',
    value: null,
    bare: null,
    figure: '—',
    target: '—',
    met: false,
    note: reason,
    error: message,
    cells: [bench, 'could not run', '—', '—', '—', '—', `no (${reason})`],
  };
}

const HEADERS = ['bench', 'measure', 'hub/agent', 'bare', 'ratio or figure', 'target', 'met?'];
const RIGHT = [false, false, true, true, true, false, false];

/** A markdown table laid out as prettier lays it out (so that results.md passes `prettier --check`). */
function markdownTable(rows) {
  const cells = rows.map((r) => r.cells.map((c) => c.replaceAll('|', '/')));
  const widths = HEADERS.map((header, i) => Math.max(3, header.length, ...cells.map((c) => c[i].length)));
  const line = (values) =>
    `| ${values.map((value, i) => (RIGHT[i] ? value.padStart(widths[i]) : value.padEnd(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (RIGHT[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(HEADERS), rule, ...cells.map(line)].join('\n');
}

module.exports = {
  BINS,
  BUILT,
  ROOT,
  SECRETS,
  JoinError,
  alternating,
  ascending,
  connectPeer,
  cpuMs,
  failedRow,
  fmt,
  isStopping,
  login,
  markdownTable,
  mean,
  missingBuild,
  openFilesLimits,
  percentile,
  progress,
  protocol,
  removeTempDir,
  row,
  rssKb,
  sleep,
  startProgram,
  startServer,
  tempDir,
  withTimeout,
};
