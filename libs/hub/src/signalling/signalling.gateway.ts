import { Logger, UseFilters, UsePipes } from '@nestjs/common';
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
} from '@neck-signal/protocol';
import { TokenService } from '../auth/token.service';
import { HubSettings } from '../config/hub-settings';
import { wsValidationPipe } from '../common/validation';
import { handshakeAuth } from './handshake-auth';
import type { HubServer, HubSocket } from './hub-socket';
import { NECKS_ROOM, OPERATORS_ROOM, isNeck, isObserverOnly, peerInfo } from './hub-socket';
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

  constructor(
    private readonly tokens: TokenService,
    private readonly necks: NeckStatusRegistry,
    settings: HubSettings,
  ) {
    this.rateLimit = new SocketRateLimit(settings.socket.messagesPerSecond);
  }

  /** The Socket.IO server behind the gateway. */
  get io(): HubServer {
    return this.server;
  }

  afterInit(server: HubServer): void {
    server.use(handshakeAuth(this.tokens, this.logger));
  }

  async handleConnection(socket: HubSocket): Promise<void> {
    this.rateLimit.attach(socket);
    await socket.join(isNeck(socket) ? NECKS_ROOM : OPERATORS_ROOM);
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
    this.necks.remove(socket.id);
    this.server.except(socket.id).emit(Events.PeerDisconnect, socket.id);
    this.logger.log(`peer left: ${socket.data.uuid ?? '?'} (${socket.id})`);
  }

  /** Number of peers connected (across hubs sharing an adapter). */
  async peerCount(): Promise<number> {
    return (await this.server.fetchSockets()).length;
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
