import {
  ErrorMessageDto,
  HEAD_AXES,
  formatNeckCommand,
  parseNeckCommand,
  partsOf,
  validatePayload,
  type CommandTimeline,
  type NeckAckDeliveryDto,
  type NeckCommand,
} from '@neck-signal/protocol';
import { AckTimeoutError, HubError } from './errors';
import { TypedEmitter } from './typed-emitter';

/** A command this tracker sent. */
export interface SentCommand {
  /** Its correlation id: the `id` of its payload, of its acks and of an `error-message` answering it. */
  readonly id: string;
  /** The text sent, e.g. `X50,Y-20`. */
  readonly text: string;
}

/** How a command was answered. */
export interface CommandResult {
  /** The first `neck_ack` for the command, whatever its status (written, superseded, rejected). */
  ack: NeckAckDeliveryDto;
  /** From emitting the command to receiving that ack, ms. */
  roundTripMs: number;
  /**
   * Where the command's time went, as the ack says (`ack.timeline`): each hop in ms on its own clock. Absent when
   * the neck does not report it (the original Python agent).
   */
  timeline?: CommandTimeline;
}

/** A `neck_ack` for one of our commands, pending or recently answered. */
export interface CommandAck {
  ack: NeckAckDeliveryDto;
  command: SentCommand;
  /** From emitting the command to this ack, ms. */
  roundTripMs: number;
  /** The ack's timeline (`ack.timeline`), when the neck reports one. */
  timeline?: CommandTimeline;
  /** True for the ack that answered the command (its first); false for later ones (further necks). */
  first: boolean;
}

/**
 * A `neck_ack` for no command of ours: another client's command, or an ack without id (the original Python
 * agent) whose line matches none of our pending commands.
 */
export interface OtherAck {
  ack: NeckAckDeliveryDto;
  command?: undefined;
  roundTripMs?: undefined;
  /** The ack's timeline (`ack.timeline`), when the neck reports one. */
  timeline?: CommandTimeline;
  first: false;
}

/** One `neck_ack` as the tracker saw it, for display. */
export type TrackedAck = CommandAck | OtherAck;

export interface TrackOptions {
  /** Ms to wait for the first ack; default the tracker's timeoutMs. */
  timeoutMs?: number;
  /**
   * Called with each ack of this command as it arrives: the first (which also resolves the promise) and later
   * ones (other necks of a command sent to every neck), while the command is among the last `remember` answered.
   */
  onAck?: (tracked: CommandAck) => void;
}

export interface CommandTrackerOptions {
  /** Default wait for a command's first ack, ms. Default 15000. */
  timeoutMs?: number;
  /** Start of every id this tracker makes (`PREFIX-1`, `PREFIX-2`…); default 6 random characters. */
  idPrefix?: string;
  /** Answered commands remembered, so that their later acks are still recognised. Default 500. */
  remember?: number;
}

interface Command extends SentCommand {
  readonly startedAt: number;
  readonly onAck?: (tracked: CommandAck) => void;
}

interface PendingCommand extends Command {
  timer?: ReturnType<typeof setTimeout>;
  resolve(result: CommandResult): void;
  reject(error: Error): void;
}

interface TrackerEvents {
  ack: (tracked: TrackedAck) => void;
}

const DEFAULTS = { timeoutMs: 15_000, remember: 500 } as const;

/**
 * Matches commands to their answers: sends each with a fresh id, then settles it on the first `neck_ack`
 * carrying that id (any status), on the `error-message` carrying it (HubError) or after a timeout
 * (AckTimeoutError). An ack without id (the original Python agent acks `{command}` only) answers the oldest
 * pending command whose line it is: the text sent, or that text with its head parts merged into full poses, as
 * the agents write them (`X50` → `X50,Y0,Z0,H0,S1,A1,R0,P0`). An `error-message` without id settles nothing.
 * Feed it every `neck_ack` and `error-message` the connection receives; runs in browsers and Node alike.
 */
export class CommandTracker {
  /** Commands awaiting their first ack, oldest first. */
  private readonly pending = new Map<string, PendingCommand>();
  /** Commands answered, oldest first, for their later acks. */
  private readonly answered = new Map<string, Command>();
  private readonly events = new TypedEmitter<TrackerEvents>();
  private readonly timeoutMs: number;
  private readonly idPrefix: string;
  private readonly remember: number;
  private count = 0;

  constructor(options: CommandTrackerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.idPrefix = options.idPrefix ?? Math.random().toString(36).slice(2, 8);
    this.remember = options.remember ?? DEFAULTS.remember;
    if (!(Number.isFinite(this.timeoutMs) && this.timeoutMs >= 0)) {
      throw new RangeError(`timeoutMs must be a number of milliseconds ≥ 0, got ${this.timeoutMs}`);
    }
    if (!(Number.isInteger(this.remember) && this.remember >= 0)) {
      throw new RangeError(`remember must be a whole number ≥ 0, got ${this.remember}`);
    }
  }

  /**
   * Gives the command a fresh id, calls `emit(id)` to send it and resolves with its first ack and the round
   * trip. Rejects with whatever `emit` throws (nothing is then awaited), HubError when the hub answers it with
   * `error-message`, AckTimeoutError after timeoutMs, or the error given to rejectPending().
   */
  send(text: string, emit: (id: string) => void, options: TrackOptions = {}): Promise<CommandResult> {
    const id = `${this.idPrefix}-${++this.count}`;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    return new Promise<CommandResult>((resolve, reject) => {
      const command: PendingCommand = {
        id,
        text,
        startedAt: performance.now(),
        ...(options.onAck ? { onAck: options.onAck } : {}),
        resolve,
        reject,
      };
      command.timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AckTimeoutError(text, id, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, command);
      try {
        emit(id);
      } catch (error) {
        this.stopWaiting(command);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Takes a `neck_ack`: settles the command it answers, then reports it to onAck listeners. */
  handleAck(ack: NeckAckDeliveryDto): void {
    const pending = ack.id === undefined ? this.oldestPending(ack.command) : this.pending.get(ack.id);
    if (pending) {
      this.stopWaiting(pending);
      this.keep(pending);
      const tracked = this.tracked(ack, pending, true);
      pending.resolve({ ack, roundTripMs: tracked.roundTripMs, ...timelineOf(ack) });
      this.report(tracked, pending);
      return;
    }
    const answered = ack.id === undefined ? undefined : this.answered.get(ack.id);
    if (answered) this.report(this.tracked(ack, answered, false), answered);
    else this.events.emit('ack', { ack, ...timelineOf(ack), first: false });
  }

  /** Takes an `error-message`: rejects the pending command whose id it carries with a HubError. */
  handleError(error: ErrorMessageDto): void {
    const checked = validatePayload(ErrorMessageDto, error);
    if (!checked.ok || checked.value.id === undefined) return;
    const pending = this.pending.get(checked.value.id);
    if (!pending) return;
    this.stopWaiting(pending);
    pending.reject(new HubError(checked.value.code, checked.value.message, pending.id));
  }

  /** Adds a listener for every ack handled (ours, others', without id); returns a function that removes it. */
  onAck(listener: (tracked: TrackedAck) => void): () => void {
    return this.events.on('ack', listener);
  }

  /** Commands still waiting for their first ack, oldest first. */
  pendingCommands(): SentCommand[] {
    return [...this.pending.values()].map(sent);
  }

  /** Rejects every pending command with `error` (the connection dropped, the client closed). */
  rejectPending(error: Error): void {
    for (const command of [...this.pending.values()]) {
      this.stopWaiting(command);
      command.reject(error);
    }
  }

  /** Rejects every pending command with `error`, forgets answered ones and removes every listener. */
  close(error: Error): void {
    this.rejectPending(error);
    this.answered.clear();
    this.events.removeAll();
  }

  private oldestPending(line: string): PendingCommand | undefined {
    for (const command of this.pending.values()) if (command.text === line) return command;
    const written = parseNeckCommand(line);
    if (!written.ok) return undefined;
    for (const command of this.pending.values()) if (isMergeOf(command.text, written.command)) return command;
    return undefined;
  }

  private stopWaiting(command: PendingCommand): void {
    clearTimeout(command.timer);
    this.pending.delete(command.id);
  }

  private keep(command: PendingCommand): void {
    const { id, text, startedAt, onAck } = command;
    this.answered.set(id, { id, text, startedAt, ...(onAck ? { onAck } : {}) });
    for (const oldest of this.answered.keys()) {
      if (this.answered.size <= this.remember) break;
      this.answered.delete(oldest);
    }
  }

  private tracked(ack: NeckAckDeliveryDto, command: Command, first: boolean): CommandAck {
    return {
      ack,
      command: sent(command),
      roundTripMs: performance.now() - command.startedAt,
      ...timelineOf(ack),
      first,
    };
  }

  private report(tracked: CommandAck, command: Command): void {
    command.onAck?.(tracked);
    this.events.emit('ack', tracked);
  }
}

function sent(command: SentCommand): SentCommand {
  return { id: command.id, text: command.text };
}

function timelineOf(ack: NeckAckDeliveryDto): { timeline?: CommandTimeline } {
  return ack.timeline === undefined ? {} : { timeline: ack.timeline };
}

/**
 * True when `written` is what a neck that merges poses writes for the line `sent`: the same commands, each head
 * part the full pose (every axis) agreeing with every axis `sent` gives; the firmware resets axes a line leaves
 * out, so the agents write the full line.
 */
function isMergeOf(sent: string, written: NeckCommand): boolean {
  const typed = parseNeckCommand(sent);
  if (!typed.ok) return false;
  const typedParts = partsOf(typed.command);
  const writtenParts = partsOf(written);
  return (
    typedParts.length === writtenParts.length &&
    typedParts.every((part, index) => {
      const other = writtenParts[index];
      if (other === undefined) return false;
      if (part.kind !== 'head' || other.kind !== 'head') return formatNeckCommand(part) === formatNeckCommand(other);
      return HEAD_AXES.every(
        (axis) => other.axes[axis] !== undefined && (part.axes[axis] ?? other.axes[axis]) === other.axes[axis],
      );
    })
  );
}
