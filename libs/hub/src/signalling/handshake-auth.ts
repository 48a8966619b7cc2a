import { Logger } from '@nestjs/common';
import type { ExtendedError } from 'socket.io';
import { TokenService } from '../auth/token.service';
import { HubSocket } from './hub-socket';

/**
 * Socket.IO middleware: a connection needs `auth: {token}` with a valid hub token. Anything else is refused
 * here, at the handshake (the client gets `connect_error`), so no connection handler ever sees it.
 */
export function handshakeAuth(tokens: TokenService, logger: Logger) {
  return (socket: HubSocket, next: (error?: ExtendedError) => void): void => {
    const auth: unknown = socket.handshake.auth;
    const token = typeof auth === 'object' && auth !== null && 'token' in auth ? auth.token : undefined;
    if (typeof token !== 'string' || token === '') {
      next(new Error('unauthorized: no token; POST /login first and connect with auth: {token}'));
      return;
    }
    try {
      const claims = tokens.verify(token);
      socket.data = { uuid: claims.sub, roles: claims.roles };
      next();
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'invalid token';
      logger.warn(`connection refused: ${reason}`);
      next(new Error(`unauthorized: ${reason}; log in again`));
    }
  };
}
