import {
  AckErrorDto,
  AckStatus,
  HEAD_AXES,
  HeadPose,
  MAX_POSES_LISTED,
  MotionCommand,
  ReplayStatusDto,
} from '@neck-signal/protocol';
import { Operator } from '../control/control-lease';
import { easedPath } from './eased-path';
import { MotionDirector } from './motion-director';
import { PoseStore } from './pose-store';
import { RecordedLine, replayPath } from './replay-path';

/** Where replays come from: the lines a recording wrote (the agent's recordings). */
export interface ReplaySource {
  /** Rejects with a message for the operator when there is no such recording. */
  lines(id: string): Promise<RecordedLine[]>;
}

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
  /** The replay under way, or the last one. */
  private replayState: ReplayStatusDto | undefined;

  constructor(
    private readonly director: MotionDirector,
    private readonly poses: PoseStore,
    private readonly currentPose: () => Readonly<HeadPose>,
    private readonly replays?: ReplaySource,
    /** Called when what `report()` says changed other than by a line written (a pose saved, a replay ended). */
    private readonly changed: () => void = () => undefined,
  ) {}

  /** What neck_status says of the shaper: the poses kept, and the replay under way or the last one. */
  report(): { poses: string[]; replay?: ReplayStatusDto } {
    return {
      poses: this.poses.names.slice(0, MAX_POSES_LISTED),
      ...(this.replayState ? { replay: { ...this.replayState } } : {}),
    };
  }

  run(command: MotionCommand, line: string, operator: Operator, ack: (ack: MotionAck) => void): void {
    if (command.kind === 'pose-save') {
      this.poses.save(command.name, this.currentPose());
      ack({ command: line, status: 'applied' });
      this.changed();
      return;
    }
    if (command.kind === 'replay') {
      void this.replay(command, line, operator, ack);
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

  /** Reads the recording, then plays it, unless a newer motion command or STOP came meanwhile. */
  private async replay(
    command: Extract<MotionCommand, { kind: 'replay' }>,
    line: string,
    operator: Operator,
    ack: (ack: MotionAck) => void,
  ): Promise<void> {
    const generation = this.director.generation;
    let recorded: RecordedLine[];
    try {
      if (!this.replays) throw new Error('this agent does not record (started with --record off)');
      recorded = await this.replays.lines(command.recording);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      ack({ command: line, status: 'rejected', error: { code: 'UNKNOWN_RECORDING', message } });
      return;
    }
    if (this.director.generation !== generation) {
      ack({
        command: line,
        status: 'superseded',
        error: { code: 'MOVE_REPLACED', message: 'a newer command came first' },
      });
      return;
    }
    const lines = replayPath(recorded, command, this.currentPose());
    if (lines.length === 0) {
      ack({
        command: line,
        status: 'rejected',
        error: { code: 'UNKNOWN_RECORDING', message: `${command.recording} wrote no motion in that window` },
      });
      return;
    }
    const state: ReplayStatusDto = {
      id: command.recording,
      by: operator.uuid,
      atMs: 0,
      totalMs: lines.at(-1)?.atMs ?? 0,
      state: 'playing',
    };
    this.replayState = state;
    this.director.start(
      operator,
      lines,
      (status, error) => {
        state.state = status;
        ack({ command: line, status, ...(error === undefined ? {} : { error }) });
        this.changed();
      },
      ({ done }) => {
        state.atMs = lines[done - 1]?.atMs ?? state.atMs;
      },
    );
    this.changed();
  }
}
