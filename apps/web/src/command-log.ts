import type { NeckAckDeliveryDto } from '@neck-signal/protocol';
import type { CommandTimeline } from '@neck-signal/protocol/timeline';
import { describeAckTiming } from './ack-timing';
import { clockTime, html } from './dom';

/** Entries kept on screen; older ones are dropped (a slider stream sends up to 50 a second). */
const MAX_ENTRIES = 200;

/** One sent command: its line, then the status word of each ack as it arrives. */
export class CommandEntry {
  private readonly status: HTMLSpanElement;
  private meta: HTMLElement;
  private readonly detail: HTMLSpanElement;

  constructor(
    readonly element: HTMLLIElement,
    private readonly line: string,
    private readonly nameOf: (sid: string) => string,
  ) {
    this.status = html('span', 'status status-sending', 'sending…');
    this.meta = html('span', 'meta');
    this.detail = html('span', 'detail');
    element.append(this.status, this.meta, this.detail);
  }

  /**
   * The first ack: its status word, the round trip and, when it differs, the line the neck wrote. Where the time
   * went (`in 12 ms (hub 1, link 4, …)`) shows on hover (the entry's title) and, for touch, when the round trip is
   * tapped open.
   */
  acknowledged(ack: NeckAckDeliveryDto, roundTripMs: number, timeline?: CommandTimeline): void {
    this.setStatus(ack.status);
    const summary = `${Math.round(roundTripMs)} ms · ${this.nameOf(ack.peerId)}`;
    const timing = describeAckTiming(roundTripMs, timeline);
    this.element.title = timing;
    const meta =
      timeline === undefined
        ? html('span', 'meta', summary)
        : html('details', 'meta timing', html('summary', '', summary), html('span', 'timing-detail', timing));
    this.meta.replaceWith(meta);
    this.meta = meta;
    this.detail.textContent = describeAck(ack, this.line);
  }

  /** Another neck's ack for the same command (sent to all necks). */
  alsoAcknowledged(ack: NeckAckDeliveryDto): void {
    const more = html('span', `status status-${ack.status}`, ack.status);
    this.element.append(html('span', 'meta', `also ${this.nameOf(ack.peerId)}: `), more);
    const why = describeAck(ack, this.line);
    if (why !== '') this.element.append(html('span', 'detail', why));
  }

  /** No ack: the hub refused it, the connection dropped, or nothing answered in time. */
  failed(reason: string): void {
    this.setStatus('failed');
    this.detail.textContent = reason;
  }

  private setStatus(word: string): void {
    this.status.className = `status status-${word}`;
    this.status.textContent = word;
  }
}

/** The log of sent commands with their acks, and of the firmware's output lines; newest first. */
export class CommandLog {
  constructor(
    private readonly list: HTMLOListElement,
    private readonly nameOf: (sid: string) => string,
  ) {}

  command(line: string, target: string): CommandEntry {
    const item = this.add('entry entry-command', html('code', 'line', line), html('span', 'target', `→ ${target}`));
    return new CommandEntry(item, line, this.nameOf);
  }

  /** A line the firmware of neck `peerId` printed. */
  output(peerId: string, line: string): void {
    this.add('entry entry-output', html('span', 'target', this.nameOf(peerId)), html('samp', 'line', line));
  }

  /** Something about the connection, e.g. "connected". */
  note(text: string): void {
    this.add('entry entry-note', html('span', 'line', text));
  }

  clear(): void {
    this.list.replaceChildren();
  }

  private add(className: string, ...children: Node[]): HTMLLIElement {
    const item = html('li', className, html('time', '', clockTime()), ...children);
    this.list.prepend(item);
    while (this.list.childElementCount > MAX_ENTRIES) this.list.lastElementChild?.remove();
    return item;
  }
}

/** Why an ack says what it says, for a person; empty when its status word says it all. */
export function describeAck(ack: NeckAckDeliveryDto, sent: string): string {
  switch (ack.status) {
    case 'rejected':
    case 'stale':
      return ack.error ? `${ack.error.code}: ${ack.error.message}` : `${ack.status} by the neck`;
    case 'applied':
      return '';
    case 'superseded':
      return 'a newer pose replaced it before it was written';
    case 'written':
      return ack.command === sent ? '' : `wrote ${ack.command}`;
  }
}
