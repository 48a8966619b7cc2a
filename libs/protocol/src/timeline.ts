/**
 * A command's timeline as every program says it (no decorators here: the web page imports this file).
 * `span` is the relaying hub's view (hub + link + agent); the others are the hops of CommandTimelineDto.
 */
export const TIMELINE_HOPS = ['span', 'hub', 'link', 'agent', 'queue', 'fence', 'wire'] as const;
export type TimelineHop = (typeof TIMELINE_HOPS)[number];

/** The fields of CommandTimelineDto, without its decorators. */
export interface CommandTimeline {
  hubMs?: number;
  linkMs?: number;
  agentMs: number;
  queueMs: number;
  fenceMs?: number;
  wireMs?: number;
}

/** A duration in ms as the timeline says it: whole ms from 10 up, one decimal below. */
export function formatMs(ms: number): string {
  return ms >= 10 ? ms.toFixed(0) : String(Number(ms.toFixed(1)));
}

/** `hub 1, link 4, agent 2, queue 0, wire 3`: each known hop, in the order a command passes them. */
export function describeTimeline(timeline: CommandTimeline): string {
  const hops: [string, number | undefined][] = [
    ['hub', timeline.hubMs],
    ['link', timeline.linkMs],
    ['agent', timeline.agentMs],
    ['queue', timeline.queueMs],
    ['fence', timeline.fenceMs],
    ['wire', timeline.wireMs],
  ];
  return hops
    .filter((hop): hop is [string, number] => hop[1] !== undefined && (hop[0] !== 'fence' || hop[1] > 0))
    .map(([name, ms]) => `${name} ${formatMs(ms)}`)
    .join(', ');
}

/** The hub's own view of a timeline: receipt of the command to relay of its ack, when it relayed both. */
export function timelineSpan(timeline: CommandTimeline): number | undefined {
  if (timeline.hubMs === undefined || timeline.linkMs === undefined) return undefined;
  return timeline.hubMs + timeline.linkMs + timeline.agentMs;
}
