import { Inject, Logger, OnModuleDestroy } from '@nestjs/common';
import { OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { performance } from 'node:perf_hooks';
import {
  BroadcastMessageDto,
  CommandStampDto,
  CommandTimelineDto,
  Events,
  HubStampDto,
  NeckAckDeliveryDto,
  NeckAckReportDto,
  NeckCommandRequestDto,
  NeckOutputDto,
  NeckStatusDeliveryDto,
  NeckStatusDto,
  Validated,
  PeerInfoDto,
  PeerMessageRequestDto,
  RenewTokenDto,
  RenewTokenResultDto,
} from '@neck-signal/protocol';
import type { DeviceStore } from '../auth/device-store';
import { DEVICE_STORE } from '../auth/device-store.provider';
import { TokenService } from '../auth/token.service';
import { DEFAULT_MAX_SOCKETS_PER_UUID, HubSettings } from '../config/hub-settings';
import { TimelineStats } from '../timeline/timeline-stats';
import { HubError, errorMessage, hubError } from './error-message';
import { handshakeAuth, tokenRefusal } from './handshake-auth';
import { ConnectionGuard } from './hub-io.adapter';
import type { HubServer, HubSocket } from './hub-socket';
import {
  NECKS_ROOM,
  OBSERVERS_ROOM,
  OPERATORS_ROOM,
  ROLELESS_ROOM,
  UI_ROOM,
  announcedTo,
  deviceRoom,
  isNeck,
  peerInfo,
  roleRooms,
} from './hub-socket';
import { Payloads, errorText, isMessageEvent, senders, validators } from './message-rules';
import { PeerRegistry, mainRole } from './peer-registry';
import { RedisHealth } from './redis-health';
import { RecordingsRouting } from './recordings-routing';
import { RegistrySync } from './registry-sync';
import { SocketCap } from './socket-cap';
import { SocketRateLimit } from './socket-rate-limit';

/** Observers are told the counts of peers instead of each join and leave, at most this often. */
const COUNTS_INTERVAL_MS = 1_000;

/**
 * Relays messages between authenticated peers, seed-compatible (the README's event table). Nest creates the
 * Socket.IO server (with HubIoAdapter's options) and injects what the gateway needs; the messages themselves are
 * handled by plain Socket.IO listeners, each payload checked by a compiled validator: Nest's per-message pipeline
 * (pipes, filters, rxjs) would double the hub's cost per message for nothing (docs/architecture.md).
 */
@WebSocketGateway()
export class SignallingGateway implements OnGatewayInit, OnModuleDestroy {
  @WebSocketServer() private server!: HubServer;
  private readonly logger = new Logger(SignallingGateway.name);
  private readonly rateLimit: SocketRateLimit;
  private readonly cap: SocketCap;
  /** Ends each connection when its token expires (unless renewed). */
  private readonly expiries = new Map<string, NodeJS.Timeout>();
  private sync: RegistrySync | undefined;
  private countsTimer: NodeJS.Timeout | undefined;
  private countsSentAt = 0;
  private countsSent = '';
  private readonly recordings = new RecordingsRouting({
    peer: (sid) => this.peer(sid),
    requirePeer: (sid) => this.requirePeer(sid),
  });

  constructor(
    private readonly tokens: TokenService,
    private readonly registry: PeerRegistry,
    private readonly timelines: TimelineStats,
    @Inject(DEVICE_STORE) private readonly devices: DeviceStore,
    private readonly settings: HubSettings,
    private readonly redis: RedisHealth,
  ) {
    this.rateLimit = new SocketRateLimit(settings.socket.messagesPerSecond);
    this.cap = new SocketCap(registry, settings.socket.maxSocketsPerUuid ?? DEFAULT_MAX_SOCKETS_PER_UUID, this.logger);
  }

  /** The Socket.IO server behind the gateway. */
  get io(): HubServer {
    return this.server;
  }

  afterInit(server: HubServer): void {
    server.use(handshakeAuth(this.tokens, this.devices, this.logger));
    server.use(this.cap.middleware);
    server.on('connection', (socket) => this.connected(socket));
    this.registry.onChange(() => this.countsChanged());
    if (this.settings.redisUrl) {
      this.sync = new RegistrySync(server, this.registry, this.redis);
      this.sync.start();
    }
  }

  onModuleDestroy(): void {
    this.sync?.stop();
    clearTimeout(this.countsTimer);
  }

  /** Peers connected, across hubs sharing Redis. */
  peerCount(): number {
    return this.registry.size;
  }

  /** Connections to this hub that have not authenticated yet. */
  unauthenticatedCount(): number {
    return ConnectionGuard.unauthenticatedCount(this.server);
  }

  private connected(socket: HubSocket): void {
    // The handshake is built: the HTTP request it came with is not needed any more (memory per idle peer).
    (socket.conn as { request: unknown }).request = null;
    this.rateLimit.attach(socket);
    this.expireAt(socket, socket.data.expiresAt);
    for (const [event, listener] of this.listeners) socket.on(event as keyof Payloads, listener);
    socket.on(Events.RenewToken, (payload, ack) => {
      this.renew(socket, payload, ack).catch((error: unknown) => {
        this.logger.warn(`renew-token failed: ${errorText(error)}`);
      });
    });
    socket.on('disconnect', () => this.disconnected(socket));

    const me = peerInfo(socket);
    const role = mainRole(me.roles);
    void socket.join([...roleRooms(me.roles, socket.data.roleless), deviceRoom(me.uuid)]);
    socket.emit(Events.ExistingPeers, this.registry.visibleTo(role, socket.id));
    this.registry.add(me, socket.data.roleless);
    this.cap.arrived(socket);
    this.sync?.send({ kind: 'join', hubId: this.registry.hubId, peer: me, roleless: socket.data.roleless });
    this.server.to(announcedTo(role)).except(socket.id).emit(Events.NewPeer, me);
    if (role === 'observer') socket.emit(Events.PeerCounts, this.registry.counts());
    if (role !== 'neck') for (const status of this.registry.statuses()) socket.emit(Events.NeckStatus, status);
    const line = `peer joined: ${me.uuid} (${me.roles.join(',')}${socket.data.roleless ? ', no role given' : ''}) as ${me.id}`;
    if (role === 'observer') this.logger.debug(line);
    else this.logger.log(line);
  }

  private disconnected(socket: HubSocket): void {
    clearTimeout(this.expiries.get(socket.id));
    this.expiries.delete(socket.id);
    const role = mainRole(socket.data.roles);
    this.registry.remove(socket.id);
    this.sync?.send({ kind: 'leave', hubId: this.registry.hubId, sid: socket.id });
    this.server.to(announcedTo(role)).except(socket.id).emit(Events.PeerDisconnect, socket.id);
    const line = `peer left: ${socket.data.uuid ?? '?'} (${socket.id})`;
    if (role === 'observer') this.logger.debug(line);
    else this.logger.log(line);
  }

  /** Each message event, and what handles it once its payload is valid. */
  private readonly handlers: { [E in keyof Payloads]: (socket: HubSocket, body: Payloads[E], at: number) => unknown } =
    {
      [Events.BroadcastMessage]: (socket, body, receivedAt) => this.broadcast(socket, body, receivedAt),
      [Events.PeerMessage]: (socket, body, receivedAt) => this.direct(socket, body, receivedAt),
      [Events.NeckCommand]: (socket, body, receivedAt) => this.command(socket, body, receivedAt),
      [Events.NeckAck]: (socket, body) => this.ack(socket, body),
      [Events.NeckStatus]: (socket, body) => this.status(socket, body),
      [Events.NeckOutput]: (socket, body) => this.output(socket, body),
      [Events.RecordingsRequest]: (socket, body) => this.recordings.request(socket, body),
      [Events.RecordingsReply]: (socket, body) => this.recordings.reply(socket, body),
    };

  /**
   * One listener per event, shared by every socket (socket.io calls it with the socket as `this`): nothing is
   * allocated per peer for it, which matters with thousands of idle peers.
   */
  private readonly listeners = Object.keys(validators).map((event) => {
    const dispatch = (socket: HubSocket, payload: unknown) => this.dispatch(socket, event, payload);
    return [
      event,
      function (this: HubSocket, payload: unknown) {
        dispatch(this, payload);
      },
    ] as const;
  });

  /**
   * Handles a message: its payload is valid (else INVALID_PAYLOAD), its sender may send it (else FORBIDDEN), and
   * a refusal the handler throws is answered with `error-message` (carrying the payload's id when it had one).
   * Nothing a peer sends escapes from here: a listener that threw would end the process (socket.io calls it on a
   * later tick, outside any catch).
   */
  private dispatch(socket: HubSocket, event: string, payload: unknown): void {
    if (!isMessageEvent(event)) return;
    const receivedAt = performance.now();
    let result: Validated<unknown>;
    try {
      result = validators[event](payload);
    } catch (error) {
      this.logger.warn(`${event}: a payload the validator could not read was refused (${errorText(error)})`);
      result = { ok: false, message: 'payload must be plain JSON data' };
    }
    if (!result.ok) {
      socket.emit(Events.ErrorMessage, errorMessage('INVALID_PAYLOAD', result.message, event, payload));
      return;
    }
    const handle = this.handlers[event] as (socket: HubSocket, body: unknown, at: number) => unknown;
    try {
      const forbidden = senders[event](socket);
      if (forbidden !== undefined) {
        socket.emit(Events.ErrorMessage, errorMessage('FORBIDDEN', forbidden, event, payload));
        return;
      }
      const outcome = handle(socket, result.value, receivedAt);
      if (outcome instanceof Promise) outcome.catch((error: unknown) => this.refuse(socket, event, payload, error));
    } catch (error) {
      this.refuse(socket, event, payload, error);
    }
  }

  private refuse(socket: HubSocket, event: string, payload: unknown, error: unknown): void {
    if (error instanceof HubError) {
      socket.emit(Events.ErrorMessage, errorMessage(error.code, error.message, event, payload));
      return;
    }
    this.logger.error(`${event} handler failed: ${error instanceof Error ? error.stack : String(error)}`);
    try {
      socket.emit(
        Events.ErrorMessage,
        errorMessage('INTERNAL_ERROR', 'the hub could not handle that message', event, payload),
      );
    } catch {
      // The answer itself failed (the socket is gone): there is no one left to tell.
    }
  }

  private broadcast(socket: HubSocket, body: BroadcastMessageDto, receivedAt: number): void {
    const payload = delivered(socket, { peerId: socket.id, message: body.message }, body);
    socket.broadcast.emit(Events.PeerMessage, { ...payload, hub: this.stamp(receivedAt) });
  }

  private direct(socket: HubSocket, body: PeerMessageRequestDto, receivedAt: number): void {
    this.requirePeer(body.target);
    const payload = delivered(socket, { peerId: socket.id, message: body.message }, body);
    this.peer(body.target).emit(Events.PeerMessage, { ...payload, hub: this.stamp(receivedAt) });
  }

  private command(socket: HubSocket, body: NeckCommandRequestDto, receivedAt: number): void {
    const payload = delivered(socket, { command: body.command, peerId: socket.id }, body);
    if (body.target !== undefined) {
      const target = this.requirePeer(body.target);
      if (!target.roles.includes('neck') && !this.registry.isRoleless(target.id)) {
        throw hubError('UNKNOWN_TARGET', `peer ${body.target} is not a neck`);
      }
      this.peer(body.target).emit(Events.NeckCommand, { ...payload, hub: this.stamp(receivedAt) });
      return;
    }
    // Role-less peers may be original agents: they get commands too, so that they can show they are necks.
    if (!this.registry.hasNeck(socket.id) && !this.registry.hasRoleless(socket.id)) {
      throw hubError('NO_NECK', 'no neck is connected to the hub; start neck-agent');
    }
    this.server
      .to([NECKS_ROOM, ROLELESS_ROOM])
      .except(socket.id)
      .emit(Events.NeckCommand, { ...payload, hub: this.stamp(receivedAt) });
  }

  /** What this hub adds to a command it relays: who it is, when it received the command, how long it took. */
  private stamp(receivedAt: number): HubStampDto {
    const now = performance.now();
    return { hub: this.registry.hubId, at: round(receivedAt), ms: round(now - receivedAt) };
  }

  private ack(socket: HubSocket, body: NeckAckReportDto): void {
    if (socket.data.roleless && !isNeck(socket)) this.fileAsNeck(socket);
    const delivery: NeckAckDeliveryDto = withId(
      { command: body.command, status: body.status ?? 'written', peerId: socket.id },
      body.id,
    );
    if (body.error) delivery.error = body.error;
    const timeline = body.timeline && this.timeline(body.timeline, body.hub);
    if (timeline) delivery.timeline = timeline;
    if (body.to !== undefined) this.peer(body.to).emit(Events.NeckAck, delivery);
    else this.server.to(OPERATORS_ROOM).except(socket.id).emit(Events.NeckAck, delivery);
  }

  /**
   * The agent's timeline with the hub's part: its own relay time from the stamp the agent echoed, and, when
   * this hub relayed the command, the link (its round trip to the agent, less the agent's time). Each duration
   * is measured on one machine's clock; none is compared across machines.
   */
  private timeline(agent: CommandTimelineDto, stamp: HubStampDto | undefined): CommandTimelineDto {
    const timeline: CommandTimelineDto = { ...agent };
    if (stamp === undefined) return timeline;
    timeline.hubMs = stamp.ms;
    if (stamp.hub === this.registry.hubId) {
      const roundTrip = performance.now() - (stamp.at + stamp.ms);
      timeline.linkMs = round(Math.max(0, roundTrip - agent.agentMs));
      this.timelines.record(timeline);
    }
    return timeline;
  }

  /** An original agent (no role given) that answers a command is a neck: it is filed, and announced, as one. */
  private fileAsNeck(socket: HubSocket): void {
    socket.data.roles = ['neck'];
    socket.data.roleless = false;
    void socket.leave(OPERATORS_ROOM);
    void socket.leave(UI_ROOM);
    void socket.leave(OBSERVERS_ROOM);
    void socket.leave(ROLELESS_ROOM);
    void socket.join(NECKS_ROOM);
    const me = peerInfo(socket);
    this.registry.setRoles(socket.id, me.roles);
    this.sync?.send({ kind: 'roles', hubId: this.registry.hubId, sid: socket.id, roles: me.roles });
    this.server.to(announcedTo('neck')).except(socket.id).emit(Events.NewPeer, me);
    this.logger.log(`peer ${me.uuid} (${me.id}) logged in without a role and answers commands: filed as a neck`);
  }

  private status(socket: HubSocket, body: NeckStatusDto): void {
    const delivery: NeckStatusDeliveryDto = { ...body, peerId: socket.id, uuid: socket.data.uuid };
    if (isNeck(socket)) {
      const updatedAt = new Date().toISOString();
      this.registry.setStatus(delivery, updatedAt);
      this.sync?.send({ kind: 'status', hubId: this.registry.hubId, status: delivery, updatedAt });
    }
    this.server.to(OPERATORS_ROOM).except(socket.id).emit(Events.NeckStatus, delivery);
  }

  private output(socket: HubSocket, body: NeckOutputDto): void {
    this.server.to(OPERATORS_ROOM).except(socket.id).emit(Events.NeckOutput, { line: body.line, peerId: socket.id });
  }

  /**
   * Where to emit to one peer: its socket when it is on this hub (the common case, and much cheaper than a
   * broadcast to a one-socket room), else its room, which the adapter carries to the other hubs.
   */
  private peer(sid: string): Pick<HubSocket, 'emit'> {
    return this.server.sockets.sockets.get(sid) ?? this.server.to(sid);
  }

  /** Observers get the counts of peers, at most once a COUNTS_INTERVAL_MS, when they changed. */
  private countsChanged(): void {
    if (this.countsTimer !== undefined) return;
    const wait = Math.max(0, this.countsSentAt + COUNTS_INTERVAL_MS - Date.now());
    this.countsTimer = setTimeout(() => {
      this.countsTimer = undefined;
      const counts = this.registry.counts();
      const text = JSON.stringify(counts);
      if (text === this.countsSent) return;
      this.countsSent = text;
      this.countsSentAt = Date.now();
      this.server.local.to(OBSERVERS_ROOM).emit(Events.PeerCounts, counts);
    }, wait);
    this.countsTimer.unref();
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

  /**
   * The connected peer with this sid, from the registry, which knows every hub's peers (RegistrySync): a peer
   * anyone could have heard of is in it, since a hub tells the others of a join before announcing it. No hub is
   * asked per message, so a flood of unknown targets costs the other hubs nothing. Room names are not sids.
   */
  private requirePeer(sid: string): PeerInfoDto {
    const known = this.registry.get(sid);
    if (known) return known;
    throw hubError('UNKNOWN_TARGET', `no peer with id ${sid}; it may have left (see peer-disconnect)`);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
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
