import { Inject, Logger, UseFilters, UsePipes } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import {
  BroadcastMessageDto,
  CommandStampDto,
  Events,
  NeckAckDeliveryDto,
  NeckAckReportDto,
  NeckCommandRequestDto,
  NeckOutputDto,
  NeckStatusDto,
  PeerMessageRequestDto,
  RenewTokenDto,
  RenewTokenResultDto,
} from '@neck-signal/protocol';
import type { DeviceStore } from '../auth/device-store';
import { DEVICE_STORE } from '../auth/device-store.provider';
import { TokenService } from '../auth/token.service';
import { HubSettings } from '../config/hub-settings';
import { wsValidationPipe } from '../common/validation';
import { handshakeAuth, tokenRefusal } from './handshake-auth';
import { ConnectionGuard } from './hub-io.adapter';
import type { HubServer, HubSocket } from './hub-socket';
import { NECKS_ROOM, OPERATORS_ROOM, deviceRoom, isNeck, isObserverOnly, peerInfo } from './hub-socket';
import { NeckStatusRegistry } from './neck-status.registry';
import { SocketRateLimit } from './socket-rate-limit';
import { WsErrorFilter, hubError } from './ws-error.filter';

/** Relays messages between authenticated peers, seed-compatible (the README's event table). */
@WebSocketGateway()
@UsePipes(wsValidationPipe())
@UseFilters(WsErrorFilter)
export class SignallingGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  @WebSocketServer() private server!: HubServer;
  private readonly logger = new Logger(SignallingGateway.name);
  private readonly rateLimit: SocketRateLimit;
  /** Ends each connection when its token expires (unless renewed). */
  private readonly expiries = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly tokens: TokenService,
    private readonly necks: NeckStatusRegistry,
    @Inject(DEVICE_STORE) private readonly devices: DeviceStore,
    settings: HubSettings,
  ) {
    this.rateLimit = new SocketRateLimit(settings.socket.messagesPerSecond);
  }

  /** The Socket.IO server behind the gateway. */
  get io(): HubServer {
    return this.server;
  }

  afterInit(server: HubServer): void {
    server.use(handshakeAuth(this.tokens, this.devices, this.logger));
  }

  async handleConnection(socket: HubSocket): Promise<void> {
    this.rateLimit.attach(socket);
    this.expireAt(socket, socket.data.expiresAt);
    // renew-token has an ack: it is handled here, not through Nest's pipeline (see docs/architecture.md).
    socket.on(Events.RenewToken, (payload, ack) => void this.renew(socket, payload, ack));
    await socket.join([isNeck(socket) ? NECKS_ROOM : OPERATORS_ROOM, deviceRoom(socket.data.uuid)]);
    const me = peerInfo(socket);
    const others = (await this.server.fetchSockets()).filter((peer) => peer.id !== socket.id).map(peerInfo);
    socket.emit(Events.ExistingPeers, others);
    socket.broadcast.emit(Events.NewPeer, me);
    if (!isNeck(socket)) {
      for (const status of this.necks.latest()) socket.emit(Events.NeckStatus, status);
    }
    this.logger.log(`peer joined: ${me.uuid} (${me.roles.join(',')}) as ${me.id}`);
  }

  handleDisconnect(socket: HubSocket): void {
    clearTimeout(this.expiries.get(socket.id));
    this.expiries.delete(socket.id);
    this.necks.remove(socket.id);
    this.server.except(socket.id).emit(Events.PeerDisconnect, socket.id);
    this.logger.log(`peer left: ${socket.data.uuid ?? '?'} (${socket.id})`);
  }

  /** Number of peers connected (across hubs sharing an adapter). */
  async peerCount(): Promise<number> {
    return (await this.server.fetchSockets()).length;
  }

  /** Connections to this hub that have not authenticated yet. */
  unauthenticatedCount(): number {
    return ConnectionGuard.unauthenticatedCount(this.server);
  }

  @SubscribeMessage(Events.BroadcastMessage)
  broadcast(@ConnectedSocket() socket: HubSocket, @MessageBody() body: BroadcastMessageDto): void {
    this.refuseObservers(socket);
    socket.broadcast.emit(Events.PeerMessage, delivered(socket, { peerId: socket.id, message: body.message }, body));
  }

  @SubscribeMessage(Events.PeerMessage)
  async direct(@ConnectedSocket() socket: HubSocket, @MessageBody() body: PeerMessageRequestDto): Promise<void> {
    this.refuseObservers(socket);
    await this.requirePeer(body.target);
    this.server
      .to(body.target)
      .emit(Events.PeerMessage, delivered(socket, { peerId: socket.id, message: body.message }, body));
  }

  @SubscribeMessage(Events.NeckCommand)
  async command(@ConnectedSocket() socket: HubSocket, @MessageBody() body: NeckCommandRequestDto): Promise<void> {
    this.refuseObservers(socket);
    const delivery = delivered(socket, { command: body.command, peerId: socket.id }, body);
    if (body.target !== undefined) {
      const target = await this.requirePeer(body.target);
      if (!isNeck(target)) throw hubError('UNKNOWN_TARGET', `peer ${body.target} is not a neck`);
      this.server.to(body.target).emit(Events.NeckCommand, delivery);
      return;
    }
    const necks = (await this.server.in(NECKS_ROOM).fetchSockets()).filter((neck) => neck.id !== socket.id);
    if (necks.length === 0) throw hubError('NO_NECK', 'no neck is connected to the hub; start neck-agent');
    this.server.to(NECKS_ROOM).except(socket.id).emit(Events.NeckCommand, delivery);
  }

  @SubscribeMessage(Events.NeckAck)
  ack(@ConnectedSocket() socket: HubSocket, @MessageBody() body: NeckAckReportDto): void {
    const delivery: NeckAckDeliveryDto = withId(
      { command: body.command, status: body.status ?? 'written', peerId: socket.id },
      body.id,
    );
    if (body.error) delivery.error = body.error;
    if (body.to !== undefined) this.server.to(body.to).emit(Events.NeckAck, delivery);
    else this.server.to(OPERATORS_ROOM).except(socket.id).emit(Events.NeckAck, delivery);
  }

  @SubscribeMessage(Events.NeckStatus)
  status(@ConnectedSocket() socket: HubSocket, @MessageBody() body: NeckStatusDto): void {
    const delivery = { ...body, peerId: socket.id, uuid: socket.data.uuid };
    if (isNeck(socket)) this.necks.set(delivery);
    this.server.to(OPERATORS_ROOM).except(socket.id).emit(Events.NeckStatus, delivery);
  }

  @SubscribeMessage(Events.NeckOutput)
  output(@ConnectedSocket() socket: HubSocket, @MessageBody() body: NeckOutputDto): void {
    this.server.to(OPERATORS_ROOM).except(socket.id).emit(Events.NeckOutput, { line: body.line, peerId: socket.id });
  }

  /** Drops every socket of `uuid`, on every hub; resolves with how many there were. */
  async dropDevice(uuid: string, reason: string): Promise<number> {
    const sockets = await this.server.in(deviceRoom(uuid)).fetchSockets();
    this.server.to(deviceRoom(uuid)).emit(Events.ErrorMessage, { code: 'REVOKED', message: reason });
    this.server.in(deviceRoom(uuid)).disconnectSockets(true);
    return sockets.length;
  }

  /** Drops every socket on every hub (revoking every device); resolves with how many there were. */
  async dropAll(reason: string): Promise<number> {
    const sockets = await this.server.fetchSockets();
    this.server.emit(Events.ErrorMessage, { code: 'REVOKED', message: reason });
    this.server.disconnectSockets(true);
    return sockets.length;
  }

  /** At the token's expiry the hub says so and closes the connection; a renewal moves the moment on. */
  private expireAt(socket: HubSocket, expiresAt: number): void {
    clearTimeout(this.expiries.get(socket.id));
    const timer = setTimeout(
      () => {
        socket.emit(Events.ErrorMessage, {
          code: 'TOKEN_EXPIRED',
          message: 'your token expired; log in again (clients renew it before, with renew-token)',
        });
        socket.disconnect(true);
      },
      Math.max(0, expiresAt - Date.now()),
    );
    timer.unref();
    this.expiries.set(socket.id, timer);
  }

  private async renew(socket: HubSocket, payload: unknown, ack: unknown): Promise<void> {
    const answer = (result: RenewTokenResultDto) => {
      if (typeof ack === 'function') (ack as (result: RenewTokenResultDto) => void)(result);
    };
    const token =
      typeof payload === 'object' && payload !== null && 'token' in payload
        ? (payload as RenewTokenDto).token
        : undefined;
    const result = await tokenRefusal(this.tokens, this.devices, token);
    if (!result.ok) {
      answer({ ok: false, reason: result.reason });
      return;
    }
    const { claims } = result;
    const sameRoles =
      claims.roles.length === socket.data.roles.length &&
      claims.roles.every((role) => socket.data.roles.includes(role));
    if (claims.sub !== socket.data.uuid || !sameRoles) {
      answer({ ok: false, reason: 'the new token is for another uuid or role; connect with it instead' });
      return;
    }
    socket.data.expiresAt = claims.expiresAt;
    this.expireAt(socket, claims.expiresAt);
    answer({ ok: true, expiresIn: Math.max(1, Math.floor((claims.expiresAt - Date.now()) / 1000)) });
  }

  private refuseObservers(socket: HubSocket): void {
    if (isObserverOnly(socket)) {
      throw hubError('FORBIDDEN', 'observers cannot send messages or commands; log in with role ui');
    }
  }

  /** The connected peer with this sid (on any hub); room names are not sids and never match. */
  private async requirePeer(sid: string) {
    const peer = (await this.server.in(sid).fetchSockets()).find((candidate) => candidate.id === sid);
    if (!peer) throw hubError('UNKNOWN_TARGET', `no peer with id ${sid}; it may have left (see peer-disconnect)`);
    return peer;
  }
}

function withId<T extends object>(payload: T, id: string | undefined): T & { id?: string } {
  return id === undefined ? payload : { ...payload, id };
}

/** A relayed command: the sender's uuid, and its id and stamp (sentAt, seq) as it sent them. */
function delivered<T extends object>(
  socket: HubSocket,
  payload: T,
  body: { id?: string } & CommandStampDto,
): T & { uuid: string; id?: string } & CommandStampDto {
  return {
    ...withId(payload, body.id),
    uuid: socket.data.uuid,
    ...(body.sentAt === undefined ? {} : { sentAt: body.sentAt }),
    ...(body.seq === undefined ? {} : { seq: body.seq }),
  };
}
