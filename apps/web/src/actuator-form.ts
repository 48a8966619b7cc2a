import { ACTUATOR_IDS, DEFAULT_NECK_LIMITS } from '@neck-signal/protocol/firmware';
import { numberField, showError } from './dom';
import type { SendOutcome } from './command-sender';

/** Six length inputs (mm, 0–80) sent as one direct actuator command, e.g. `1:55,2:60.5`; empty ones are left out. */
export function wireActuatorForm(
  form: HTMLFormElement,
  fields: HTMLElement,
  error: HTMLElement,
  send: (line: string) => SendOutcome,
): void {
  const { min, max } = DEFAULT_NECK_LIMITS.actuatorMm;
  const inputs = ACTUATOR_IDS.map((id) => ({
    id,
    input: numberField(fields, `actuator-${id}`, `Actuator ${id}`, { min, max, step: '0.1', placeholder: 'mm' }),
  }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const invalid = inputs.find(({ input }) => !input.validity.valid);
    if (invalid) {
      showError(error, `actuator ${invalid.id} takes a length in mm from ${min} to ${max}`);
      return;
    }
    const targets = inputs.filter(({ input }) => input.value.trim() !== '');
    if (targets.length === 0) {
      showError(error, 'enter the length of at least one actuator');
      return;
    }
    const outcome = send(targets.map(({ id, input }) => `${id}:${input.value.trim()}`).join(','));
    showError(error, outcome.ok ? '' : outcome.error);
  });
}
