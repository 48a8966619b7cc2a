import { BroadcastMessageDto, ErrorMessageDto, PeerMessageDeliveryDto, PeerMessageRequestDto } from './dto/message.dto';
import {
  NeckAckDeliveryDto,
  NeckAckReportDto,
  NeckCommandDeliveryDto,
  NeckCommandRequestDto,
  NeckOutputDeliveryDto,
  NeckOutputDto,
  NeckStatusDeliveryDto,
  NeckStatusDto,
} from './dto/neck.dto';
import { NeckHealthDto } from './dto/health.dto';
import { PeerCountsDto, PeerInfoDto, Role } from './dto/peer.dto';
import { RenewTokenDto, RenewTokenResultDto } from './dto/access.dto';
import {
  RecordingsReplyDeliveryDto,
  RecordingsReplyDto,
  RecordingsRequestDeliveryDto,
  RecordingsRequestDto,
} from './dto/recording.dto';

/** Every Socket.IO event name, seed-compatible (the README's event table). */
export const Events = {
  ExistingPeers: 'existing-peers',
  NewPeer: 'new-peer',
  PeerDisconnect: 'peer-disconnect',
  BroadcastMessage: 'broadcast-message',
  PeerMessage: 'peer-message',
  NeckCommand: 'neck_command',
  NeckAck: 'neck_ack',
  NeckStatus: 'neck_status',
  NeckOutput: 'neck_output',
  ErrorMessage: 'error-message',
  RenewToken: 'renew-token',
  PeerCounts: 'peer-counts',
  RecordingsRequest: 'recordings',
  RecordingsReply: 'recordings-reply',
} as const;
export type EventName = (typeof Events)[keyof typeof Events];

/** HTTP paths of the hub. */
export const HubPaths = {
  Health: '/',
  Login: '/login',
  Devices: '/devices',
  WebPage: '/app/',
} as const;

/**
 * Header every neck-signal client sends so that a LocalTunnel server never shows it the "friendly reminder" page
 * it shows browsers (any value passes; docs/tunnel.md).
 */
export const TUNNEL_BYPASS_HEADER = 'bypass-tunnel-reminder';

/** What a peer emits to the hub. */
export interface ClientToServerEvents {
  [Events.BroadcastMessage]: (payload: BroadcastMessageDto) => void;
  [Events.PeerMessage]: (payload: PeerMessageRequestDto) => void;
  [Events.NeckCommand]: (payload: NeckCommandRequestDto) => void;
  [Events.NeckAck]: (payload: NeckAckReportDto) => void;
  [Events.NeckStatus]: (payload: NeckStatusDto) => void;
  [Events.NeckOutput]: (payload: NeckOutputDto) => void;
  [Events.RenewToken]: (payload: RenewTokenDto, ack: (result: RenewTokenResultDto) => void) => void;
  /** An operator asks a neck for its recordings' list or a chunk of one. */
  [Events.RecordingsRequest]: (payload: RecordingsRequestDto) => void;
  /** A neck answers it. */
  [Events.RecordingsReply]: (payload: RecordingsReplyDto) => void;
}

/** What the hub emits to a peer. */
export interface ServerToClientEvents {
  [Events.ExistingPeers]: (peers: PeerInfoDto[]) => void;
  [Events.NewPeer]: (peer: PeerInfoDto) => void;
  /** The sid of the peer that left. */
  [Events.PeerDisconnect]: (sid: string) => void;
  [Events.PeerMessage]: (payload: PeerMessageDeliveryDto) => void;
  [Events.NeckCommand]: (payload: NeckCommandDeliveryDto) => void;
  [Events.NeckAck]: (payload: NeckAckDeliveryDto) => void;
  [Events.NeckStatus]: (payload: NeckStatusDeliveryDto) => void;
  [Events.NeckOutput]: (payload: NeckOutputDeliveryDto) => void;
  [Events.ErrorMessage]: (payload: ErrorMessageDto) => void;
  /** To observers only, instead of other observers' new-peer and peer-disconnect. */
  [Events.PeerCounts]: (counts: PeerCountsDto) => void;
  /** To a neck: an operator's request for its recordings. */
  [Events.RecordingsRequest]: (payload: RecordingsRequestDeliveryDto) => void;
  /** To the operator who asked: the neck's answer. */
  [Events.RecordingsReply]: (payload: RecordingsReplyDeliveryDto) => void;
}

/**
 * What one hub tells the others sharing its Redis about its peers, so that each keeps the registry of all of
 * them (joins, `GET /`, commands read it instead of scanning every socket on every hub). Only hubs send these.
 */
export type RegistryMessage =
  | { kind: 'join'; hubId: string; peer: PeerInfoDto; roleless: boolean }
  | { kind: 'leave'; hubId: string; sid: string }
  | { kind: 'roles'; hubId: string; sid: string; roles: Role[] }
  | { kind: 'status'; hubId: string; status: NeckStatusDeliveryDto; updatedAt: string }
  /** A hub that starts (or hears of a hub it does not know) asks the others for their peers. */
  | { kind: 'hello'; hubId: string }
  | { kind: 'snapshot'; hubId: string; peers: PeerInfoDto[]; roleless: string[]; statuses: NeckHealthDto[] }
  /** Every few seconds: a hub not heard for a while is gone, and so are its peers. */
  | { kind: 'beat'; hubId: string };

/** Between hubs sharing a Redis adapter (besides the rooms and broadcasts the adapter carries). */
export interface InterServerEvents {
  registry: (message: RegistryMessage) => void;
}

/** What the hub keeps on each socket, from the verified token. */
export interface SocketData {
  uuid: string;
  roles: Role[];
  /** When the connection's token expires, ms since the epoch (hub clock); renewed by `renew-token`. */
  expiresAt: number;
  /** Logged in with the password and no role, as the original Python clients do (filed as ui until it acks). */
  roleless: boolean;
}

/** The claims of a hub token (besides iss, aud, iat, exp). */
export interface HubTokenClaims {
  /** The peer's uuid. */
  sub: string;
  roles: Role[];
  /** Present (true) when the login named no role and used the password: an original Python client. */
  roleless?: boolean;
}

/** Handshake `auth` a peer passes to `io(url, { auth })`. */
export interface HandshakeAuth {
  token: string;
}
