import { payloadBoundRefusal } from '@neck-signal/protocol';

/** Why something the hub sent was dropped: which event, and the reason (a bound it broke, or a handler's error). */
export interface RefusedInput {
  event: string;
  reason: string;
}

/**
 * `handler`, guarded for input from the hub: a payload nested too deep, too large or not plain data is dropped
 * before anything walks it, and a handler that throws is caught. Both are told to `refused`; neither reaches
 * socket.io-client, which would pass the exception up and end the process (issue 17: a compromised or impostor
 * hub must not end the agent).
 */
export function guardInput<H extends (...args: never[]) => void>(
  event: string,
  handler: H,
  refused: (input: RefusedInput) => void,
): H {
  const run = handler as unknown as (...args: unknown[]) => void;
  const guarded = (...args: unknown[]): void => {
    let reason: string | undefined;
    try {
      reason = args.map((arg) => payloadBoundRefusal(arg)).find((refusal) => refusal !== undefined);
      if (reason === undefined) run(...args);
    } catch (error) {
      reason = `a handler failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (reason === undefined) return;
    try {
      refused({ event, reason });
    } catch {
      // A listener of the refusal that throws is not the hub's input: nothing more to do than drop it.
    }
  };
  return guarded as unknown as H;
}
