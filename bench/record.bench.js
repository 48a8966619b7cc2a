'use strict';
// Recording's cost at 100 Hz: two real agents (`neck-agent`, built) on the same hub and the same stream, one
// recording (`--record on`, the default) and one not (`--record off`); the baseline is the agent without
// recording, so the ratio is what recording adds. Both drive the virtual neck in-process (`--simulate`), so the
// simulator weighs the same on both sides. An operator streams `neck_command` head poses at 100 Hz to every neck;
// after a warm-up the bench reads both agents' CPU time (/proc/<pid>/stat) and the recording's bytes on disk.
// Target (issue 23): CPU with recording ≤ ×1.05 CPU without.
// Run: npm run bench -- --only record
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const {
  BINS,
  SECRETS,
  connectPeer,
  cpuMs,
  fmt,
  progress,
  protocol,
  row,
  sleep,
  startProgram,
  startServer,
  tempDir,
  withTimeout,
} = require('./common');

const PERIOD_MS = 10;
const READY_TIMEOUT_MS = 60_000;
const MAX_RATIO = 1.05;
const FULL = { warmUpSeconds: 30, seconds: 180 };
const QUICK = { warmUpSeconds: 5, seconds: 15 };
const NAME = 'recording at 100 Hz';
const SIDES = { on: 'bench-recording-agent', off: 'bench-plain-agent' };

/** Bytes of every .mcap file under `dir`. */
function recordedBytes(dir) {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith('.mcap'))
      .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
  } catch {
    return 0;
  }
}

async function run({ quick }) {
  const { warmUpSeconds, seconds } = quick ? QUICK : FULL;
  const { Events } = protocol();
  const programs = [];
  let hub;
  let operator;
  try {
    hub = await startServer('hub');
    const dirs = {};
    const agents = {};
    for (const [side, uuid] of Object.entries(SIDES)) {
      dirs[side] = tempDir(`record-${side}`);
      // NECK_BENCH_CPU_PROF=DIR profiles both agents (node --cpu-prof; written as they stop), to compare them.
      const profileDir = process.env.NECK_BENCH_CPU_PROF;
      const agent = await startProgram(
        `neck-agent (record ${side})`,
        [BINS.agent, '-s', hub.url, '-u', uuid, '--simulate', '--record', side, '--config-dir', dirs[side]],
        {
          env: { PEER_SHARED_SECRET: SECRETS.password },
          ready: new RegExp(`connected to .* as ${uuid} `),
          ...(profileDir
            ? {
                nodeOptions: [
                  '--cpu-prof',
                  '--cpu-prof-dir',
                  profileDir,
                  '--cpu-prof-name',
                  `record-${side}.cpuprofile`,
                ],
              }
            : {}),
        },
      );
      programs.push(agent.program);
      agents[side] = agent.program;
    }
    const ready = new Set();
    let allReady;
    const readyPromise = new Promise((resolve) => {
      allReady = resolve;
    });
    const token = await hub.login({ uuid: 'bench-record-operator', role: 'ui' });
    operator = await connectPeer(hub.url, {
      token,
      listen: (socket) => {
        socket.on(Events.NeckStatus, (status) => {
          if (status.firmware?.state === 'ready') ready.add(status.uuid);
          if (Object.values(SIDES).every((uuid) => ready.has(uuid))) allReady();
        });
      },
    });
    await withTimeout(readyPromise, READY_TIMEOUT_MS, "both agents' neck_status with the firmware ready");
    progress(`record: both agents ready; 100 Hz for ${warmUpSeconds} s of warm-up, then ${seconds} s`);

    const totalMs = (warmUpSeconds + seconds) * 1000;
    const start = performance.now();
    let first;
    let measureStart;
    let sentMeasured = 0;
    for (let i = 0; i * PERIOD_MS < totalMs; i++) {
      const wait = start + i * PERIOD_MS - performance.now();
      if (wait > 0) await sleep(wait);
      if (first === undefined && performance.now() - start >= warmUpSeconds * 1000) {
        measureStart = performance.now();
        first = {
          on: cpuMs(agents.on.pid),
          off: cpuMs(agents.off.pid),
          bytes: recordedBytes(join(dirs.on, 'recordings')),
        };
      }
      operator.emit(Events.NeckCommand, { command: pose(i), id: `r${i}`, sentAt: Date.now(), seq: i + 1 });
      if (first !== undefined) sentMeasured++;
    }
    const wallMs = performance.now() - measureStart;
    for (const program of Object.values(agents)) {
      if (!program.alive) throw new Error(`the ${program.name} exited during the bench:\n${program.tail()}`);
    }
    const end = {
      on: cpuMs(agents.on.pid),
      off: cpuMs(agents.off.pid),
      bytes: recordedBytes(join(dirs.on, 'recordings')),
    };
    const cpuPercent = (side) => ((end[side] - first[side]) / wallMs) * 100;
    const [on, off] = [cpuPercent('on'), cpuPercent('off')];
    const kbPerSecond = (end.bytes - first.bytes) / 1024 / (wallMs / 1000);
    return {
      rows: [
        row(NAME, 'agent CPU, % of one core (bare: --record off)', {
          value: on,
          bare: off,
          digits: 1,
          target: `≤ ×${MAX_RATIO}`,
          met: on / off <= MAX_RATIO,
        }),
        row(NAME, 'recording written, KB/s', { value: kbPerSecond, digits: 1, figure: `${fmt(kbPerSecond, 1)} KB/s` }),
      ],
      notes: [
        `record bench: two agents with --simulate on one hub, ${fmt(sentMeasured)} commands measured over ${fmt(wallMs / 1000)} s; ` +
          `${fmt((end.bytes - first.bytes) / 1024, 0)} KB recorded (whole chunks on disk)`,
      ],
      details: { warmUpSeconds, seconds, cpuPercent: { on, off }, kbPerSecond, sentMeasured },
    };
  } finally {
    operator?.disconnect();
    for (const program of [...programs].reverse()) await program.stop();
    await hub?.stop();
  }
}

/** A head pose that sweeps X and Y, as a slider or a phone's tilt does (as in the agent bench). */
function pose(i) {
  const t = (i * PERIOD_MS) / 1000;
  const x = Math.round(300 * Math.sin((2 * Math.PI * t) / 4));
  const y = Math.round(150 * Math.cos((2 * Math.PI * t) / 3));
  return `X${x},Y${y}`;
}

module.exports = { name: 'record', title: NAME, run };
