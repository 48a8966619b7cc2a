import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { NeckHealthDto, NeckStatusDeliveryDto, PeerCountsDto, PeerInfoDto, Role } from '@neck-signal/protocol';

/** A peer as the registry keeps it: who, on which hub, and (for a neck) its last status. */
interface Entry {
  info: PeerInfoDto;
  hubId: string;
  /** Logged in with the password and no role (an original Python client): it may turn out to be a neck. */
  roleless: boolean;
  status?: { delivery: NeckStatusDeliveryDto; updatedAt: string };
}

/** What a change to the registry means to the peers: someone joined, left, or changed role. */
export type RegistryChange =
  | { kind: 'joined'; peer: PeerInfoDto }
  | { kind: 'left'; peer: PeerInfoDto }
  | { kind: 'roles'; peer: PeerInfoDto; before: PeerInfoDto };

/** The role a peer is filed under: a neck if it is one, else an operator (ui), else an observer. */
export function mainRole(roles: readonly Role[]): Role {
  if (roles.includes('neck')) return 'neck';
  if (roles.includes('ui')) return 'ui';
  return 'observer';
}

/**
 * Every peer of every hub sharing this one's adapter, by sid and by role, with each neck's last status: what
 * joins, commands and `GET /` read instead of asking socket.io to scan (and, with Redis, every hub to answer)
 * all sockets. This hub's own peers are added and removed as they connect; the others come from the other hubs
 * (RegistrySync). Listeners hear every change, wherever it happened, in the order this hub learnt it.
 */
@Injectable()
export class PeerRegistry {
  /** This hub among those sharing Redis: 8 random characters, short since every relayed command carries it. */
  readonly hubId: string = randomBytes(6).toString('base64url');
  private readonly peers = new Map<string, Entry>();
  private readonly byRole: Record<Role, Map<string, PeerInfoDto>> = {
    neck: new Map(),
    ui: new Map(),
    observer: new Map(),
  };
  private readonly listeners = new Set<(change: RegistryChange) => void>();
  private rolelessCount = 0;
  private readonly byUuid = new Map<string, number>();

  /** Adds a listener for every change; returns a function that removes it. */
  onChange(listener: (change: RegistryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  add(info: PeerInfoDto, roleless: boolean, hubId = this.hubId): void {
    const known = this.peers.get(info.id);
    if (known) {
      this.setRoles(info.id, info.roles);
      return;
    }
    this.peers.set(info.id, { info, hubId, roleless });
    this.byUuid.set(info.uuid, (this.byUuid.get(info.uuid) ?? 0) + 1);
    if (roleless) this.rolelessCount++;
    this.byRole[mainRole(info.roles)].set(info.id, info);
    this.emit({ kind: 'joined', peer: info });
  }

  remove(sid: string): void {
    const entry = this.peers.get(sid);
    if (!entry) return;
    this.peers.delete(sid);
    const sockets = (this.byUuid.get(entry.info.uuid) ?? 1) - 1;
    if (sockets > 0) this.byUuid.set(entry.info.uuid, sockets);
    else this.byUuid.delete(entry.info.uuid);
    if (entry.roleless) this.rolelessCount--;
    this.byRole[mainRole(entry.info.roles)].delete(sid);
    this.emit({ kind: 'left', peer: entry.info });
  }

  /** A peer now has other roles (an original agent found to be a neck: it is no longer role-less). */
  setRoles(sid: string, roles: Role[]): void {
    const entry = this.peers.get(sid);
    if (!entry || sameRoles(entry.info.roles, roles)) return;
    const before = entry.info;
    if (entry.roleless && roles.includes('neck')) {
      entry.roleless = false;
      this.rolelessCount--;
    }
    this.byRole[mainRole(before.roles)].delete(sid);
    entry.info = { ...before, roles: [...roles] };
    this.byRole[mainRole(roles)].set(sid, entry.info);
    if (!roles.includes('neck')) entry.status = undefined;
    this.emit({ kind: 'roles', peer: entry.info, before });
  }

  /** Every peer of one hub (gone quiet, or restarted) leaves; returns them. */
  removeHub(hubId: string): PeerInfoDto[] {
    const gone: PeerInfoDto[] = [];
    for (const [sid, entry] of [...this.peers]) {
      if (entry.hubId !== hubId) continue;
      gone.push(entry.info);
      this.remove(sid);
    }
    return gone;
  }

  get(sid: string): PeerInfoDto | undefined {
    return this.peers.get(sid)?.info;
  }

  /** The peers connected to one hub. */
  peersOf(hubId: string): PeerInfoDto[] {
    const peers: PeerInfoDto[] = [];
    for (const entry of this.peers.values()) if (entry.hubId === hubId) peers.push(entry.info);
    return peers;
  }

  /** How many sockets `uuid` has, on every hub. */
  socketsOf(uuid: string): number {
    return this.byUuid.get(uuid) ?? 0;
  }

  /** The hub a peer is connected to. */
  hubOf(sid: string): string | undefined {
    return this.peers.get(sid)?.hubId;
  }

  /** The peers a newcomer of `role` is told about: all of them, but observers hear only of necks and operators. */
  visibleTo(role: Role, except: string): PeerInfoDto[] {
    const groups = role === 'observer' ? [this.byRole.neck, this.byRole.ui] : Object.values(this.byRole);
    const peers: PeerInfoDto[] = [];
    for (const group of groups) for (const [sid, info] of group) if (sid !== except) peers.push(info);
    return peers;
  }

  /** Whether a neck other than `except` is connected to any hub. */
  hasNeck(except: string): boolean {
    const necks = this.byRole.neck;
    return necks.size > 1 || (necks.size === 1 && !necks.has(except));
  }

  isRoleless(sid: string): boolean {
    return this.peers.get(sid)?.roleless === true;
  }

  /** Whether a role-less peer (which may be an original agent) other than `except` is connected. */
  hasRoleless(except: string): boolean {
    return this.rolelessCount > (this.peers.get(except)?.roleless ? 1 : 0);
  }

  get size(): number {
    return this.peers.size;
  }

  counts(): PeerCountsDto {
    return { necks: this.byRole.neck.size, operators: this.byRole.ui.size, observers: this.byRole.observer.size };
  }

  /** A neck's new status (the neck must be registered). */
  setStatus(status: NeckStatusDeliveryDto, updatedAt = new Date().toISOString()): void {
    const entry = this.peers.get(status.peerId);
    if (entry) entry.status = { delivery: status, updatedAt };
  }

  /** The last status of every neck that sent one, as delivered. */
  statuses(): NeckStatusDeliveryDto[] {
    return this.neckStatuses().map(({ delivery }) => delivery);
  }

  /** The same, with when each arrived: `GET /`'s necks, from every hub. */
  withStatus(): NeckHealthDto[] {
    return this.neckStatuses().map(({ delivery, updatedAt }) => ({ ...delivery, updatedAt }));
  }

  /** Necks that have sent no status (the original Python agent). */
  quietNecks(): PeerInfoDto[] {
    const quiet: PeerInfoDto[] = [];
    for (const [sid, info] of this.byRole.neck) if (!this.peers.get(sid)?.status) quiet.push(info);
    return quiet;
  }

  private neckStatuses(): { delivery: NeckStatusDeliveryDto; updatedAt: string }[] {
    const statuses: { delivery: NeckStatusDeliveryDto; updatedAt: string }[] = [];
    for (const sid of this.byRole.neck.keys()) {
      const status = this.peers.get(sid)?.status;
      if (status) statuses.push(status);
    }
    return statuses;
  }

  /** This hub's own peers and their statuses, for a hub that asks (RegistrySync). */
  localSnapshot(): { peers: PeerInfoDto[]; roleless: string[]; statuses: NeckHealthDto[] } {
    const peers: PeerInfoDto[] = [];
    const roleless: string[] = [];
    const statuses: NeckHealthDto[] = [];
    for (const entry of this.peers.values()) {
      if (entry.hubId !== this.hubId) continue;
      peers.push(entry.info);
      if (entry.roleless) roleless.push(entry.info.id);
      if (entry.status) statuses.push({ ...entry.status.delivery, updatedAt: entry.status.updatedAt });
    }
    return { peers, roleless, statuses };
  }

  private emit(change: RegistryChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

function sameRoles(a: readonly Role[], b: readonly Role[]): boolean {
  return a.length === b.length && a.every((role) => b.includes(role));
}
