import { Easing, GOTO_RATE_HZ, HEAD_AXES, HeadPose, INTEGER_AXES, easeAt, formatHeadPose } from '@neck-signal/protocol';

/** A line to write `atMs` after a move starts. */
export interface TimedLine {
  readonly atMs: number;
  readonly line: string;
}

/**
 * The head lines of an eased move from `from` to `to` over `durationMs`, one every 1/GOTO_RATE_HZ s (the
 * last at durationMs, exactly `to`): X Y Z H R P follow the easing, rounded to the firmware's integers; S and A
 * are the target's from the first step (they set how fast each step is run, not where it goes).
 */
export function easedPath(
  from: Readonly<HeadPose>,
  to: Readonly<HeadPose>,
  durationMs: number,
  ease: Easing,
): TimedLine[] {
  const periodMs = 1000 / GOTO_RATE_HZ;
  const steps = Math.max(1, Math.round(durationMs / periodMs));
  const lines: TimedLine[] = [];
  for (let k = 1; k <= steps; k += 1) {
    const fraction = easeAt(ease, k / steps);
    const pose = { ...to };
    for (const axis of HEAD_AXES) {
      if (!INTEGER_AXES.has(axis)) continue;
      pose[axis] = Math.round(from[axis] + (to[axis] - from[axis]) * fraction);
    }
    const line = formatHeadPose(pose);
    // A step that rounds to the line before adds nothing but wire time.
    if (lines.at(-1)?.line === line && k < steps) continue;
    lines.push({ atMs: (k * durationMs) / steps, line });
  }
  return lines;
}
