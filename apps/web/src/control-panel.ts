import type { NeckStatusDeliveryDto } from '@neck-signal/protocol';
import { DIRECTIVE_LINES } from '@neck-signal/protocol/directives';
import type { SendOutcome } from './command-sender';
import { showError } from './dom';

/**
 * The neck's control: who holds it (or STOPPED), and the buttons STOP, RELEASE, Take control and Give up
 * control, which send the agent's directives. Says when this page lost control to another operator.
 */
export class ControlPanel {
  private heldByMe = false;

  constructor(
    private readonly state: HTMLElement,
    private readonly error: HTMLElement,
    buttons: { stop: HTMLButtonElement; release: HTMLButtonElement; take: HTMLButtonElement; yield: HTMLButtonElement },
    private readonly send: (line: string) => SendOutcome,
  ) {
    for (const [button, line] of [
      [buttons.stop, DIRECTIVE_LINES.stop],
      [buttons.release, DIRECTIVE_LINES.release],
      [buttons.take, DIRECTIVE_LINES.take],
      [buttons.yield, DIRECTIVE_LINES.yield],
    ] as const) {
      button.addEventListener('click', () => {
        const outcome = this.send(line);
        showError(this.error, outcome.ok ? '' : outcome.error);
      });
    }
  }

  /** Shows the control of the neck on screen (undefined: none chosen); `me` is this page's uuid. */
  show(status: NeckStatusDeliveryDto | undefined, me: string | undefined): void {
    if (!status) {
      this.state.textContent = 'No neck chosen.';
      this.state.dataset.state = 'none';
      return;
    }
    const { control } = status;
    const mine = control.holder !== null && control.holder.uuid === me;
    if (this.heldByMe && !mine && control.holder !== null) {
      showError(
        this.error,
        `${control.holder.uuid} took control of neck ${status.uuid}; press Take control to take it back`,
      );
    }
    this.heldByMe = mine;
    // The neck's name is in the summary above.
    if (control.stopped) {
      this.state.textContent = `STOPPED by ${control.stoppedBy ?? '?'} — no motion until RELEASE`;
      this.state.dataset.state = 'stopped';
    } else if (control.holder === null) {
      this.state.textContent = 'control free — the first to move takes it';
      this.state.dataset.state = 'free';
    } else {
      this.state.textContent = mine ? 'you hold control' : `control held by ${control.holder.uuid}`;
      this.state.dataset.state = mine ? 'mine' : 'held';
    }
  }
}
