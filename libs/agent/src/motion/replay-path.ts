import { HeadPose, HeadPoseTracker, isMotionCommand, parseNeckCommand, partsOf } from '@neck-signal/protocol';
import { TimedLine, easedPath } from './eased-path';

/** How long the lead-in from the current pose to a replay's first pose takes, ms. */
export const REPLAY_LEAD_IN_MS = 1000;

/** A line a recording wrote, `atMs` after its first write. */
export interface RecordedLine {
  readonly atMs: number;
  readonly line: string;
}

export interface ReplayWindow {
  readonly fromMs: number;
  readonly toMs?: number;
  readonly speed: number;
}

/**
 * The timed lines of a replay: the recorded motion lines between `fromMs` and `toMs` (HEALTH fences and homing
 * left out: the agent fences by itself, and a HOME would hold the firmware for 5 s in the middle of the timing),
 * at their recorded intervals divided by `speed`, after a min-jerk lead-in from `current` to the pose of the
 * first one (when it is a head or quaternion pose).
 */
export function replayPath(
  recorded: readonly RecordedLine[],
  window: ReplayWindow,
  current: Readonly<HeadPose>,
  leadInMs = REPLAY_LEAD_IN_MS,
): TimedLine[] {
  const played = recorded.filter((entry) => {
    if (entry.atMs < window.fromMs || (window.toMs !== undefined && entry.atMs > window.toMs)) return false;
    const parsed = parseNeckCommand(entry.line);
    return parsed.ok && isMotionCommand(parsed.command) && !partsOf(parsed.command).some((p) => p.kind === 'home');
  });
  const first = played[0];
  if (first === undefined) return [];
  const parsed = parseNeckCommand(first.line);
  const tracker = new HeadPoseTracker(current);
  const posed = parsed.ok && partsOf(parsed.command).every((p) => p.kind === 'head' || p.kind === 'quaternion');
  const merged = parsed.ok && posed ? tracker.merge(parsed.command) : undefined;
  const leadIn = merged?.ok ? easedPath(current, merged.pose, leadInMs, 'minjerk') : [];
  // The lead-in ends on the first recorded pose: that line is written once, at its own time.
  if (merged?.ok && leadIn.at(-1)?.line === merged.line) leadIn.pop();
  const startMs = leadIn.length > 0 ? leadInMs : 0;
  return [
    ...leadIn,
    ...played.map((entry) => ({ atMs: startMs + (entry.atMs - first.atMs) / window.speed, line: entry.line })),
  ];
}
