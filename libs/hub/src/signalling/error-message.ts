import { ErrorMessageDto, Events, HubErrorCode, validatePayload } from '@neck-signal/protocol';

/** Events whose payload `id` is the sender's own correlation id, so an error answering one carries it back. */
const COMMAND_EVENTS: ReadonlySet<string> = new Set([
  Events.BroadcastMessage,
  Events.PeerMessage,
  Events.NeckCommand,
  Events.RecordingsRequest,
]);

/** A refusal a message handler throws; the gateway answers the sender with `error-message {code, message, id?}`. */
export class HubError extends Error {
  constructor(
    readonly code: HubErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function hubError(code: HubErrorCode, message: string): HubError {
  return new HubError(code, message);
}

/**
 * The `error-message` answering the payload a peer emitted as `event`: with that payload's `id` when it is a
 * broadcast-message, peer-message or neck_command whose id is valid, so the sender knows which command failed.
 */
export function errorMessage(code: HubErrorCode, message: string, event: string, payload: unknown): ErrorMessageDto {
  const plain: ErrorMessageDto = { code, message };
  if (!COMMAND_EVENTS.has(event) || typeof payload !== 'object' || payload === null || !('id' in payload)) {
    return plain;
  }
  const { id } = payload;
  if (typeof id !== 'string') return plain;
  return validatePayload(ErrorMessageDto, { ...plain, id }).ok ? { ...plain, id } : plain;
}
