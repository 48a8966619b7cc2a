import { HubStampDto, NeckAckReportDto, NeckStatusDto } from '@neck-signal/protocol';

/** A command as it reached the agent: the text, its sender (sid, uuid), its correlation id and stamp. */
export interface IncomingCommand {
  readonly text: string;
  /** The sender's sid. */
  readonly from: string;
  /** The sender's uuid, when the hub says it (the original hub does not: then the sid stands in). */
  readonly uuid?: string;
  readonly id?: string;
  /** The sender's clock when it sent the command, ms (see CommandStampDto). */
  readonly sentAt?: number;
  readonly seq?: number;
  /** The relaying hub's stamp (neck_command), echoed unchanged in the ack. */
  readonly hub?: HubStampDto;
}

/** What the relay needs from the hub; the agent's real one is a HubClient, unit tests use a fake. */
export interface HubLink {
  /** Every peer-message and neck_command (the seed's agent treats both as commands). */
  onCommand(handler: (command: IncomingCommand) => void): void;
  /** A peer left the hub (its sid). */
  onPeerLeft(handler: (sid: string) => void): void;
  /** The hub said this agent sends too much (RATE_LIMITED). */
  onRateLimited(handler: () => void): void;
  /** Each time the connection to the hub is (re)established. */
  onConnected(handler: () => void): void;
  readonly connected: boolean;
  ack(payload: NeckAckReportDto): void;
  status(payload: NeckStatusDto): void;
  output(line: string): void;
}
