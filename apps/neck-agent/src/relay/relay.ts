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
import { SerialLink } from '../serial/serial-link';
import { HubLink, IncomingCommand } from './hub-link';
import { QueuedLine, Requester, WriteQueue } from './write-queue';

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
  /** Prints each line written to the firmware (the seed's habit). */
  print: (line: string) => void;
}

/**
 * The agent's core: turns every command from the hub into one validated firmware line, writes it through
 * a serialised queue and acknowledges it to its sender. Sends exactly one HOME per opening of the port,
 * once the agent has been connected to the hub at least once; a hub reconnect alone sends nothing.
 */
export class Relay {
  private readonly logger = new Logger(Relay.name);
  private readonly tracker: HeadPoseTracker;
  private queue: WriteQueue | undefined;
  private link: SerialLink | undefined;
  private downReason: string | undefined = 'looking for the neck’s serial port';
  private hubConnectedOnce = false;
  private homeSentForLink: SerialLink | undefined;
  private health: FirmwareHealth | null = null;
  private poseKnown = false;
  private statusTimer: NodeJS.Timeout | undefined;
  private statusSoonTimer: NodeJS.Timeout | undefined;
  private readonly output = { windowStart: 0, sent: 0, dropped: 0 };

  constructor(
    private readonly hub: HubLink,
    private readonly options: RelayOptions,
  ) {
    this.tracker = new HeadPoseTracker(HOME_POSE, options.limits);
    hub.onCommand((command) => this.handle(command));
    hub.onConnected(() => {
      this.hubConnectedOnce = true;
      this.homeOnce();
      this.sendStatus();
    });
  }

  start(): void {
    this.statusTimer = setInterval(() => this.sendStatus(), this.options.statusIntervalMs);
  }

  stop(): void {
    clearInterval(this.statusTimer);
    clearTimeout(this.statusSoonTimer);
    this.queue?.failAll(new Error('the agent is shutting down'));
  }

  /** The port opened: HOME (if the hub has been reached), then HEALTH to learn the firmware. */
  portOpened(link: SerialLink): void {
    this.link = link;
    this.downReason = undefined;
    this.health = null;
    this.poseKnown = false;
    this.queue = new WriteQueue((line) => this.writeLine(link, line), {
      written: (item) => this.acknowledge(item, 'written'),
      superseded: (item) => this.acknowledge(item, 'superseded'),
      failed: (item, error) => this.acknowledge(item, 'rejected', { code: 'WRITE_FAILED', message: error.message }),
    });
    this.homeOnce();
    this.enqueueOwn('HEALTH');
    this.sendStatus();
  }

  /** The port went away (or none was found): waiting commands are rejected, new ones refused until it is back. */
  portDown(reason: string): void {
    const changed = this.downReason !== reason;
    this.link = undefined;
    this.downReason = reason;
    this.queue?.failAll(new Error(`the neck's serial port went down: ${reason}`));
    this.queue = undefined;
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
    const health = parseHealthLine(line);
    if (health) {
      this.health = health;
      this.sendStatus();
    }
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
      pose: pose ? { ...pose } : null,
      ...(pose ? { actuatorsMm: headPoseToMm(pose) } : {}),
      queueDepth: this.queue?.depth ?? 0,
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
    const queue = this.queue;
    if (!queue) {
      this.reject(received, requester, {
        code: 'PORT_DOWN',
        message: `the neck is not connected (${this.downReason ?? 'serial port down'}); nothing was sent`,
      });
      return;
    }
    const merged = this.tracker.merge(parsed.command);
    if (!merged.ok) {
      this.reject(received, requester, merged.error);
      return;
    }
    this.poseKnown ||= parsed.command.kind === 'home' || isPoseCommand(parsed.command);
    queue.enqueue({ line: merged.line, pose: isPoseCommand(parsed.command), requester });
    this.statusSoon();
  }

  private homeOnce(): void {
    const link = this.link;
    if (!link || !this.hubConnectedOnce || this.homeSentForLink === link) return;
    this.homeSentForLink = link;
    this.enqueueOwn('HOME');
  }

  private enqueueOwn(text: string): void {
    const parsed = parseNeckCommand(text);
    if (!parsed.ok || !this.queue) return;
    const merged = this.tracker.merge(parsed.command);
    if (!merged.ok) return;
    if (parsed.command.kind === 'home') this.poseKnown = true;
    this.queue.enqueue({ line: merged.line, pose: false, requester: {} });
  }

  private async writeLine(link: SerialLink, line: string): Promise<void> {
    await link.write(line);
    this.options.print(line);
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
    if (this.hub.connected) this.hub.status(this.status());
  }

  /** Pose and queue changes: one status for a burst (a 100 Hz stream gives ~10 a second). */
  private statusSoon(): void {
    this.statusSoonTimer ??= setTimeout(() => this.sendStatus(), STATUS_COALESCE_MS);
  }
}
