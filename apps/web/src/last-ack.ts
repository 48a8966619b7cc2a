import type { NeckAckDeliveryDto } from '@neck-signal/protocol';
import { describeAck } from './command-log';
import { html } from './dom';

/**
 * The answer to the last command, next to STOP and HOME: on a phone the log is screens below, and a press must
 * show at once what the neck made of it.
 */
export class LastAck {
  constructor(private readonly element: HTMLElement) {
    this.clear();
  }

  acknowledged(line: string, ack: NeckAckDeliveryDto, roundTripMs: number): void {
    const why = describeAck(ack, line);
    this.show(line, ack.status, `${Math.round(roundTripMs)} ms${why === '' ? '' : ` · ${why}`}`);
  }

  failed(line: string, reason: string): void {
    this.show(line, 'failed', reason);
  }

  clear(): void {
    this.element.replaceChildren(html('span', 'hint', 'The answer to your last command shows here.'));
  }

  private show(line: string, status: string, detail: string): void {
    this.element.replaceChildren(
      html('code', 'line', line),
      ' ',
      html('span', `status status-${status}`, status),
      ' ',
      html('span', 'detail', detail),
    );
  }
}
