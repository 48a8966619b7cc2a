import type { RemoteSocket, Server, Socket } from 'socket.io';
import {
  ClientToServerEvents,
  InterServerEvents,
  PeerInfoDto,
  Role,
  ServerToClientEvents,
  SocketData,
} from '@neck-signal/protocol';

export type HubServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type AnySocket = HubSocket | RemoteSocket<ServerToClientEvents, SocketData>;

/** Rooms by role: commands go to necks, acks without `to`, status and output go to operators (ui and observers). */
export const NECKS_ROOM = 'role:neck';
export const OPERATORS_ROOM = 'role:operator';
/** Operators who may act (ui), and those who only watch: joins and leaves reach observers only for necks and ui. */
export const UI_ROOM = 'role:ui';
export const OBSERVERS_ROOM = 'role:observer';
/**
 * Peers that logged in with the password and no role (the original Python clients): they may be necks, so
 * commands reach them too until one answers with `neck_ack` and is filed as a neck.
 */
export const ROLELESS_ROOM = 'roleless';

/** Every socket of a device (uuid) is in its room, on every hub: revoking it drops them all at once. */
export function deviceRoom(uuid: string): string {
  return `device:${uuid}`;
}

/** The role rooms of a peer with these roles. */
export function roleRooms(roles: readonly Role[], roleless: boolean): string[] {
  if (roles.includes('neck')) return [NECKS_ROOM];
  const rooms = [OPERATORS_ROOM, roles.includes('ui') ? UI_ROOM : OBSERVERS_ROOM];
  if (roleless) rooms.push(ROLELESS_ROOM);
  return rooms;
}

/** Who hears of a peer of `role` joining or leaving: everyone, but observers only of necks and operators. */
export function announcedTo(role: Role): string[] {
  return role === 'observer' ? [NECKS_ROOM, UI_ROOM] : [NECKS_ROOM, UI_ROOM, OBSERVERS_ROOM];
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
