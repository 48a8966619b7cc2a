import { showError } from './dom';
import type { SendOutcome } from './command-sender';

const HISTORY = 50;

/**
 * A command line for anything the firmware takes. The text is checked with the firmware grammar before it is
 * sent: an invalid line shows why and sends nothing. ArrowUp and ArrowDown walk through the lines sent.
 */
export function wireCommandConsole(
  form: HTMLFormElement,
  input: HTMLInputElement,
  error: HTMLElement,
  send: (line: string) => SendOutcome,
): void {
  const history: string[] = [];
  let position = 0;
  const clearError = () => {
    input.removeAttribute('aria-invalid');
    showError(error, '');
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value;
    const outcome = send(text);
    if (!outcome.ok) {
      input.setAttribute('aria-invalid', 'true');
      showError(error, outcome.error);
      return;
    }
    clearError();
    if (history.at(-1) !== text) history.push(text);
    if (history.length > HISTORY) history.shift();
    position = history.length;
    input.value = '';
  });
  input.addEventListener('input', clearError);
  input.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
    event.preventDefault();
    position = Math.max(0, Math.min(history.length, position + (event.key === 'ArrowUp' ? -1 : 1)));
    input.value = history[position] ?? '';
  });
}
