import { HEAD_AXES, HOME_POSE, HeadPose, NeckCommand, SimpleCommand } from './command';
import { CommandError } from './errors';
import { formatHeadPose, formatNeckCommand } from './format';
import { NeckLimits, resolveNeckLimits } from './neck-limits';
import { quaternionToEuler } from './quaternion';

export type MergeResult =
  | { readonly ok: true; readonly line: string; readonly pose: Readonly<HeadPose> }
  | { readonly ok: false; readonly error: CommandError };

/**
 * Keeps the head pose the firmware holds. The firmware resets every axis a head command omits, so a
 * partial command (`Y-20` after `X50`) is merged into the current pose and written as the full line
 * `X50,Y-20,Z0,H0,S1,A1,R0,P0`. HOME, HOME_SOFT and HOME_BRUTE reset the pose; a quaternion sets X, Y, Z
 * from its yaw, pitch and roll, R and P to 0, and H, S, A to the values given or their defaults.
 */
export class HeadPoseTracker {
  private current: HeadPose;
  private readonly limits: NeckLimits;

  constructor(initial: Readonly<HeadPose> = HOME_POSE, limits?: Partial<NeckLimits>) {
    this.current = { ...initial };
    this.limits = resolveNeckLimits(limits);
  }

  /** The pose after every command merged so far. */
  get pose(): Readonly<HeadPose> {
    return { ...this.current };
  }

  /** Back to the home pose, as after HOME (also what the firmware does when it boots). */
  reset(): void {
    this.current = { ...HOME_POSE };
  }

  /**
   * The line to write for a parsed command, with head commands filled in from the current pose, and the
   * pose it leads to. On success the tracker moves to that pose; on failure (the merged line would be too
   * long for the firmware) nothing changes.
   */
  merge(command: NeckCommand): MergeResult {
    const parts = command.kind === 'compound' ? command.parts : [command];
    let pose = this.current;
    const lines: string[] = [];
    for (const part of parts) {
      const next = poseAfter(pose, part);
      lines.push(part.kind === 'head' ? formatHeadPose(next) : formatNeckCommand(part));
      pose = next;
    }
    const line = lines.join('|');
    if (line.length > this.limits.maxLineLength) {
      return {
        ok: false,
        error: {
          code: 'TOO_LONG',
          message: `merged with the current pose the line would be ${line.length} characters; the firmware takes at most ${this.limits.maxLineLength} — send fewer commands joined with |`,
        },
      };
    }
    this.current = { ...pose };
    return { ok: true, line, pose: { ...pose } };
  }
}

function poseAfter(pose: Readonly<HeadPose>, command: SimpleCommand): HeadPose {
  switch (command.kind) {
    case 'home':
      return { ...HOME_POSE };
    case 'head': {
      const next = { ...pose };
      for (const axis of HEAD_AXES) next[axis] = command.axes[axis] ?? pose[axis];
      return next;
    }
    case 'quaternion': {
      const { yaw, pitch, roll } = quaternionToEuler(command.w, command.x, command.y, command.z);
      return {
        X: yaw,
        Y: pitch,
        Z: roll,
        H: command.extras.H ?? HOME_POSE.H,
        S: command.extras.S ?? HOME_POSE.S,
        A: command.extras.A ?? HOME_POSE.A,
        R: 0,
        P: 0,
      };
    }
    case 'health':
    case 'actuators':
      return { ...pose };
  }
}
