import { Events, NeckAckReportDto, NeckStatusDto } from '@neck-signal/protocol';
import type { HubClient } from '@neck-signal/hub-client';
import { HubLink, IncomingCommand } from './hub-link';

/** The relay's HubLink on a real HubClient logged in as a neck. */
export class HubClientLink implements HubLink {
  constructor(private readonly client: HubClient) {}

  get connected(): boolean {
    return this.client.connected;
  }

  onCommand(handler: (command: IncomingCommand) => void): void {
    this.client.on(Events.PeerMessage, ({ message, peerId, ...rest }) =>
      handler({ text: message, from: peerId, ...rest }),
    );
    this.client.on(Events.NeckCommand, ({ command, peerId, ...rest }) =>
      handler({ text: command, from: peerId, ...rest }),
    );
  }

  onRateLimited(handler: () => void): void {
    this.client.on(Events.ErrorMessage, (error) => {
      if (error.code === 'RATE_LIMITED') handler();
    });
  }

  onPeerLeft(handler: (sid: string) => void): void {
    this.client.on(Events.PeerDisconnect, (sid) => handler(sid));
  }

  onConnected(handler: () => void): void {
    this.client.onLifecycle('connected', () => handler());
  }

  ack(payload: NeckAckReportDto): void {
    this.client.emit(Events.NeckAck, payload);
  }

  status(payload: NeckStatusDto): void {
    this.client.emit(Events.NeckStatus, payload);
  }

  output(line: string): void {
    this.client.emit(Events.NeckOutput, { line });
  }
}
