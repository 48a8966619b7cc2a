import { AckErrorDto, AckStatus, HEAD_AXES, HeadPose, MotionCommand } from '@neck-signal/protocol';
import { Operator } from '../control/control-lease';
import { easedPath } from './eased-path';
import { MotionDirector } from './motion-director';
import { PoseStore } from './pose-store';

/** The one ack a motion command gets. */
export interface MotionAck {
  command: string;
  status: AckStatus;
  error?: AckErrorDto;
}

/**
 * Runs what an operator asks the agent to do over time: GOTO and POSE GO become an eased path from the pose the
 * agent last wrote, played by the director; POSE SAVE keeps that pose under a name. Each is acked once: `applied`
 * when every line was handed to the firmware (or the pose saved), `superseded` when a newer motion command ended
 * it, `rejected` (STOP, TAKE, a refused line, an unknown pose) with why.
 */
export class MotionShaper {
  constructor(
    private readonly director: MotionDirector,
    private readonly poses: PoseStore,
    private readonly currentPose: () => Readonly<HeadPose>,
  ) {}

  run(command: MotionCommand, line: string, operator: Operator, ack: (ack: MotionAck) => void): void {
    if (command.kind === 'pose-save') {
      this.poses.save(command.name, this.currentPose());
      ack({ command: line, status: 'applied' });
      return;
    }
    if (command.kind === 'replay') {
      ack({
        command: line,
        status: 'rejected',
        error: { code: 'UNKNOWN_RECORDING', message: `replay is not available on this agent: ${command.recording}` },
      });
      return;
    }
    const from = this.currentPose();
    let to: HeadPose;
    if ('pose' in command.target) {
      const saved = this.poses.get(command.target.pose);
      if (!saved) {
        const known = this.poses.names;
        ack({
          command: line,
          status: 'rejected',
          error: {
            code: 'UNKNOWN_POSE',
            message: `no pose named ${command.target.pose} (${known.length > 0 ? `known: ${known.join(', ')}` : 'none saved yet'}); save one with POSE SAVE NAME`,
          },
        });
        return;
      }
      to = saved;
    } else {
      to = { ...from };
      for (const axis of HEAD_AXES) to[axis] = command.target.axes[axis] ?? from[axis];
    }
    const lines = easedPath(from, to, command.durationMs, command.ease);
    this.director.start(operator, lines, (status, error) =>
      ack({ command: line, status, ...(error === undefined ? {} : { error }) }),
    );
  }
}
