import { RateLimiterMemory } from 'rate-limiter-flexible';
import { Events } from '@neck-signal/protocol';
import { errorMessage } from './error-message';
import { HubSocket } from './hub-socket';

/**
 * Limits each socket to `perSecond` incoming messages. Excess messages are dropped and the sender gets one
 * `error-message` RATE_LIMITED per second, so a flood is not answered with a flood; it carries the id of the
 * message it was sent for, when that one had one.
 */
export class SocketRateLimit {
  private readonly limiter: RateLimiterMemory;
  private readonly lastWarning = new Map<string, number>();

  constructor(private readonly perSecond: number) {
    this.limiter = new RateLimiterMemory({ points: perSecond, duration: 1 });
  }

  attach(socket: HubSocket): void {
    socket.use(([event, payload], next) => {
      this.limiter.consume(socket.id).then(
        () => next(),
        () => this.warn(socket, event, payload),
      );
    });
    socket.on('disconnect', () => {
      this.lastWarning.delete(socket.id);
      void this.limiter.delete(socket.id);
    });
  }

  private warn(socket: HubSocket, event: string, payload: unknown): void {
    const now = Date.now();
    if (now - (this.lastWarning.get(socket.id) ?? 0) < 1000) return;
    this.lastWarning.set(socket.id, now);
    const message = `more than ${this.perSecond} messages per second; messages are being dropped`;
    socket.emit(Events.ErrorMessage, errorMessage('RATE_LIMITED', message, event, payload));
  }
}
