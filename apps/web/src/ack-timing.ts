import { describeTimeline, formatMs, type CommandTimeline } from '@neck-signal/protocol/timeline';

/**
 * How long an ack took, for its log entry: the page's own round trip for the command, then where the time went
 * when the ack says (`in 12 ms (hub 1, link 4, agent 2, queue 0, wire 3)`); the hops are each measured on their own
 * machine's clock, so they need not add up to the round trip.
 */
export function describeAckTiming(roundTripMs: number, timeline: CommandTimeline | undefined): string {
  const hops = timeline === undefined ? '' : describeTimeline(timeline);
  return `in ${formatMs(roundTripMs)} ms${hops === '' ? '' : ` (${hops})`}`;
}
