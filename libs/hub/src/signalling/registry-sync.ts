import { Logger } from '@nestjs/common';
import { Events, RegistryMessage } from '@neck-signal/protocol';
import { HubServer, announcedTo } from './hub-socket';
import { PeerRegistry, mainRole } from './peer-registry';
import { RedisHealth } from './redis-health';

/** How often a hub says it is alive to the others sharing its Redis. */
const BEAT_MS = 5_000;
/** A hub not heard for this long is gone (crashed, or cut from Redis): its peers leave. */
const SILENT_MS = 15_000;

/**
 * Keeps every hub's PeerRegistry right across hubs sharing Redis: each hub tells the others (through the
 * adapter's server-side events) when its own peers join, leave, change role or report status; a hub that
 * starts says hello and the others answer with what they have. A hub that falls silent is dropped with its
 * peers, and this hub tells its own peers they left (the dead hub cannot).
 */
export class RegistrySync {
  private readonly logger = new Logger(RegistrySync.name);
  private readonly lastHeard = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  private stopWatching: (() => void) | undefined;

  constructor(
    private readonly server: HubServer,
    private readonly registry: PeerRegistry,
    private readonly redis: RedisHealth,
  ) {}

  start(): void {
    this.server.on('registry', (message) => this.receive(message));
    // Each time Redis is (back) up: what this hub said meanwhile was lost, and so was what the others said.
    this.stopWatching = this.redis.onUp(() => this.resync());
    if (this.redis.isUp) this.resync();
    this.timer = setInterval(() => {
      this.send({ kind: 'beat', hubId: this.registry.hubId });
      this.dropSilentHubs();
    }, BEAT_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.stopWatching?.();
  }

  /** Tells the other hubs (if Redis is there; else it is dropped, and resync makes up for it). */
  send(message: RegistryMessage): void {
    this.server.serverSideEmit('registry', message);
  }

  /** Asks every hub for its peers and tells them this one's. */
  private resync(): void {
    this.send({ kind: 'hello', hubId: this.registry.hubId });
    this.sendSnapshot();
  }

  private receive(message: RegistryMessage): void {
    const { hubId } = message;
    if (hubId === this.registry.hubId) return;
    const known = this.lastHeard.has(hubId);
    this.lastHeard.set(hubId, Date.now());
    switch (message.kind) {
      case 'hello':
        this.sendSnapshot();
        return;
      case 'snapshot':
        this.replaceHub(message);
        return;
      case 'join':
        this.registry.add(message.peer, message.roleless, hubId);
        break;
      case 'leave':
        this.registry.remove(message.sid);
        break;
      case 'roles':
        this.registry.setRoles(message.sid, message.roles);
        break;
      case 'status':
        this.registry.setStatus(message.status, message.updatedAt);
        break;
      case 'beat':
        break;
    }
    // A hub heard of for the first time other than by its hello (this one missed it): ask for all it has.
    if (!known) this.send({ kind: 'hello', hubId: this.registry.hubId });
  }

  /**
   * A hub's snapshot is all its peers: those this hub had for it and that are not in it left (during an outage,
   * say), those it did not have joined. This hub's own peers are told of both, since the other hub announced them
   * while its messages could not come through (or long ago, to peers that were not there yet).
   */
  private replaceHub(snapshot: Extract<RegistryMessage, { kind: 'snapshot' }>): void {
    const present = new Set(snapshot.peers.map((peer) => peer.id));
    for (const peer of this.registry.peersOf(snapshot.hubId)) {
      if (present.has(peer.id)) continue;
      this.registry.remove(peer.id);
      this.server.local.to(announcedTo(mainRole(peer.roles))).emit(Events.PeerDisconnect, peer.id);
    }
    for (const peer of snapshot.peers) {
      const isNew = this.registry.get(peer.id) === undefined;
      this.registry.add(peer, snapshot.roleless.includes(peer.id), snapshot.hubId);
      if (isNew) this.server.local.to(announcedTo(mainRole(peer.roles))).emit(Events.NewPeer, peer);
    }
    for (const { updatedAt, ...status } of snapshot.statuses) this.registry.setStatus(status, updatedAt);
  }

  private sendSnapshot(): void {
    this.send({ kind: 'snapshot', hubId: this.registry.hubId, ...this.registry.localSnapshot() });
  }

  private dropSilentHubs(): void {
    const now = Date.now();
    for (const [hubId, heard] of this.lastHeard) {
      if (now - heard < SILENT_MS) continue;
      this.lastHeard.delete(hubId);
      const gone = this.registry.removeHub(hubId);
      if (gone.length === 0) continue;
      this.logger.warn(`hub ${hubId} fell silent; its ${gone.length} peer(s) left`);
      for (const peer of gone) {
        this.server.local.to(announcedTo(mainRole(peer.roles))).emit(Events.PeerDisconnect, peer.id);
      }
    }
  }
}
