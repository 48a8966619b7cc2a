'use strict';
// Hub CPU per relayed message: the server process's own CPU time (utime + stime from /proc/<pid>/stat, read
// before and after) over a fixed number of closed-loop round trips (bench/relay-peers.js; two relayed messages
// each), the built hub and the bare relay each a child process, rounds alternating after a discarded warm-up.
// The clients run in the bench's process, so their CPU is not counted. /proc counts in 10 ms ticks: a round is
// long enough for that to stay under a few per cent. Target (issue 13): hub CPU per message ≤ ×1.3 the bare
// relay's. Run: npm run bench -- --only cpu
const { alternating, cpuMs, fmt, progress, row } = require('./common');
const { closedLoop, withRelayServers } = require('./relay-peers');

const FULL = { rounds: 6, perRound: 6_000, warmUp: 2_000 };
const QUICK = { rounds: 4, perRound: 1_500, warmUp: 500 };
const NAME = 'hub CPU';

async function run({ quick }) {
  const { rounds, perRound, warmUp } = quick ? QUICK : FULL;
  return withRelayServers(
    async (peers) => {
      await closedLoop(peers, warmUp, 'warm');
    },
    async (sides) => {
      const used = { bare: { cpuMs: 0, messages: 0, wallMs: 0 }, hub: { cpuMs: 0, messages: 0, wallMs: 0 } };
      for (let round = 0; round < rounds; round++) {
        for (const name of alternating(round, ['bare', 'hub'])) {
          const pid = sides[name].server.pid;
          const before = cpuMs(pid);
          const { wallMs } = await closedLoop(sides[name].peers, perRound, `c${round}`);
          used[name].cpuMs += cpuMs(pid) - before;
          used[name].messages += 2 * perRound;
          used[name].wallMs += wallMs;
        }
        progress(`cpu: round ${round + 1}/${rounds} done (${fmt(perRound)} round trips on each server)`);
      }
      const perMessageUs = (name) => (used[name].cpuMs * 1000) / used[name].messages;
      const [bare, hub] = [perMessageUs('bare'), perMessageUs('hub')];
      return {
        rows: [
          row(NAME, `CPU per relayed message, µs (${fmt(used.hub.messages)} messages each)`, {
            value: hub,
            bare,
            digits: 1,
            target: '≤ ×1.3',
            met: hub / bare <= 1.3,
          }),
        ],
        details: { rounds, perRound, warmUp, used },
      };
    },
  );
}

module.exports = { name: 'cpu', title: NAME, run };
