import type { HeadPose } from '@neck-signal/protocol/firmware';
import { formatNumber } from '@neck-signal/protocol/firmware';
import { numberField, showError } from './dom';
import type { SendOutcome } from './command-sender';

/** The components with the identity rotation as their start values. */
const COMPONENTS = [
  ['w', '1'],
  ['x', '0'],
  ['y', '0'],
  ['z', '0'],
] as const;

/**
 * Quaternion line `Q:w,x,y,z,H..,S..`: H and S keep the sliders' values (the firmware resets omitted ones). The
 * firmware reads only six values after `Q:`, so A cannot follow too: it runs at A1.
 */
export function quaternionLine(q: readonly [number, number, number, number], pose: Readonly<HeadPose>): string {
  const extras = (['H', 'S'] as const).map((axis) => `${axis}${formatNumber(pose[axis])}`);
  return `Q:${[...q.map((value) => formatNumber(value)), ...extras].join(',')}`;
}

/** The quaternion inputs w, x, y, z and their send button. */
export function wireQuaternionForm(
  form: HTMLFormElement,
  fields: HTMLElement,
  error: HTMLElement,
  pose: () => HeadPose,
  send: (line: string) => SendOutcome,
): void {
  const inputs = COMPONENTS.map(([name, value]) =>
    numberField(fields, `quaternion-${name}`, name, { step: 'any', value, name: `Quaternion ${name}` }),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = inputs.map((input) => (input.value.trim() === '' ? Number.NaN : Number(input.value)));
    const [w, x, y, z] = values;
    if (!values.every(Number.isFinite)) {
      showError(error, 'w, x, y and z must all be numbers');
      return;
    }
    const outcome = send(quaternionLine([w, x, y, z], pose()));
    showError(error, outcome.ok ? '' : outcome.error);
  });
}
