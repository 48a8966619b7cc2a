import type { RemoteSocket, Server, Socket } from 'socket.io';
import {
  ClientToServerEvents,
  InterServerEvents,
  PeerInfoDto,
  ServerToClientEvents,
  SocketData,
} from '@neck-signal/protocol';

export type HubServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type AnySocket = HubSocket | RemoteSocket<ServerToClientEvents, SocketData>;

/** Rooms by role: commands go to necks, acks without `to`, status and output go to operators. */
export const NECKS_ROOM = 'role:neck';
export const OPERATORS_ROOM = 'role:operator';

/** Every socket of a device (uuid) is in its room, on every hub: revoking it drops them all at once. */
export function deviceRoom(uuid: string): string {
  return `device:${uuid}`;
}

export function peerInfo(socket: AnySocket): PeerInfoDto {
  return { id: socket.id, uuid: socket.data.uuid, roles: socket.data.roles };
}

export function isNeck(socket: AnySocket): boolean {
  return socket.data.roles.includes('neck');
}

export function isObserverOnly(socket: AnySocket): boolean {
  return socket.data.roles.every((role) => role === 'observer');
}
