'use strict';
// Agent at 100 Hz: the CPU and memory of the real agent program (`neck-agent`, built) driving the virtual neck
// while an operator streams head poses at 100 Hz through the real hub. The virtual neck runs as `neck sim` on
// one end of a socat PTY pair and the agent on the other (`--serial`), as on a robot; without socat the agent
// drives it in-process (`--simulate`), which adds the simulator to the agent's figures (the results say which).
// Beside it, on the same hub and the same stream, bench/bare-agent.js is the baseline: a neck that only acks, so
// what node and socket.io-client alone cost at that rate. The operator, in the bench's process, logs in as ui,
// waits until the agent reports its firmware ready, then sends `neck_command` (no target: every neck gets it)
// every 10 ms with a stamp (sentAt, seq), and counts each neck's acks. Every sample interval the bench reads
// both necks' RSS (/proc/<pid>/status VmRSS) and CPU time (/proc/<pid>/stat); a warm-up is discarded. RSS
// growth compares the mean of the first window after the warm-up with the mean of the last. Targets (issue 13):
// agent RSS ≤ 80 MB and flat (here: last window at most 10 % above the first) over 10 minutes.
// Run: npm run bench -- --only agent
const { spawnSync } = require('node:child_process');
const { existsSync, watch } = require('node:fs');
const { dirname, join } = require('node:path');
const {
  BINS,
  SECRETS,
  ascending,
  connectPeer,
  cpuMs,
  fmt,
  mean,
  percentile,
  progress,
  protocol,
  row,
  rssKb,
  sleep,
  startProgram,
  startServer,
  tempDir,
  withTimeout,
} = require('./common');

const PERIOD_MS = 10;
const AGENT_UUID = 'bench-agent';
const BARE_UUID = 'bench-bare-neck';
const OPERATOR_UUID = 'bench-operator';
const READY_TIMEOUT_MS = 60_000;
const ACK_TIMEOUT_MS = 5_000;
const MAX_RSS_MB = 80;
const MAX_GROWTH = 0.1;
const FULL = { warmUpSeconds: 60, seconds: 600, sampleSeconds: 5, windowSeconds: 60, reportEverySeconds: 60 };
const QUICK = { warmUpSeconds: 5, seconds: 20, sampleSeconds: 1, windowSeconds: 5, reportEverySeconds: 10 };
const NAME = 'agent at 100 Hz';

/** The node flags in the agent bin's shebang (`#!/usr/bin/env -S node FLAGS`). */
function agentNodeFlags() {
  const shebang = require('node:fs').readFileSync(BINS.agent, 'utf8').split('\n')[0];
  return shebang.split(/\s+/).filter((word) => word.startsWith('--'));
}

function hasSocat() {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
}

/** Resolves once `path` exists (watching its directory), or rejects after timeoutMs. */
function pathExists(path, timeoutMs) {
  let watcher;
  const appeared = new Promise((resolve) => {
    watcher = watch(dirname(path), () => {
      if (existsSync(path)) resolve();
    });
    if (existsSync(path)) resolve();
  });
  return withTimeout(appeared, timeoutMs, `${path} to appear`).finally(() => watcher.close());
}

/**
 * The virtual neck on a tty: a socat PTY pair with `neck sim` on one end; resolves with the agent's end. With
 * `wait-slave` socat makes the agent's end only once the neck's is open (as a neck's device node appears with
 * its firmware listening), and exits when an end closes, so it never outlives the sim and the agent.
 */
async function virtualNeckOnTty(programs) {
  const dir = tempDir('pty');
  const [neckEnd, agentEnd] = [join(dir, 'neck'), join(dir, 'agent')];
  const end = (link) => `pty,raw,echo=0,wait-slave,pty-interval=0.01,link=${link}`;
  const socat = await startProgram('socat', ['-d', '-d', end(neckEnd), end(agentEnd)], {
    command: 'socat',
    ready: /PTY is /,
  });
  programs.push(socat.program);
  await pathExists(neckEnd, 5_000);
  const sim = await startProgram('neck sim', [BINS.cli, 'sim', '--serial', neckEnd, '--fast-homing'], {
    ready: /^virtual neck on /,
  });
  programs.push(sim.program);
  await pathExists(agentEnd, 5_000);
  return ['--serial', agentEnd];
}

/** What one neck answered: acks by status, and the round trips (ms) of the measured phase. */
function neckTally() {
  return { statuses: {}, pending: new Map(), times: [], lost: 0, acked: 0 };
}

async function run({ quick }) {
  const { warmUpSeconds, seconds, sampleSeconds, windowSeconds, reportEverySeconds } = quick ? QUICK : FULL;
  const { Events } = protocol();
  const programs = [];
  let hub;
  let operator;
  try {
    hub = await startServer('hub');
    const onTty = hasSocat();
    const serialArgs = onTty ? await virtualNeckOnTty(programs) : ['--simulate'];
    const how = onTty ? 'neck sim on a socat PTY, agent --serial' : 'no socat: agent --simulate (simulator in-process)';
    progress(`agent: ${how}`);
    const agentArgs = ['-s', hub.url, '-u', AGENT_UUID, ...serialArgs, '--config-dir', tempDir('agent')];
    // As it runs on a robot: its bin as an executable, whose shebang gives node the agent's own flags.
    // NECK_BENCH_CPU_PROF=DIR profiles it (node --cpu-prof, those flags too; written as it stops).
    const profileDir = process.env.NECK_BENCH_CPU_PROF;
    const agentFlags = agentNodeFlags();
    const launch = profileDir
      ? { args: [BINS.agent, ...agentArgs], nodeOptions: [...agentFlags, '--cpu-prof', '--cpu-prof-dir', profileDir] }
      : { args: agentArgs, command: BINS.agent };
    const agent = await startProgram('neck-agent', launch.args, {
      ...(launch.command ? { command: launch.command } : { nodeOptions: launch.nodeOptions }),
      env: { PEER_SHARED_SECRET: SECRETS.password },
      ready: new RegExp(`connected to .* as ${AGENT_UUID} `),
    });
    programs.push(agent.program);
    const bare = await startProgram('bare agent', [join(__dirname, 'bare-agent.js'), hub.url, BARE_UUID], {
      ready: /^ready/,
    });
    programs.push(bare.program);

    // The operator: which sid is which neck, each neck's acks, and the agent's firmware state.
    const necks = new Map();
    const tallies = { agent: neckTally(), bare: neckTally() };
    const learn = (peer) => {
      if (peer.uuid === AGENT_UUID) necks.set(peer.id, 'agent');
      if (peer.uuid === BARE_UUID) necks.set(peer.id, 'bare');
    };
    let measuring = false;
    const answered = () => Object.values(tallies).every((t) => t.pending.size === 0);
    let onAnswered;
    let firmwareReady;
    const ready = new Promise((resolve) => {
      firmwareReady = resolve;
    });
    const token = await hub.login({ uuid: OPERATOR_UUID, role: 'ui' });
    operator = await connectPeer(hub.url, {
      token,
      listen: (socket) => {
        socket.on(Events.ExistingPeers, (peers) => peers.forEach(learn));
        socket.on(Events.NewPeer, learn);
        socket.on(Events.NeckStatus, (status) => {
          if (status.uuid === AGENT_UUID && status.firmware?.state === 'ready') firmwareReady();
        });
        socket.on(Events.NeckAck, (ack) => {
          const tally = tallies[necks.get(ack.peerId)];
          const sent = tally?.pending.get(ack.id);
          if (sent === undefined) return;
          tally.pending.delete(ack.id);
          tally.acked++;
          tally.statuses[ack.status] = (tally.statuses[ack.status] ?? 0) + 1;
          if (measuring) tally.times.push(performance.now() - sent);
          if (onAnswered && answered()) onAnswered();
        });
      },
    });
    await withTimeout(ready, READY_TIMEOUT_MS, `the agent's neck_status with its firmware ready`);
    for (const name of ['agent', 'bare']) {
      if (![...necks.values()].includes(name)) throw new Error(`the ${name} neck is not among the hub's peers`);
    }
    progress(`agent: firmware ready; streaming at 100 Hz for ${warmUpSeconds} s of warm-up, then ${seconds} s`);

    const measured = { agent: agent.program, bare: bare.program };
    const samples = [];
    const sample = (t) => {
      const reading = { t };
      for (const [name, program] of Object.entries(measured)) {
        if (!program.alive) throw new Error(`the ${program.name} exited during the bench:\n${program.tail()}`);
        reading[name] = { rssKb: rssKb(program.pid), cpuMs: cpuMs(program.pid) };
      }
      samples.push(reading);
      return reading;
    };

    // The stream, on absolute times so that a late timer does not lower the rate.
    const totalMs = (warmUpSeconds + seconds) * 1000;
    const start = performance.now();
    let sent = 0;
    let sentMeasured = 0;
    let measureStart;
    let nextSample = 0;
    let nextReport = reportEverySeconds * 1000;
    for (let i = 0; i * PERIOD_MS < totalMs; i++) {
      const due = start + i * PERIOD_MS;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const elapsed = performance.now() - start;
      if (!measuring && elapsed >= warmUpSeconds * 1000) {
        measuring = true;
        measureStart = performance.now();
        sample(0);
        nextSample = sampleSeconds * 1000;
      } else if (measuring && performance.now() - measureStart >= nextSample) {
        sample((performance.now() - measureStart) / 1000);
        nextSample += sampleSeconds * 1000;
      }
      if (elapsed >= nextReport) {
        const last = samples.at(-1);
        progress(
          `agent: ${fmt(elapsed / 1000)} of ${fmt(totalMs / 1000)} s, ${fmt(sent)} commands; ` +
            (last
              ? `RSS agent ${fmt(last.agent.rssKb / 1024, 1)} MB, bare ${fmt(last.bare.rssKb / 1024, 1)} MB`
              : 'warming up'),
        );
        nextReport += reportEverySeconds * 1000;
      }
      for (const name of ['agent', 'bare']) {
        const tally = tallies[name];
        tally.pending.set(`c${i}`, performance.now());
        // A command unanswered for long is lost: forget it, so that `pending` stays small.
        if (i % 100 === 0) {
          for (const [id, at] of tally.pending) {
            if (performance.now() - at < ACK_TIMEOUT_MS) break;
            tally.pending.delete(id);
            tally.lost++;
          }
        }
      }
      operator.emit(Events.NeckCommand, {
        command: pose(i),
        id: `c${i}`,
        sentAt: Date.now(),
        seq: i + 1,
      });
      sent++;
      if (measuring) sentMeasured++;
    }
    const end = sample((performance.now() - measureStart) / 1000);
    const wallMs = performance.now() - measureStart;
    // The last acks: wait until every neck answered, or ACK_TIMEOUT_MS (what is still unanswered then is lost).
    const allAnswered = new Promise((resolve) => {
      onAnswered = resolve;
      if (answered()) resolve();
    });
    await withTimeout(allAnswered, ACK_TIMEOUT_MS, 'the last acks').catch(() => undefined);
    for (const tally of Object.values(tallies)) {
      tally.lost += tally.pending.size;
      tally.pending.clear();
    }
    const first = samples[0];
    const figures = {};
    for (const name of ['agent', 'bare']) {
      const rss = samples.map((s) => s[name].rssKb / 1024);
      const window = Math.max(1, Math.round(windowSeconds / sampleSeconds));
      const [early, late] = [mean(rss.slice(0, window)), mean(rss.slice(-window))];
      const tally = tallies[name];
      const times = ascending(tally.times);
      figures[name] = {
        rssMaxMb: Math.max(...rss),
        rssEarlyMb: early,
        rssLateMb: late,
        growth: late / early - 1,
        cpuPercent: ((end[name].cpuMs - first[name].cpuMs) / wallMs) * 100,
        cpuUsPerCommand: ((end[name].cpuMs - first[name].cpuMs) * 1000) / sentMeasured,
        ackP50Ms: percentile(times, 0.5),
        ackP99Ms: percentile(times, 0.99),
        acked: tally.acked,
        lost: tally.lost,
        statuses: tally.statuses,
      };
    }
    const a = figures.agent;
    const b = figures.bare;
    const minutes = seconds >= 120 ? `${fmt(seconds / 60)} min` : `${fmt(seconds)} s`;
    const percent = (x) => `${x >= 0 ? '+' : '−'}${fmt(Math.abs(x) * 100, 1)} %`;
    const statuses = (s) =>
      Object.entries(s)
        .map(([status, n]) => `${fmt(n)} ${status}`)
        .join(', ');
    return {
      rows: [
        row(NAME, `RSS, highest over ${minutes}, MB`, {
          value: a.rssMaxMb,
          bare: b.rssMaxMb,
          digits: 1,
          figure: `${fmt(a.rssMaxMb, 1)} MB`,
          target: `≤ ${MAX_RSS_MB} MB`,
          met: a.rssMaxMb <= MAX_RSS_MB,
        }),
        row(NAME, `RSS, mean of the last ${fmt(windowSeconds)} s ÷ the first`, {
          value: percent(a.growth),
          bare: percent(b.growth),
          figure: percent(a.growth),
          target: `≤ +${fmt(MAX_GROWTH * 100)} % (flat)`,
          met: a.growth <= MAX_GROWTH,
        }),
        row(NAME, 'CPU, % of one core', { value: a.cpuPercent, bare: b.cpuPercent, digits: 1 }),
        row(NAME, 'CPU per command, µs', { value: a.cpuUsPerCommand, bare: b.cpuUsPerCommand }),
        row(NAME, 'ack round trip p50, ms', { value: a.ackP50Ms, bare: b.ackP50Ms, digits: 2 }),
        row(NAME, 'ack round trip p99, ms', { value: a.ackP99Ms, bare: b.ackP99Ms, digits: 2 }),
        row(NAME, `commands never acked (of ${fmt(sent)})`, { value: a.lost, bare: b.lost, figure: '—' }),
      ],
      notes: [
        `agent bench: ${how}; the agent's acks: ${statuses(a.statuses)}`,
        `agent bench: RSS agent ${fmt(a.rssEarlyMb, 1)} → ${fmt(a.rssLateMb, 1)} MB, bare ` +
          `${fmt(b.rssEarlyMb, 1)} → ${fmt(b.rssLateMb, 1)} MB (first and last ${fmt(windowSeconds)} s)`,
      ],
      details: { warmUpSeconds, seconds, sampleSeconds, windowSeconds, virtualNeck: how, sent, figures, samples },
    };
  } finally {
    operator?.disconnect();
    // The agent first, so that it does not see its tty vanish before it is told to stop.
    for (const program of [...programs].reverse()) await program.stop();
    await hub?.stop();
  }
}

/** A head pose that sweeps X and Y, as a slider or a phone's tilt does. */
function pose(i) {
  const t = (i * PERIOD_MS) / 1000;
  const x = Math.round(300 * Math.sin((2 * Math.PI * t) / 4));
  const y = Math.round(150 * Math.cos((2 * Math.PI * t) / 3));
  return `X${x},Y${y}`;
}

module.exports = { name: 'agent', title: NAME, run };
