import { NeckAckReportDto, NeckStatusDto } from '@neck-signal/protocol';
import { HubLink, IncomingCommand } from '../relay/hub-link';
import { Recorder } from './recorder';

/** A HubLink that records every command it hands the relay and every ack the relay sends, then passes them on. */
export class RecordingHubLink implements HubLink {
  constructor(
    private readonly inner: HubLink,
    private readonly recorder: Recorder,
  ) {}

  get connected(): boolean {
    return this.inner.connected;
  }

  onCommand(handler: (command: IncomingCommand) => void): void {
    this.inner.onCommand((command) => {
      this.recorder.command(command, 'hub');
      handler(command);
    });
  }

  onPeerLeft(handler: (sid: string) => void): void {
    this.inner.onPeerLeft(handler);
  }

  onRateLimited(handler: () => void): void {
    this.inner.onRateLimited(handler);
  }

  onConnected(handler: () => void): void {
    this.inner.onConnected(handler);
  }

  ack(payload: NeckAckReportDto): void {
    this.recorder.ack(payload);
    this.inner.ack(payload);
  }

  status(payload: NeckStatusDto): void {
    this.inner.status(payload);
  }

  output(line: string): void {
    this.inner.output(line);
  }
}
