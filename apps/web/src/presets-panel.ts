import type { NeckStatusDeliveryDto } from '@neck-signal/protocol';
import { POSE_NAME } from '@neck-signal/protocol/motion-commands';
import type { SendOutcome } from './command-sender';
import { html, showError } from './dom';
import { SMOOTH_MS } from './smooth-switch';

/**
 * Presets: the named poses the shown neck keeps (`POSE SAVE`, listed in its neck_status). A preset's button sends
 * `POSE GO NAME`, eased over SMOOTH_MS when the "smooth" switch is on and at once (IN 0) when it is off; the form
 * saves the pose the neck last wrote under a new name.
 */
export class PresetsPanel {
  private shown = '';

  constructor(
    private readonly elements: {
      list: HTMLUListElement;
      form: HTMLFormElement;
      name: HTMLInputElement;
      status: HTMLElement;
      error: HTMLElement;
      smooth: HTMLInputElement;
    },
    private readonly send: (line: string) => SendOutcome,
  ) {
    elements.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.save();
    });
  }

  /** Lists the poses of the neck shown (none when it reports none, or is an older agent). */
  show(status: NeckStatusDeliveryDto | undefined): void {
    const poses = status?.poses;
    const key = JSON.stringify([status?.peerId, poses]);
    if (key === this.shown) return;
    this.shown = key;
    this.elements.list.replaceChildren(...(poses ?? []).map((name) => this.item(name)));
    this.elements.status.textContent = !status
      ? 'no neck reports its poses yet'
      : poses === undefined
        ? `neck ${status.uuid} does not report its poses (an older agent)`
        : poses.length === 0
          ? 'no presets saved yet'
          : '';
  }

  private item(name: string): HTMLLIElement {
    const go = html('button', 'quiet', name);
    go.type = 'button';
    go.setAttribute('aria-label', `Go to preset ${name}`);
    go.addEventListener('click', () => {
      const outcome = this.send(`POSE GO ${name} IN ${this.elements.smooth.checked ? SMOOTH_MS : 0}`);
      showError(this.elements.error, outcome.ok ? '' : outcome.error);
    });
    return html('li', 'preset', go);
  }

  private save(): void {
    const name = this.elements.name.value.trim();
    if (!POSE_NAME.test(name)) {
      showError(this.elements.error, 'a preset name is 1-32 letters, digits, _ or - (nothing sent)');
      return;
    }
    const outcome = this.send(`POSE SAVE ${name}`);
    showError(this.elements.error, outcome.ok ? '' : outcome.error);
    if (outcome.ok) this.elements.name.value = '';
  }
}
