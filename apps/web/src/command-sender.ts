import type { HubClient } from '@neck-signal/hub-client';
import type { NeckAckDeliveryDto } from '@neck-signal/protocol';
import { parseNeckCommand } from '@neck-signal/protocol/firmware';
import type { CommandEntry, CommandLog } from './command-log';
import type { NeckDirectory } from './neck-directory';

export type SendOutcome = { ok: true; line: string } | { ok: false; error: string };

/** Ack ids remembered for acks from further necks (a command sent to all necks is acked by each). */
const REMEMBERED_IDS = 200;

/**
 * Sends command lines to the chosen neck(s) as `neck_command`, after checking them with the firmware grammar
 * of libs/protocol: an invalid line is refused here and nothing is sent. Every sent line gets a log entry that
 * shows its ack status and round trip.
 */
export class CommandSender {
  private client: HubClient | undefined;
  private readonly entries = new Map<string, CommandEntry>();

  constructor(
    private readonly log: CommandLog,
    private readonly necks: NeckDirectory,
  ) {}

  /** The client to send through (undefined when logged out). */
  use(client: HubClient | undefined): void {
    this.client = client;
    this.entries.clear();
    client?.on('neck_ack', (ack) => this.lateAck(ack));
  }

  /** Checks `text` with parseNeckCommand and sends its canonical line; says why when it does not. */
  send(text: string): SendOutcome {
    const parsed = parseNeckCommand(text);
    if (!parsed.ok) return { ok: false, error: parsed.error.message };
    const client = this.client;
    if (!client?.connected) return { ok: false, error: 'not connected to the hub; log in first' };
    const target = this.necks.target();
    const entry = this.log.command(parsed.line, this.necks.targetName());
    client.sendCommand(parsed.line, { via: 'neck_command', ...(target === undefined ? {} : { target }) }).then(
      ({ ack, roundTripMs }) => {
        entry.acknowledged(ack, roundTripMs);
        if (ack.id !== undefined) this.remember(ack.id, entry);
      },
      (error: unknown) => entry.failed(error instanceof Error ? error.message : String(error)),
    );
    return { ok: true, line: parsed.line };
  }

  /** Acks after the first for the same command; the first resolves sendCommand. */
  private lateAck(ack: NeckAckDeliveryDto): void {
    if (ack.id !== undefined) this.entries.get(ack.id)?.alsoAcknowledged(ack);
  }

  private remember(id: string, entry: CommandEntry): void {
    this.entries.set(id, entry);
    if (this.entries.size > REMEMBERED_IDS) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}
