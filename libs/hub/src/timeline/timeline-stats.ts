import { Injectable } from '@nestjs/common';
import {
  CommandTimeline,
  HopStatsDto,
  TIMELINE_HOPS,
  TimelineHop,
  TimelineStatsDto,
  timelineSpan,
} from '@neck-signal/protocol';

/** How many recent timelines a hub keeps for `GET /` and `neck stats`. */
export const TIMELINE_WINDOW = 500;

/** The hops of a timeline by name (TIMELINE_HOPS), undefined where that hop was not measured. */
function hopsOf(timeline: CommandTimeline): Record<TimelineHop, number | undefined> {
  return {
    span: timelineSpan(timeline),
    hub: timeline.hubMs,
    link: timeline.linkMs,
    agent: timeline.agentMs,
    queue: timeline.queueMs,
    fence: timeline.fenceMs,
    wire: timeline.wireMs,
  };
}

/** The timelines of the last TIMELINE_WINDOW acks this hub relayed, summarised per hop on demand. */
@Injectable()
export class TimelineStats {
  private readonly recent: CommandTimeline[] = [];
  private next = 0;

  record(timeline: CommandTimeline): void {
    if (this.recent.length < TIMELINE_WINDOW) this.recent.push(timeline);
    else this.recent[this.next] = timeline;
    this.next = (this.next + 1) % TIMELINE_WINDOW;
  }

  summary(): TimelineStatsDto {
    const summary: TimelineStatsDto = { window: TIMELINE_WINDOW, commands: this.recent.length };
    const samples = Object.fromEntries(TIMELINE_HOPS.map((hop) => [hop, [] as number[]])) as Record<
      TimelineHop,
      number[]
    >;
    for (const timeline of this.recent) {
      for (const [hop, ms] of Object.entries(hopsOf(timeline)) as [TimelineHop, number | undefined][]) {
        if (ms !== undefined) samples[hop].push(ms);
      }
    }
    for (const hop of TIMELINE_HOPS) {
      if (samples[hop].length > 0) summary[hop] = hopStats(samples[hop]);
    }
    return summary;
  }
}

function hopStats(values: number[]): HopStatsDto {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (quantile: number) => round(sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)]);
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), max: round(sorted[sorted.length - 1]) };
}

/** Hundredths of a ms are plenty, and keep `GET /` short. */
function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
