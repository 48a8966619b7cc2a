'use strict';
// Relay, paced at 100 Hz: the round trip an operator streaming head poses sees. The same two peers as the
// closed-loop bench (bench/relay-peers.js), but the UI sends one message every 10 ms whatever the acks do, for
// some seconds per round, rounds alternating between the bare relay and the hub (both child processes), after
// a discarded warm-up on each. Reports p50 and p99 round trip (µs) and messages never acked. Target (issue 13):
// hub p50 within +100 µs of the bare relay's. Run: npm run bench -- --only paced
const { alternating, fmt, progress, row } = require('./common');
const { closedLoop, mergeSorted, paced, summaryUs, withRelayServers } = require('./relay-peers');

const PERIOD_MS = 10;
const MAX_EXTRA_US = 100;
const FULL = { rounds: 10, roundSeconds: 6 };
const QUICK = { rounds: 4, roundSeconds: 2 };
const NAME = 'relay, paced 100 Hz';

async function run({ quick }) {
  const { rounds, roundSeconds } = quick ? QUICK : FULL;
  return withRelayServers(
    async (peers) => {
      await closedLoop(peers, 300, 'warm');
      await paced(peers, { periodMs: PERIOD_MS, durationMs: 1_000, idPrefix: 'warm-paced' });
    },
    async (sides) => {
      const results = { bare: { times: [], lost: 0 }, hub: { times: [], lost: 0 } };
      for (let round = 0; round < rounds; round++) {
        for (const name of alternating(round, ['bare', 'hub'])) {
          const { times, lost } = await paced(sides[name].peers, {
            periodMs: PERIOD_MS,
            durationMs: roundSeconds * 1000,
            idPrefix: `p${round}`,
          });
          results[name].times.push(times);
          results[name].lost += lost;
        }
        progress(`paced: round ${round + 1}/${rounds} done (${roundSeconds} s at 100 Hz on each server)`);
      }
      const figures = {};
      for (const name of ['bare', 'hub']) {
        const all = mergeSorted(results[name].times);
        figures[name] = { ...summaryUs(all), count: all.length, lost: results[name].lost };
      }
      const { bare, hub } = figures;
      const extra = hub.p50 - bare.p50;
      return {
        rows: [
          row(NAME, `p50 round trip, µs (${fmt(hub.count)} messages each)`, {
            value: hub.p50,
            bare: bare.p50,
            figure: `${extra >= 0 ? '+' : '−'}${fmt(Math.abs(extra))} µs`,
            target: `≤ bare +${MAX_EXTRA_US} µs`,
            met: extra <= MAX_EXTRA_US,
          }),
          row(NAME, 'p99 round trip, µs', { value: hub.p99, bare: bare.p99 }),
          row(NAME, 'messages never acked', { value: hub.lost, bare: bare.lost, figure: '—' }),
        ],
        details: { rounds, roundSeconds, periodMs: PERIOD_MS, bare, hub },
      };
    },
  );
}

module.exports = { name: 'paced', title: NAME, run };
