import { Logger } from '@nestjs/common';
import type { ExtendedError } from 'socket.io';
import { DeviceStore } from '../auth/device-store';
import { TokenService, VerifiedToken } from '../auth/token.service';
import { HubSocket } from './hub-socket';

/** Why a token cannot be used now (expired, bad signature, revoked…), or undefined. */
export async function tokenRefusal(
  tokens: TokenService,
  devices: DeviceStore,
  token: unknown,
): Promise<{ ok: true; claims: VerifiedToken } | { ok: false; reason: string }> {
  if (typeof token !== 'string' || token === '') {
    return { ok: false, reason: 'no token; POST /login first and connect with auth: {token}' };
  }
  let claims: VerifiedToken;
  try {
    claims = tokens.verify(token);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : 'invalid token' };
  }
  if (claims.issuedAt <= (await devices.revokedAt(claims.sub))) {
    return { ok: false, reason: `device ${claims.sub} was revoked; pair again with the shared password` };
  }
  return { ok: true, claims };
}

/**
 * Socket.IO middleware: a connection needs `auth: {token}` with a valid hub token (not expired, not revoked).
 * Anything else is refused here, at the handshake (the client gets `connect_error`), and its connection is
 * closed at once so that refused connections cannot pile up.
 */
export function handshakeAuth(tokens: TokenService, devices: DeviceStore, logger: Logger) {
  return (socket: HubSocket, next: (error?: ExtendedError) => void): void => {
    const auth: unknown = socket.handshake.auth;
    const token = typeof auth === 'object' && auth !== null && 'token' in auth ? auth.token : undefined;
    tokenRefusal(tokens, devices, token).then(
      (result) => {
        if (result.ok) {
          const { sub, roles, expiresAt, roleless } = result.claims;
          socket.data = { uuid: sub, roles, expiresAt, roleless: roleless === true };
          next();
          return;
        }
        logger.warn(`connection refused: ${result.reason}`);
        refuse(socket, next, `unauthorized: ${result.reason}; log in again`);
      },
      (error: unknown) =>
        refuse(socket, next, `unauthorized: ${error instanceof Error ? error.message : 'cannot check the token'}`),
    );
  };
}

/** How long a refused client has to read why before its connection is discarded. */
const REFUSAL_GRACE_MS = 1_000;

/**
 * Refuses the handshake and closes the connection as soon as the refusal is handed to the transport (socket.io
 * sends it on the next tick). Over polling a client that never reads would never take it: its connection is
 * discarded after a moment. A polite close would wait for such a client for 30 s.
 */
export function refuse(socket: HubSocket, next: (error?: ExtendedError) => void, reason: string): void {
  next(new Error(reason));
  const discard = () => {
    clearTimeout(timer);
    if (socket.conn.readyState !== 'closed') socket.conn.close(true);
  };
  socket.conn.once('drain', discard);
  const timer = setTimeout(discard, REFUSAL_GRACE_MS);
  timer.unref();
}
