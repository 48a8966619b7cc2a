import { Logger } from '@nestjs/common';
import { SerialSettings } from '../config/agent-settings';
import { DiscoveryEnvironment, discoverNeck } from './port-discovery';
import { SerialLink } from './serial-link';

export interface SerialConnectionEvents {
  /** A port was opened (at start-up, or after a replug). */
  open(link: SerialLink): void;
  /** The port closed or none could be found; `reason` says why in words a person can act on. */
  down(reason: string): void;
  /** A line the firmware printed. */
  line(text: string): void;
}

/**
 * Keeps the neck's port open: discovers and opens it, notices when it goes away (unplug), reports that at
 * once, and keeps trying to find it again (also under another device name) until it is back.
 */
export class SerialConnection {
  private readonly logger = new Logger(SerialConnection.name);
  private link: SerialLink | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastError: string | undefined;

  constructor(
    private readonly settings: SerialSettings,
    private readonly environment: DiscoveryEnvironment,
    private readonly events: SerialConnectionEvents,
  ) {}

  get current(): SerialLink | undefined {
    return this.link?.isOpen ? this.link : undefined;
  }

  start(): void {
    void this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const link = this.link;
    this.link = undefined;
    await link?.close();
  }

  private async attempt(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    const found = await discoverNeck(this.settings, this.environment);
    if (this.stopped) {
      if (found.ok) await found.link.close();
      return;
    }
    if (!found.ok) {
      if (found.error !== this.lastError) {
        this.logger.warn(`${found.error}; retrying every ${this.settings.retryMs / 1000} s`);
        this.lastError = found.error;
        this.events.down(found.error);
      }
      this.retry();
      return;
    }
    this.lastError = undefined;
    const link = found.link;
    this.link = link;
    link.onLine((text) => this.events.line(text));
    link.onClose((error) => {
      if (this.link !== link) return;
      this.link = undefined;
      if (this.stopped) return;
      const reason = `${link.path} closed${error ? `: ${error.message}` : ''}`;
      this.logger.warn(`${reason}; looking for the neck again`);
      this.lastError = reason;
      this.events.down(reason);
      this.retry();
    });
    this.logger.log(`serial port ${link.path} open at ${this.settings.baudRate} baud`);
    this.events.open(link);
  }

  private retry(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.attempt(), this.settings.retryMs);
  }
}
