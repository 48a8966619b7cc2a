import type { HubErrorCode } from '@neck-signal/protocol';

/** Base class of every error the hub client throws or rejects with. */
export class HubClientError extends Error {
  override readonly name: string = 'HubClientError';
}

/**
 * Why a login attempt failed: `unreachable` (no answer, a network error, or a proxy/tunnel saying the hub is
 * gone), `wrong-password` (401), `key-refused` (401 for a device key: unknown, revoked, or paired for another
 * role), `throttled` (429: too many failed logins) or `rejected` (anything else: 400, 404, a reply that is not a
 * hub's).
 */
export type LoginFailureReason = 'unreachable' | 'wrong-password' | 'key-refused' | 'throttled' | 'rejected';

/** A failed `POST /login`; the message says what happened and what to do. */
export class LoginError extends HubClientError {
  override readonly name = 'LoginError';
  /** HTTP status, when the hub (or something in front of it) answered. */
  readonly status?: number;
  /** Seconds the hub asked us to wait (Retry-After), when throttled. */
  readonly retryAfterSeconds?: number;

  constructor(
    readonly reason: LoginFailureReason,
    message: string,
    details: { status?: number; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.status !== undefined) this.status = details.status;
    if (details.retryAfterSeconds !== undefined) this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** The hub answered a command with `error-message {code, message, id}` (NO_NECK, UNKNOWN_TARGET, RATE_LIMITED…). */
export class HubError extends HubClientError {
  override readonly name = 'HubError';

  constructor(
    readonly code: HubErrorCode,
    message: string,
    /** Correlation id of the command the error answers. */
    readonly commandId: string,
  ) {
    super(message);
  }
}

/** No `neck_ack` with the command's id arrived in time. */
export class AckTimeoutError extends HubClientError {
  override readonly name = 'AckTimeoutError';

  constructor(
    readonly command: string,
    readonly commandId: string,
    /** The timeout that passed, in ms. */
    readonly timeoutMs: number,
  ) {
    super(
      `no neck_ack for "${command}" (id ${commandId}) within ${timeoutMs} ms; ` +
        'is a neck connected to the hub (see peers()) and is its agent running?',
    );
  }
}

/** A command was sent while the client was not connected, or the connection dropped before its ack came. */
export class NotConnectedError extends HubClientError {
  override readonly name = 'NotConnectedError';
}

/** `close()` was called while this was in progress. */
export class ClientClosedError extends HubClientError {
  override readonly name = 'ClientClosedError';

  constructor(what: string) {
    super(`${what}: the hub client was closed`);
  }
}
