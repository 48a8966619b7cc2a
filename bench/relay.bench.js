'use strict';
// Relay, closed loop: what the hub adds to a round trip, against the bare socket.io relay (bench/bare-relay.js).
// Both servers run as child processes; a UI sends `broadcast-message`, a neck-like peer answers `neck_ack {to}`,
// and the UI waits for the ack before sending the next (bench/relay-peers.js), so a round trip is two relayed
// messages and throughput is round trips a second with one in flight. Rounds alternate bare/hub so both share
// the machine's noise; each server first gets a discarded warm-up. Targets (issue 13): median ≤ ×1.3 the bare
// relay's, throughput ≥ ×0.8. Run: npm run bench -- --only relay
const { alternating, fmt, progress, row } = require('./common');
const { closedLoop, mergeSorted, summaryUs, withRelayServers } = require('./relay-peers');

const FULL = { rounds: 10, perRound: 2_000, warmUp: 1_000 };
const QUICK = { rounds: 4, perRound: 500, warmUp: 300 };
const NAME = 'relay, closed loop';

async function run({ quick }) {
  const { rounds, perRound, warmUp } = quick ? QUICK : FULL;
  return withRelayServers(
    async (peers) => {
      await closedLoop(peers, warmUp, 'warm');
    },
    async (sides) => {
      const results = { bare: { times: [], wallMs: 0 }, hub: { times: [], wallMs: 0 } };
      for (let round = 0; round < rounds; round++) {
        for (const name of alternating(round, ['bare', 'hub'])) {
          const { times, wallMs } = await closedLoop(sides[name].peers, perRound, `r${round}`);
          results[name].times.push(times);
          results[name].wallMs += wallMs;
        }
        progress(`relay: round ${round + 1}/${rounds} done (${fmt(perRound)} round trips on each server)`);
      }
      const figures = {};
      for (const name of ['bare', 'hub']) {
        const all = mergeSorted(results[name].times);
        figures[name] = { ...summaryUs(all), perSecond: (all.length / results[name].wallMs) * 1000, count: all.length };
      }
      const { bare, hub } = figures;
      const count = `${fmt(rounds * perRound)} each`;
      return {
        rows: [
          row(NAME, `median round trip, µs (${count})`, {
            value: hub.p50,
            bare: bare.p50,
            target: '≤ ×1.3',
            met: hub.p50 / bare.p50 <= 1.3,
          }),
          row(NAME, 'p99 round trip, µs', { value: hub.p99, bare: bare.p99 }),
          row(NAME, 'throughput, round trips/s', {
            value: hub.perSecond,
            bare: bare.perSecond,
            target: '≥ ×0.8',
            met: hub.perSecond / bare.perSecond >= 0.8,
          }),
        ],
        details: { rounds, perRound, warmUp, bare, hub },
      };
    },
  );
}

module.exports = { name: 'relay', title: NAME, run };
