import { Logger } from '@nestjs/common';
import {
  AckErrorDto,
  CommandTimelineDto,
  FirmwareHealth,
  HubStampDto,
  HeadPoseTracker,
  HOME_POSE,
  MAX_MESSAGE_LENGTH,
  MAX_OUTPUT_LINE_LENGTH,
  NeckLimits,
  NeckStatusDto,
  AckStatus,
  Directive,
  compilePayloadCheck,
  headPoseToMm,
  isMotionCommand,
  isPoseCommand,
  parseHealthLine,
  parseMotionCommand,
  parseOperatorCommand,
} from '@neck-signal/protocol';
import { ControlLease, DEFAULT_LEASE_MS, Operator } from '../control/control-lease';
import { DEFAULT_STALE_AFTER_MS, FreshnessGate, judgedByStamp } from '../control/freshness';
import {
  DEFAULT_FIRMWARE_TIMING,
  FirmwareSession,
  FirmwareTiming,
  LineTiming,
  QueuedLine,
  Requester,
} from '../firmware/firmware-session';
import { LineSettled, MotionDirector } from '../motion/motion-director';
import { MotionShaper, ReplaySource } from '../motion/motion-shaper';
import { PoseStore } from '../motion/pose-store';
import { SerialLink } from '../serial/serial-link';
import { HubLink, IncomingCommand } from './hub-link';

const STATUS_COALESCE_MS = 100;
/**
 * Firmware lines forwarded per second at most. The hub takes 300 messages a second from a socket; acks for a
 * 100 Hz pose stream and status need the rest, so a chatty firmware must not crowd them out.
 */
export const MAX_OUTPUT_LINES_PER_SECOND = 100;
/** How long firmware output stops after the hub said RATE_LIMITED, ms. */
const RATE_LIMITED_PAUSE_MS = 1000;
/** A stamp is echoed only when the hub would take it back: a malformed one would cost the operator the ack. */
const isHubStamp = compilePayloadCheck(HubStampDto);

/** A command as the relay took it: who to answer, and when it arrived (performance.now() ms). */
interface Arrival {
  readonly requester: Requester;
  readonly receivedAt: number;
}

export interface RelayOptions {
  limits: Partial<NeckLimits>;
  baudRate: number;
  statusIntervalMs: number;
  /** How the agent paces itself to the firmware. Default DEFAULT_FIRMWARE_TIMING. */
  timing?: FirmwareTiming;
  /** How long control lasts without motion from its holder, ms. Default DEFAULT_LEASE_MS (2000). */
  leaseMs?: number;
  /** A pose later than its sender's usual delay by more than this is dropped (ack `stale`), ms. Default 250. */
  staleAfterMs?: number;
  /** Prints each line written to the firmware (the seed's habit). */
  print: (line: string) => void;
  /** Named poses (POSE SAVE, POSE GO). Default: in memory. */
  poses?: PoseStore;
  /** Recordings REPLAY plays. Default: none (REPLAY is refused). */
  replays?: ReplaySource;
}

/**
 * The agent's core: turns every command from the hub into one validated firmware line, hands it to the
 * firmware session (which writes it only when the firmware reads) and acknowledges it to its sender, once.
 * One operator at a time moves the neck (the control lease); anyone may STOP it; a pose that comes much later
 * than its sender's usual is dropped as stale. Each opening of the port gets exactly one HOME, once the agent
 * has been connected to the hub at least once: the firmware's own, when it homes as it boots (the opening reset
 * it), else the agent's; a hub reconnect alone sends nothing.
 */
export class Relay {
  private readonly logger = new Logger(Relay.name);
  private readonly tracker: HeadPoseTracker;
  private session: FirmwareSession | undefined;
  private link: SerialLink | undefined;
  private downReason: string | undefined = 'looking for the neck’s serial port';
  private hubConnectedOnce = false;
  private health: FirmwareHealth | null = null;
  private poseKnown = false;
  private statusTimer: NodeJS.Timeout | undefined;
  private statusSoonTimer: NodeJS.Timeout | undefined;
  private readonly output = { windowStart: 0, sent: 0, dropped: 0, held: 0 };
  /** After RATE_LIMITED, firmware output waits until then (ms since the epoch). */
  private outputPausedUntil = 0;
  private readonly statusListeners = new Set<(status: NeckStatusDto) => void>();
  private readonly lease: ControlLease;
  private readonly freshness: FreshnessGate;
  /** Who pressed STOP, until someone sends RELEASE. */
  private stoppedBy: string | undefined;
  /** Eased moves (GOTO, POSE GO) played on the agent's clock, each line through the gates below. */
  private readonly director = new MotionDirector({
    play: (line, operator, settled) => this.play(line, operator, settled),
  });
  private readonly shaper: MotionShaper;

  constructor(
    private readonly hub: HubLink,
    private readonly options: RelayOptions,
  ) {
    this.tracker = new HeadPoseTracker(HOME_POSE, options.limits);
    this.lease = new ControlLease(options.leaseMs ?? DEFAULT_LEASE_MS, () => this.controlChanged());
    this.freshness = new FreshnessGate(options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS);
    this.shaper = new MotionShaper(
      this.director,
      options.poses ?? new PoseStore(),
      () => this.tracker.pose,
      options.replays,
      () => this.statusSoon(),
    );
    hub.onCommand((command) => this.handle(command));
    // Acks are paid for by the commands they answer; what gives is the firmware's chatter.
    hub.onRateLimited(() => {
      this.outputPausedUntil = Date.now() + RATE_LIMITED_PAUSE_MS;
      this.logger.warn(
        `the hub rate-limits this agent: forwarding no firmware output for ${RATE_LIMITED_PAUSE_MS / 1000} s`,
      );
    });
    hub.onPeerLeft((sid) => {
      // A move nobody is watching any more stops with its operator, as the lease does.
      if (this.director.mover?.sid === sid) {
        this.director.interrupt('rejected', { code: 'OPERATOR_LEFT', message: 'the operator who started it left' });
      }
      this.lease.left(sid);
      this.freshness.forget(sid);
    });
    hub.onConnected(() => {
      this.hubConnectedOnce = true;
      this.session?.home();
      this.sendStatus();
    });
  }

  start(): void {
    this.statusTimer = setInterval(() => this.sendStatus(), this.options.statusIntervalMs);
  }

  stop(): void {
    this.director.interrupt('rejected', { code: 'SHUTTING_DOWN', message: 'the agent is shutting down' });
    clearInterval(this.statusTimer);
    clearTimeout(this.statusSoonTimer);
    this.lease.clear();
    this.session?.close({ code: 'SHUTTING_DOWN', message: 'the agent is shutting down; nothing was sent' });
  }

  /**
   * The port opened: the firmware is booting. The session asks HEALTH until it reads, then writes the HOME
   * (once the hub has been reached) and holds everything else until that homing is over.
   */
  portOpened(link: SerialLink): void {
    this.session?.close({ code: 'PORT_DOWN', message: 'the serial port was reopened; nothing was sent' });
    this.director.interrupt('rejected', { code: 'PORT_DOWN', message: 'the serial port was reopened' });
    this.link = link;
    this.downReason = undefined;
    this.health = null;
    this.poseKnown = false;
    this.tracker.reset();
    this.session = new FirmwareSession(
      link,
      { baudRate: this.options.baudRate, timing: this.options.timing ?? DEFAULT_FIRMWARE_TIMING },
      {
        written: (item, timing) => this.acknowledge(item, 'written', timing),
        superseded: (item, _by, timing) => this.acknowledge(item, 'superseded', timing),
        rejected: (item, error, timing) => this.acknowledge(item, 'rejected', timing, error),
        changed: () => this.statusSoon(),
        wrote: (line) => {
          // The agent's own HOME: from here on the pose is known.
          if (line === 'HOME') this.poseKnown = true;
          this.options.print(line);
        },
        homedAtBoot: () => {
          this.poseKnown = true;
          this.logger.log('the neck homed itself as it booted: that counts as this opening’s HOME');
        },
        warn: (message) => this.logger.warn(message),
      },
    );
    if (this.hubConnectedOnce) this.session.home();
    if (this.stoppedBy !== undefined) this.session.halt(this.stoppedError());
    this.sendStatus();
  }

  /** The port went away (or none was found): held commands are rejected, new ones refused until it is back. */
  portDown(reason: string): void {
    const changed = this.downReason !== reason;
    this.link = undefined;
    this.downReason = reason;
    this.director.interrupt('rejected', { code: 'PORT_DOWN', message: `the neck's serial port went down (${reason})` });
    this.session?.close({
      code: 'PORT_DOWN',
      message: `the neck's serial port went down (${reason}); nothing was sent`,
    });
    this.session = undefined;
    if (changed) this.sendStatus();
  }

  /**
   * A line the firmware printed: forwarded as neck_output (at most MAX_OUTPUT_LINES_PER_SECOND; the number
   * left out is reported once the second is over); a HEALTH answer is kept for neck_status.
   */
  firmwareLine(line: string): void {
    const now = Date.now();
    if (now - this.output.windowStart >= 1000) {
      if (this.output.dropped > 0) {
        this.hub.output(
          `(neck-agent: ${this.output.dropped} firmware lines not forwarded: more than ${MAX_OUTPUT_LINES_PER_SECOND} a second)`,
        );
      }
      if (this.output.held > 0) {
        this.hub.output(
          `(neck-agent: ${this.output.held} firmware lines not forwarded: the hub asked it to slow down)`,
        );
      }
      Object.assign(this.output, { windowStart: now, sent: 0, dropped: 0, held: 0 });
    }
    if (now < this.outputPausedUntil) {
      this.output.held += 1;
    } else if (this.output.sent < MAX_OUTPUT_LINES_PER_SECOND) {
      this.output.sent += 1;
      this.hub.output(line.slice(0, MAX_OUTPUT_LINE_LENGTH));
    } else {
      this.output.dropped += 1;
    }
    this.session?.firmwareLine(line);
    const health = parseHealthLine(line);
    if (health) {
      this.health = health;
      this.sendStatus();
    }
  }

  /** Calls `listener` with every status the relay reports (also while the hub is away); returns an unsubscribe. */
  onStatus(listener: (status: NeckStatusDto) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  status(): NeckStatusDto {
    const pose = this.poseKnown ? this.tracker.pose : null;
    return {
      serial: {
        state: this.link ? 'open' : 'down',
        path: this.link?.path ?? null,
        baud: this.options.baudRate,
        ...(this.downReason ? { error: this.downReason } : {}),
      },
      firmware: {
        state: this.session?.state ?? 'down',
        answersHealth: this.session?.answersHealth ?? null,
      },
      control: {
        holder: this.lease.holder,
        leaseMs: this.lease.leaseMs,
        stopped: this.stoppedBy !== undefined,
        stoppedBy: this.stoppedBy ?? null,
      },
      pose: pose ? { ...pose } : null,
      ...(pose ? { actuatorsMm: headPoseToMm(pose) } : {}),
      queueDepth: this.session?.depth ?? 0,
      health: this.health ? { ...this.health, fields: { ...this.health.fields } } : null,
      ...this.shaper.report(),
    };
  }

  private handle(command: IncomingCommand): void {
    const receivedAt = performance.now();
    const requester: Requester = {
      to: command.from,
      ...(command.id !== undefined ? { id: command.id } : {}),
      ...(command.hub !== undefined && isHubStamp(command.hub) ? { hub: command.hub } : {}),
    };
    const arrival: Arrival = { requester, receivedAt };
    const received = typeof command.text === 'string' ? command.text.slice(0, MAX_MESSAGE_LENGTH) : '';
    const operator: Operator = { uuid: command.uuid ?? command.from, sid: command.from };
    // Every stamped command teaches the sender's usual delay, whatever becomes of it.
    const freshness = this.freshness.judge(command.from, command.sentAt);
    const shaped = parseMotionCommand(command.text, this.options.limits);
    if (shaped) {
      if (!shaped.ok) {
        this.reject(received, arrival, shaped.error);
        return;
      }
      const refusal = shaped.command.kind === 'pose-save' ? undefined : this.gate(operator);
      if (refusal) this.refuse(shaped.line, arrival, 'rejected', refusal);
      else this.shaper.run(shaped.command, shaped.line, operator, (ack) => this.sendAck(arrival, ack));
      return;
    }
    const parsed = parseOperatorCommand(command.text, this.options.limits);
    if (!parsed.ok) {
      this.reject(received, arrival, parsed.error);
      return;
    }
    if (parsed.kind === 'directive') {
      this.direct(parsed.directive, parsed.line, operator, arrival);
      return;
    }
    const motion = isMotionCommand(parsed.command);
    if (motion && this.stoppedBy !== undefined) {
      this.refuse(received, arrival, 'rejected', this.stoppedError());
      return;
    }
    const holder = motion ? this.lease.heldAgainst(operator) : undefined;
    if (holder) {
      this.refuse(received, arrival, 'rejected', {
        code: 'CONTROL_HELD',
        message: `${holder.uuid} holds this neck's control (until it stops moving it for ${this.lease.leaseMs / 1000} s); send TAKE to take it over`,
      });
      return;
    }
    if (!freshness.fresh && judgedByStamp(parsed.command)) {
      this.refuse(received, arrival, 'stale', {
        code: 'STALE',
        message: `this pose arrived ${freshness.lateByMs} ms later than your usual; dropped so that the neck does not move to where you were`,
      });
      return;
    }
    const session = this.session;
    if (!session) {
      this.reject(received, arrival, {
        code: 'PORT_DOWN',
        message: `the neck is not connected (${this.downReason ?? 'serial port down'}); nothing was sent`,
      });
      return;
    }
    const refusal = session.refusal(parsed.command);
    if (refusal) {
      this.reject(received, arrival, refusal);
      return;
    }
    const merged = this.tracker.merge(parsed.command);
    if (!merged.ok) {
      this.reject(received, arrival, merged.error);
      return;
    }
    if (motion) {
      this.lease.moved(operator);
      this.director.interrupt('superseded', { code: 'MOVE_REPLACED', message: `${merged.line} replaced this move` });
    }
    this.poseKnown ||= parsed.command.kind === 'home' || isPoseCommand(parsed.command);
    session.enqueue({ line: merged.line, command: parsed.command, requester, receivedAt });
    this.statusSoon();
  }

  /** STOP, RELEASE, TAKE, YIELD: the agent's own business, never written to the firmware; acked `applied`. */
  private direct(directive: Directive, line: string, operator: Operator, arrival: Arrival): void {
    if (directive === 'stop') {
      const first = this.stoppedBy === undefined;
      this.stoppedBy = operator.uuid;
      this.lease.clear();
      this.session?.halt(this.stoppedError());
      this.director.interrupt('rejected', this.stoppedError());
      if (first) this.logger.warn(`STOP by ${operator.uuid}: nothing more is written until RELEASE`);
    } else if (directive === 'release') {
      if (this.stoppedBy !== undefined) this.logger.log(`RELEASE by ${operator.uuid}: the neck moves again`);
      this.stoppedBy = undefined;
      this.session?.resume();
    } else if (directive === 'take') {
      const mover = this.director.mover;
      if (mover && mover.uuid !== operator.uuid) {
        this.director.interrupt('rejected', { code: 'CONTROL_TAKEN', message: `${operator.uuid} took control (TAKE)` });
      }
      const previous = this.lease.take(operator);
      if (previous) this.logger.log(`control: ${operator.uuid} took it from ${previous.uuid}`);
    } else {
      this.lease.yield(operator);
    }
    this.sendAck(arrival, { command: line, status: 'applied' });
    this.sendStatus();
  }

  /** Why `operator` may not move the neck now (STOP, another's control, no port), or nothing. */
  private gate(operator: Operator): AckErrorDto | undefined {
    if (this.stoppedBy !== undefined) return this.stoppedError();
    const holder = this.lease.heldAgainst(operator);
    if (holder) {
      return {
        code: 'CONTROL_HELD',
        message: `${holder.uuid} holds this neck's control (until it stops moving it for ${this.lease.leaseMs / 1000} s); send TAKE to take it over`,
      };
    }
    if (!this.session) {
      return { code: 'PORT_DOWN', message: `the neck is not connected (${this.downReason ?? 'serial port down'})` };
    }
    return undefined;
  }

  /**
   * One line of an eased move or a replay, as `operator`: through the gates, merged, queued; no ack of its own, but
   * `settled` is told how the firmware session settled it.
   */
  private play(line: string, operator: Operator, settled?: LineSettled): AckErrorDto | undefined {
    const session = this.session;
    const refusal = this.gate(operator);
    if (refusal || !session) return refusal;
    const parsed = parseOperatorCommand(line, this.options.limits);
    if (!parsed.ok) return parsed.error;
    if (parsed.kind !== 'firmware') return { code: 'UNKNOWN_COMMAND', message: `${line} is not a firmware line` };
    const held = session.refusal(parsed.command);
    if (held) return held;
    const merged = this.tracker.merge(parsed.command);
    if (!merged.ok) return merged.error;
    this.lease.moved(operator);
    session.enqueue({
      line: merged.line,
      command: parsed.command,
      requester: {},
      receivedAt: performance.now(),
      ...(settled ? { settled } : {}),
    });
    this.statusSoon();
    return undefined;
  }

  private stoppedError(): AckErrorDto {
    return {
      code: 'STOPPED',
      message: `${this.stoppedBy ?? 'someone'} pressed STOP: the neck takes no motion until someone sends RELEASE`,
    };
  }

  private controlChanged(): void {
    const holder = this.lease.holder;
    this.logger.log(holder ? `control: ${holder.uuid} holds the neck` : 'control: free');
    this.sendStatus();
  }

  /** A refusal the sender is told about in its ack; not logged (a stream would fill the journal). */
  private refuse(command: string, arrival: Arrival, status: AckStatus, error: AckErrorDto): void {
    this.sendAck(arrival, { command, status, error: { ...error } });
  }

  private acknowledge(
    item: QueuedLine,
    status: 'written' | 'superseded' | 'rejected',
    timing: LineTiming,
    error?: AckErrorDto,
  ): void {
    item.settled?.(status, error);
    if (item.requester.to === undefined) {
      if (error) this.logger.warn(`could not write ${item.line}: ${error.message}`);
      return;
    }
    this.sendAck(item, { command: item.line, status, ...(error ? { error } : {}) }, timing);
    if (status !== 'superseded') this.statusSoon();
  }

  private reject(command: string, arrival: Arrival, error: AckErrorDto): void {
    this.logger.warn(`rejected ${JSON.stringify(command)}: ${error.message}`);
    this.sendAck(arrival, { command, status: 'rejected', error: { ...error } });
  }

  /**
   * Every ack leaves here: with the requester's id and hub stamp echoed, and the agent's part of the command's
   * timeline, measured on this machine's monotonic clock (what never reached the queue waited 0 ms in it).
   */
  private sendAck(
    arrival: Arrival,
    ack: { command: string; status: AckStatus; error?: AckErrorDto },
    timing: LineTiming = { queueMs: 0, fenceMs: 0 },
  ): void {
    const timeline: CommandTimelineDto = {
      agentMs: roundMs(performance.now() - arrival.receivedAt),
      queueMs: roundMs(timing.queueMs),
      ...(timing.fenceMs > 0 ? { fenceMs: roundMs(timing.fenceMs) } : {}),
      ...(timing.wireMs === undefined ? {} : { wireMs: roundMs(timing.wireMs) }),
    };
    const { to, id, hub } = arrival.requester;
    this.hub.ack({
      command: ack.command,
      status: ack.status,
      ...(to === undefined ? {} : { to }),
      ...(id === undefined ? {} : { id }),
      ...(ack.error ? { error: ack.error } : {}),
      ...(hub === undefined ? {} : { hub: { ...hub } }),
      timeline,
    });
  }

  private sendStatus(): void {
    clearTimeout(this.statusSoonTimer);
    this.statusSoonTimer = undefined;
    const status = this.status();
    for (const listener of [...this.statusListeners]) listener(status);
    if (this.hub.connected) this.hub.status(status);
  }

  /** Pose and queue changes: one status for a burst (a 100 Hz stream gives ~10 a second). */
  private statusSoon(): void {
    this.statusSoonTimer ??= setTimeout(() => this.sendStatus(), STATUS_COALESCE_MS);
  }
}

/** A duration for the wire: µs resolution is plenty, and never below 0. */
function roundMs(ms: number): number {
  return Math.max(0, Math.round(ms * 1000) / 1000);
}
