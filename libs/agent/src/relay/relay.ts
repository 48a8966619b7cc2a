import { Logger } from '@nestjs/common';
import {
  AckErrorDto,
  FirmwareHealth,
  HeadPoseTracker,
  HOME_POSE,
  MAX_MESSAGE_LENGTH,
  MAX_OUTPUT_LINE_LENGTH,
  NeckLimits,
  NeckStatusDto,
  headPoseToMm,
  isPoseCommand,
  parseHealthLine,
  parseNeckCommand,
} from '@neck-signal/protocol';
import {
  DEFAULT_FIRMWARE_TIMING,
  FirmwareSession,
  FirmwareTiming,
  QueuedLine,
  Requester,
} from '../firmware/firmware-session';
import { SerialLink } from '../serial/serial-link';
import { HubLink, IncomingCommand } from './hub-link';

const STATUS_COALESCE_MS = 100;
/**
 * Firmware lines forwarded per second at most. The hub takes 300 messages a second from a socket; acks for a
 * 100 Hz pose stream and status need the rest, so a chatty firmware must not crowd them out.
 */
export const MAX_OUTPUT_LINES_PER_SECOND = 100;

export interface RelayOptions {
  limits: Partial<NeckLimits>;
  baudRate: number;
  statusIntervalMs: number;
  /** How the agent paces itself to the firmware. Default DEFAULT_FIRMWARE_TIMING. */
  timing?: FirmwareTiming;
  /** Prints each line written to the firmware (the seed's habit). */
  print: (line: string) => void;
}

/**
 * The agent's core: turns every command from the hub into one validated firmware line, hands it to the
 * firmware session (which writes it only when the firmware reads) and acknowledges it to its sender, once.
 * Sends exactly one HOME per opening of the port, once the agent has been connected to the hub at least
 * once; a hub reconnect alone sends nothing.
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
  private readonly output = { windowStart: 0, sent: 0, dropped: 0 };
  private readonly statusListeners = new Set<(status: NeckStatusDto) => void>();

  constructor(
    private readonly hub: HubLink,
    private readonly options: RelayOptions,
  ) {
    this.tracker = new HeadPoseTracker(HOME_POSE, options.limits);
    hub.onCommand((command) => this.handle(command));
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
    clearInterval(this.statusTimer);
    clearTimeout(this.statusSoonTimer);
    this.session?.close({ code: 'SHUTTING_DOWN', message: 'the agent is shutting down; nothing was sent' });
  }

  /**
   * The port opened: the firmware is booting. The session asks HEALTH until it reads, then writes the HOME
   * (once the hub has been reached) and holds everything else until that homing is over.
   */
  portOpened(link: SerialLink): void {
    this.session?.close({ code: 'PORT_DOWN', message: 'the serial port was reopened; nothing was sent' });
    this.link = link;
    this.downReason = undefined;
    this.health = null;
    this.poseKnown = false;
    this.tracker.reset();
    this.session = new FirmwareSession(
      link,
      { baudRate: this.options.baudRate, timing: this.options.timing ?? DEFAULT_FIRMWARE_TIMING },
      {
        written: (item) => this.acknowledge(item, 'written'),
        superseded: (item) => this.acknowledge(item, 'superseded'),
        rejected: (item, error) => this.acknowledge(item, 'rejected', error),
        changed: () => this.statusSoon(),
        wrote: (line) => {
          // The agent's own HOME: from here on the pose is known.
          if (line === 'HOME') this.poseKnown = true;
          this.options.print(line);
        },
        warn: (message) => this.logger.warn(message),
      },
    );
    if (this.hubConnectedOnce) this.session.home();
    this.sendStatus();
  }

  /** The port went away (or none was found): held commands are rejected, new ones refused until it is back. */
  portDown(reason: string): void {
    const changed = this.downReason !== reason;
    this.link = undefined;
    this.downReason = reason;
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
      Object.assign(this.output, { windowStart: now, sent: 0, dropped: 0 });
    }
    if (this.output.sent < MAX_OUTPUT_LINES_PER_SECOND) {
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
      pose: pose ? { ...pose } : null,
      ...(pose ? { actuatorsMm: headPoseToMm(pose) } : {}),
      queueDepth: this.session?.depth ?? 0,
      health: this.health ? { ...this.health, fields: { ...this.health.fields } } : null,
    };
  }

  private handle(command: IncomingCommand): void {
    const requester: Requester = { to: command.from, ...(command.id !== undefined ? { id: command.id } : {}) };
    const received = typeof command.text === 'string' ? command.text.slice(0, MAX_MESSAGE_LENGTH) : '';
    const parsed = parseNeckCommand(command.text, this.options.limits);
    if (!parsed.ok) {
      this.reject(received, requester, parsed.error);
      return;
    }
    const session = this.session;
    if (!session) {
      this.reject(received, requester, {
        code: 'PORT_DOWN',
        message: `the neck is not connected (${this.downReason ?? 'serial port down'}); nothing was sent`,
      });
      return;
    }
    const refusal = session.refusal(parsed.command);
    if (refusal) {
      this.reject(received, requester, refusal);
      return;
    }
    const merged = this.tracker.merge(parsed.command);
    if (!merged.ok) {
      this.reject(received, requester, merged.error);
      return;
    }
    this.poseKnown ||= parsed.command.kind === 'home' || isPoseCommand(parsed.command);
    session.enqueue({ line: merged.line, command: parsed.command, requester });
    this.statusSoon();
  }

  private acknowledge(item: QueuedLine, status: 'written' | 'superseded' | 'rejected', error?: AckErrorDto): void {
    if (item.requester.to === undefined) {
      if (error) this.logger.warn(`could not write ${item.line}: ${error.message}`);
      return;
    }
    this.hub.ack({ command: item.line, status, ...item.requester, ...(error ? { error } : {}) });
    if (status !== 'superseded') this.statusSoon();
  }

  private reject(command: string, requester: Requester, error: AckErrorDto): void {
    this.logger.warn(`rejected ${JSON.stringify(command)}: ${error.message}`);
    this.hub.ack({ command, status: 'rejected', ...requester, error: { ...error } });
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
