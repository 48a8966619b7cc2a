import type { NeckStatusDeliveryDto, PeerInfoDto } from '@neck-signal/protocol';
import { formatHeadPose } from '@neck-signal/protocol/firmware';
import { html } from './dom';

const ALL_NECKS = '';

/**
 * The peers on the hub and each neck's latest neck_status: the neck choice (every neck, or one) with the state of
 * the neck shown, and the list of peers (folded away under its count). Listeners hear about every change (the
 * platform picture and the sliders follow the neck shown).
 */
export class NeckDirectory {
  private readonly peers = new Map<string, PeerInfoDto>();
  private readonly statuses = new Map<string, NeckStatusDeliveryDto>();
  private readonly listeners = new Set<() => void>();
  private self: { sid: string; uuid: string } | undefined;

  constructor(
    private readonly list: HTMLUListElement,
    private readonly select: HTMLSelectElement,
    /** The state of the neck shown: serial, firmware, pose. */
    private readonly summary: HTMLElement,
    /** The folded list's title, with the count of peers. */
    private readonly listTitle: HTMLElement,
  ) {
    select.addEventListener('change', () => this.changed());
    this.render();
  }

  /** Sid of the neck commands go to, or undefined for every neck. */
  target(): string | undefined {
    const value = this.select.value;
    return value === ALL_NECKS || !this.peers.has(value) ? undefined : value;
  }

  /** How the log names where a command went. */
  targetName(): string {
    const target = this.target();
    return target === undefined ? 'all necks' : this.nameOf(target);
  }

  /** The uuid of a peer, or its sid when unknown. */
  nameOf(sid: string): string {
    return this.peers.get(sid)?.uuid ?? this.statuses.get(sid)?.uuid ?? sid;
  }

  /** The status of the neck shown in the picture: the chosen one, else the first that reported. */
  shownStatus(): NeckStatusDeliveryDto | undefined {
    const target = this.target();
    if (target !== undefined) return this.statuses.get(target);
    return [...this.statuses.values()].find((status) => this.peers.has(status.peerId));
  }

  neckCount(): number {
    return this.necks().length;
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Everyone else on the hub (existing-peers), and who we are. */
  reset(peers: PeerInfoDto[], self?: { sid: string; uuid: string }): void {
    this.peers.clear();
    for (const peer of peers) this.peers.set(peer.id, peer);
    for (const sid of [...this.statuses.keys()]) if (!this.peers.has(sid)) this.statuses.delete(sid);
    this.self = self;
    this.changed();
  }

  joined(peer: PeerInfoDto): void {
    this.peers.set(peer.id, peer);
    this.changed();
  }

  left(sid: string): void {
    this.peers.delete(sid);
    this.statuses.delete(sid);
    this.changed();
  }

  status(status: NeckStatusDeliveryDto): void {
    this.statuses.set(status.peerId, status);
    this.changed();
  }

  private necks(): PeerInfoDto[] {
    return [...this.peers.values()].filter((peer) => peer.roles.includes('neck'));
  }

  private changed(): void {
    this.render();
    for (const listener of [...this.listeners]) listener();
  }

  private render(): void {
    const chosen = this.select.value;
    const necks = this.necks();
    const options = [new Option(necks.length === 0 ? 'All necks (none connected)' : 'All necks', ALL_NECKS)];
    for (const neck of necks) options.push(new Option(`neck ${neck.uuid}`, neck.id));
    this.select.replaceChildren(...options);
    this.select.value = necks.some((neck) => neck.id === chosen) ? chosen : ALL_NECKS;

    const items: HTMLLIElement[] = [];
    if (this.self) items.push(peerItem('you', this.self.uuid, ['ui']));
    for (const neck of necks) items.push(this.neckItem(neck));
    for (const peer of this.peers.values()) {
      if (!peer.roles.includes('neck')) items.push(peerItem(peer.roles.join(', '), peer.uuid, peer.roles));
    }
    if (items.length === 0) items.push(html('li', 'peer empty', 'Not connected.'));
    this.list.replaceChildren(...items);
    const others = this.peers.size;
    this.listTitle.textContent = `Peers on the hub: you and ${others} other${others === 1 ? '' : 's'}`;
    this.renderSummary(necks.length);
  }

  /** The neck shown, in a few words: which, its serial port, its firmware, its pose. */
  private renderSummary(necks: number): void {
    const status = this.shownStatus();
    if (!status) {
      this.summary.replaceChildren(
        html('span', 'serial serial-unknown', necks === 0 ? 'No neck connected.' : 'No status from the neck yet.'),
      );
      return;
    }
    const { serial, firmware } = status;
    const doing = firmware.state === 'booting' || firmware.state === 'homing' ? `${firmware.state}…` : firmware.state;
    this.summary.replaceChildren(
      html('strong', 'neck-name', `neck ${status.uuid}`),
      html('span', `serial serial-${serial.state}`, serial.state === 'open' ? 'serial open' : 'serial down'),
      html('span', `firmware firmware-${firmware.state}`, `firmware ${doing}`),
      html('code', 'pose', status.pose ? formatHeadPose(status.pose) : 'pose unknown'),
    );
  }

  /** `you` for this page's own uuid, else the uuid. */
  private youOr(uuid: string): string {
    return uuid === this.self?.uuid ? 'you' : uuid;
  }

  private neckItem(neck: PeerInfoDto): HTMLLIElement {
    const item = peerItem('neck', neck.uuid, neck.roles);
    const status = this.statuses.get(neck.id);
    if (!status) {
      item.append(html('div', 'serial serial-unknown', 'no status yet'));
      return item;
    }
    const { serial } = status;
    const state =
      serial.state === 'open'
        ? `serial open · ${serial.path ?? '?'} · ${serial.baud} baud`
        : `serial down${serial.error ? `: ${serial.error}` : ''}`;
    item.append(html('div', `serial serial-${serial.state}`, state));
    item.append(html('div', 'pose', 'pose ', html('code', '', status.pose ? formatHeadPose(status.pose) : 'unknown')));
    const firmwareState = status.firmware.state;
    const doing = firmwareState === 'booting' || firmwareState === 'homing' ? `${firmwareState}…` : firmwareState;
    const kind = status.firmware.answersHealth === false ? ' · legacy firmware (no HEALTH)' : '';
    item.append(html('div', `firmware firmware-${firmwareState}`, `firmware ${doing}${kind}`));
    const { control } = status;
    const who = control.stopped
      ? `STOPPED by ${this.youOr(control.stoppedBy ?? '?')}`
      : control.holder
        ? `control: ${this.youOr(control.holder.uuid)}`
        : 'control: free';
    item.append(html('div', `control control-${control.stopped ? 'stopped' : control.holder ? 'held' : 'free'}`, who));
    const firmware = status.health
      ? `firmware ${status.health.role || status.health.device}`
      : 'firmware not heard yet';
    item.append(html('div', 'queue', `queue ${status.queueDepth} · ${firmware}`));
    return item;
  }
}

function peerItem(kind: string, uuid: string, roles: readonly string[]): HTMLLIElement {
  const roleClass = roles.includes('neck') ? 'peer-neck' : 'peer-other';
  return html('li', `peer ${roleClass}`, html('span', 'peer-kind', kind), ' ', html('strong', 'peer-uuid', uuid));
}
