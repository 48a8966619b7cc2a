import { TIMELINE_WINDOW, TimelineStats } from './timeline-stats';

describe('TimelineStats', () => {
  it('says nothing of hops never measured', () => {
    expect(new TimelineStats().summary()).toEqual({ window: TIMELINE_WINDOW, commands: 0 });
  });

  it('gives p50, p95 and max per hop over the last window of timelines', () => {
    const stats = new TimelineStats();
    // 100 old timelines that the window must forget, then 1..TIMELINE_WINDOW ms of agent time.
    for (let i = 0; i < 100; i++) stats.record({ agentMs: 10_000, queueMs: 0 });
    for (let i = 1; i <= TIMELINE_WINDOW; i++) {
      stats.record({ hubMs: 0.5, linkMs: 1, agentMs: i, queueMs: 0, wireMs: 2 });
    }
    const summary = stats.summary();
    expect(summary.commands).toBe(TIMELINE_WINDOW);
    expect(summary.agent).toEqual({ count: TIMELINE_WINDOW, p50: 250, p95: 475, max: 500 });
    expect(summary.span).toEqual({ count: TIMELINE_WINDOW, p50: 251.5, p95: 476.5, max: 501.5 });
    expect(summary.wire).toEqual({ count: TIMELINE_WINDOW, p50: 2, p95: 2, max: 2 });
    expect(summary.fence).toBeUndefined();
  });
});
