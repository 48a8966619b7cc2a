// Compiled by `npm run typecheck`: a drifting event name or payload shape fails the build.
import type { Server, Socket as ServerSocket } from 'socket.io';
import type { Socket as ClientSocket } from 'socket.io-client';
import { expectTypeOf } from 'expect-type';
import { ClientToServerEvents, Events, InterServerEvents, ServerToClientEvents, SocketData } from './events';
import { AckStatus, NeckAckDeliveryDto, NeckCommandRequestDto } from './dto/neck.dto';
import { PeerInfoDto, Role } from './dto/peer.dto';

declare const server: Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
declare const socket: ServerSocket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
declare const client: ClientSocket<ServerToClientEvents, ClientToServerEvents>;

expectTypeOf(Events.BroadcastMessage).toEqualTypeOf<'broadcast-message'>();
expectTypeOf(Events.NeckAck).toEqualTypeOf<'neck_ack'>();
expectTypeOf<Role>().toEqualTypeOf<'ui' | 'neck' | 'observer'>();
expectTypeOf<AckStatus>().toEqualTypeOf<'written' | 'superseded' | 'rejected' | 'stale' | 'applied'>();
expectTypeOf<PeerInfoDto>().toEqualTypeOf<{ id: string; uuid: string; roles: Role[] }>();
expectTypeOf<Parameters<ServerToClientEvents['peer-disconnect']>>().toEqualTypeOf<[sid: string]>();
expectTypeOf<Parameters<ClientToServerEvents['broadcast-message']>[0]>().toEqualTypeOf<{
  message: string;
  id?: string;
  sentAt?: number;
  seq?: number;
}>();
expectTypeOf<NeckCommandRequestDto>().toEqualTypeOf<{
  command: string;
  target?: string;
  id?: string;
  sentAt?: number;
  seq?: number;
}>();
expectTypeOf<SocketData>().toEqualTypeOf<{ uuid: string; roles: Role[]; expiresAt: number; roleless: boolean }>();

server.emit(Events.NewPeer, { id: 'sid', uuid: 'u', roles: ['ui'] });
server.emit(Events.PeerDisconnect, 'sid');
socket.emit(Events.ExistingPeers, [{ id: 'sid', uuid: 'u', roles: ['neck'] }]);
socket.emit(Events.PeerMessage, { peerId: 'sid', message: 'X30' });
socket.emit(Events.ErrorMessage, { code: 'UNKNOWN_TARGET', message: 'no such peer' });
client.emit(Events.BroadcastMessage, { message: 'HOME' });
client.emit(Events.PeerMessage, { target: 'sid', message: 'X30' });
client.emit(Events.NeckAck, { command: 'X30' });
client.on(Events.NeckAck, (ack) => {
  expectTypeOf(ack).toEqualTypeOf<NeckAckDeliveryDto>();
  expectTypeOf(ack.status).toEqualTypeOf<AckStatus>();
});
client.on(Events.PeerDisconnect, (sid) => expectTypeOf(sid).toBeString());

// @ts-expect-error new-peer needs uuid and roles
server.emit(Events.NewPeer, { id: 'sid' });
// @ts-expect-error peer-disconnect carries the sid as a string, not an object
server.emit(Events.PeerDisconnect, { id: 'sid' });
// @ts-expect-error a directed peer-message needs a target
client.emit(Events.PeerMessage, { message: 'X30' });
// @ts-expect-error roles are ui, neck or observer
socket.emit(Events.NewPeer, { id: 'sid', uuid: 'u', roles: ['admin'] });
// @ts-expect-error an ack status is one of ACK_STATUSES
client.emit(Events.NeckAck, { command: 'X30', status: 'done' });
// @ts-expect-error unknown event names do not compile
client.emit('broadcast_message', { message: 'HOME' });
// @ts-expect-error error-message is hub → peer only
client.emit(Events.ErrorMessage, { code: 'RATE_LIMITED', message: 'x' });
