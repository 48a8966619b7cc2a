import { parseNeckCommand } from '@neck-signal/protocol/firmware';
import type { SendOutcome, Settled } from './command-sender';

/** How long the neck takes over each smoothed move, ms: about the gap between slider events a hand makes. */
export const SMOOTH_MS = 400;

/**
 * With the "smooth" switch on, a head pose becomes `GOTO pose IN 400 EASE MINJERK`: the agent eases from where the
 * head is, and each newer move takes over from where the last one got to. Other lines go as they are.
 */
export function smoothed(
  toggle: HTMLInputElement,
  send: (line: string, settled?: (how: Settled) => void) => SendOutcome,
): (line: string, settled?: (how: Settled) => void) => SendOutcome {
  return (line, settled) => {
    const parsed = toggle.checked ? parseNeckCommand(line) : undefined;
    if (parsed?.ok && parsed.command.kind === 'head') return send(`GOTO ${parsed.line} IN ${SMOOTH_MS}`, settled);
    return send(line, settled);
  };
}
