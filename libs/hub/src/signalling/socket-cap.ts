import { Logger } from '@nestjs/common';
import type { ExtendedError } from 'socket.io';
import { refuse } from './handshake-auth';
import type { HubSocket } from './hub-socket';
import type { PeerRegistry } from './peer-registry';

/**
 * At most `max` sockets per uuid, counted on every hub (the registry knows them all): each costs the hub memory
 * and every observer a join to hear of, and more than a person or a robot needs is a flood. Refused at the
 * handshake, after the token check, with a reason the client shows. Sockets let through but not yet in the
 * registry are counted too, so that a burst of handshakes cannot all slip under the cap.
 */
export class SocketCap {
  private readonly arriving = new Map<string, number>();
  private readonly pending = new WeakSet<HubSocket>();

  constructor(
    private readonly registry: PeerRegistry,
    private readonly max: number,
    private readonly logger: Logger,
  ) {}

  /** Socket.IO middleware. */
  readonly middleware = (socket: HubSocket, next: (error?: ExtendedError) => void): void => {
    const { uuid } = socket.data;
    if (this.registry.socketsOf(uuid) + (this.arriving.get(uuid) ?? 0) >= this.max) {
      this.logger.warn(`connection refused: ${uuid} already has ${this.max} sockets`);
      refuse(
        socket,
        next,
        `too many connections: ${uuid} already has ${this.max} sockets open (the hub's max_sockets_per_uuid); ` +
          `close one, or connect with another uuid`,
      );
      return;
    }
    this.arriving.set(uuid, (this.arriving.get(uuid) ?? 0) + 1);
    this.pending.add(socket);
    socket.conn.once('close', () => this.arrived(socket));
    next();
  };

  /** The socket is in the registry now (or never will be): it no longer counts as arriving. */
  arrived(socket: HubSocket): void {
    if (!this.pending.delete(socket)) return;
    const left = (this.arriving.get(socket.data.uuid) ?? 1) - 1;
    if (left > 0) this.arriving.set(socket.data.uuid, left);
    else this.arriving.delete(socket.data.uuid);
  }
}
