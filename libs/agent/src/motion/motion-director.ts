import { Logger } from '@nestjs/common';
import { AckErrorDto, AckStatus } from '@neck-signal/protocol';
import { Operator } from '../control/control-lease';
import { TimedLine } from './eased-path';

/** How the firmware session settled a line: written to the firmware, replaced by a newer pose, or refused. */
export type LineSettled = (status: 'written' | 'superseded' | 'rejected', error?: AckErrorDto) => void;

/** What a move needs from the relay. */
export interface MoveOutlet {
  /**
   * Writes one line as `operator` through every gate (STOP, the lease, the port); a refusal stops the move.
   * `settled`, when given, is told once the line has been written (or dropped).
   */
  play(line: string, operator: Operator, settled?: LineSettled): AckErrorDto | undefined;
}

/**
 * How a move ended: `applied` (every line handed to the firmware and the last one written), `superseded` or
 * `rejected` (with why).
 */
export type MoveEnd = (status: Extract<AckStatus, 'applied' | 'superseded' | 'rejected'>, error?: AckErrorDto) => void;

export interface MoveProgress {
  readonly done: number;
  readonly total: number;
}

interface Move {
  readonly operator: Operator;
  readonly lines: readonly TimedLine[];
  readonly end: MoveEnd;
  readonly startedAt: number;
  readonly progress?: (progress: MoveProgress) => void;
  next: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Plays timed lines (an eased GOTO, a replay) on the agent's own clock, one move at a time: each line at its
 * moment after the start (timers are set against the start, so delays do not add up), through the relay's
 * gates as the operator who asked. Any newer motion, STOP, another operator's TAKE or a refusal ends it.
 */
export class MotionDirector {
  private readonly logger = new Logger(MotionDirector.name);
  private move: Move | undefined;
  private changes = 0;

  constructor(private readonly outlet: MoveOutlet) {}

  /** Counts starts and interrupts: a move prepared meanwhile (a replay being read) knows it came too late. */
  get generation(): number {
    return this.changes;
  }

  /** Who is moving the neck through the director, if anyone. */
  get mover(): Operator | undefined {
    return this.move?.operator;
  }

  /** Starts a move (ending the one under way as superseded). */
  start(
    operator: Operator,
    lines: readonly TimedLine[],
    end: MoveEnd,
    progress?: (progress: MoveProgress) => void,
  ): void {
    this.interrupt('superseded', { code: 'MOVE_REPLACED', message: 'a newer move replaced this one' });
    const move: Move = { operator, lines, end, next: 0, timer: undefined, startedAt: performance.now(), progress };
    this.move = move;
    this.schedule(move);
  }

  /** Ends the move under way, if any, with this status. */
  interrupt(status: 'superseded' | 'rejected', error: AckErrorDto): void {
    this.changes += 1;
    const move = this.move;
    if (!move) return;
    this.move = undefined;
    clearTimeout(move.timer);
    this.logger.log(
      `move by ${move.operator.uuid} ended after ${move.next}/${move.lines.length} lines: ${error.message}`,
    );
    move.end(status, error);
  }

  private schedule(move: Move): void {
    const line = move.lines[move.next];
    if (line === undefined) {
      // Only an empty move gets here: a move's last line ends it once written (see step).
      if (move.lines.length === 0) this.finish(move, 'written');
      return;
    }
    const delay = Math.max(0, move.startedAt + line.atMs - performance.now());
    move.timer = setTimeout(() => this.step(move), delay);
  }

  private step(move: Move): void {
    if (this.move !== move) return;
    const line = move.lines[move.next];
    if (line === undefined) return;
    const last = move.next === move.lines.length - 1;
    // The move is applied when its last line has reached the firmware, not when it was handed to the queue.
    const settled: LineSettled | undefined = last ? (status, error) => this.finish(move, status, error) : undefined;
    const refusal = this.outlet.play(line.line, move.operator, settled);
    if (this.move !== move) return;
    if (refusal) {
      this.interrupt('rejected', refusal);
      return;
    }
    move.next += 1;
    move.progress?.({ done: move.next, total: move.lines.length });
    this.schedule(move);
  }

  /** Ends `move` as its last line settled, unless something else ended it first. */
  private finish(move: Move, status: 'written' | 'superseded' | 'rejected', error?: AckErrorDto): void {
    if (this.move !== move) return;
    this.move = undefined;
    if (status === 'written') move.end('applied');
    else move.end(status, error ?? { code: 'MOVE_REPLACED', message: 'a newer pose replaced the move’s last line' });
  }
}
