import { NeckAckReportDto, NeckStatusDto } from '@neck-signal/protocol';

/** A command as it reached the agent: the text, the sid of its sender, and its correlation id. */
export interface IncomingCommand {
  readonly text: string;
  readonly from: string;
  readonly id?: string;
}

/** What the relay needs from the hub; the agent's real one is a HubClient, unit tests use a fake. */
export interface HubLink {
  /** Every peer-message and neck_command (the seed's agent treats both as commands). */
  onCommand(handler: (command: IncomingCommand) => void): void;
  /** Each time the connection to the hub is (re)established. */
  onConnected(handler: () => void): void;
  readonly connected: boolean;
  ack(payload: NeckAckReportDto): void;
  status(payload: NeckStatusDto): void;
  output(line: string): void;
}
