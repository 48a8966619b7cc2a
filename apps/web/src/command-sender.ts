import type { HubClient } from '@neck-signal/hub-client';
import { parseOperatorCommand } from '@neck-signal/protocol/directives';
import { parseMotionCommand } from '@neck-signal/protocol/motion-commands';
import type { CommandLog } from './command-log';
import type { LastAck } from './last-ack';
import type { NeckDirectory } from './neck-directory';

export type SendOutcome = { ok: true; line: string } | { ok: false; error: string };
/** How a sent command ended: the neck took it (written, applied, superseded by a newer pose) or did not. */
export type Settled = 'accepted' | 'refused';
/** Sends a command line; `settled` hears how it ended, once (not when it was not sent). */
export type Send = (line: string, settled?: (how: Settled) => void) => SendOutcome;

const REFUSED: ReadonlySet<string> = new Set(['rejected', 'stale']);

/**
 * Sends command lines to the chosen neck(s) as `neck_command`, after checking them with the firmware grammar
 * of libs/protocol: an invalid line is refused here and nothing is sent. Every sent line gets a log entry that
 * shows its ack status and round trip, and the acks of further necks when it went to all of them.
 */
export class CommandSender {
  private client: HubClient | undefined;

  constructor(
    private readonly log: CommandLog,
    private readonly necks: NeckDirectory,
    private readonly lastAck: LastAck,
  ) {}

  /** The client to send through (undefined when logged out). */
  use(client: HubClient | undefined): void {
    this.client = client;
  }

  /**
   * Checks `text` (a firmware command, STOP, RELEASE, TAKE, YIELD, or GOTO, POSE, REPLAY for the agent) and sends its canonical line;
   * says why when it does not. Nothing is kept to send later: while the connection is down, nothing is sent.
   */
  send(text: string, settled?: (how: Settled) => void): SendOutcome {
    // GOTO, POSE and REPLAY are the agent's to run; anything else is a directive or a firmware line.
    const parsed = parseMotionCommand(text) ?? parseOperatorCommand(text);
    if (!parsed.ok) return { ok: false, error: parsed.error.message };
    const client = this.client;
    if (!client) return { ok: false, error: 'not connected to the hub; log in first' };
    if (!client.connected) {
      return { ok: false, error: `the connection to the hub is down (reconnecting); ${parsed.line} was not sent` };
    }
    const target = this.necks.target();
    const entry = this.log.command(parsed.line, this.necks.targetName());
    client
      .sendCommand(parsed.line, {
        via: 'neck_command',
        ...(target === undefined ? {} : { target }),
        onAck: ({ ack, roundTripMs, timeline, first }) => {
          if (!first) return entry.alsoAcknowledged(ack);
          entry.acknowledged(ack, roundTripMs, timeline);
          this.lastAck.acknowledged(parsed.line, ack, roundTripMs);
          settled?.(REFUSED.has(ack.status) ? 'refused' : 'accepted');
        },
      })
      .catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        entry.failed(reason);
        this.lastAck.failed(parsed.line, reason);
        settled?.('refused');
      });
    return { ok: true, line: parsed.line };
  }
}
