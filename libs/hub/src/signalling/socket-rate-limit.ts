import { BurstyRateLimiter, RateLimiterMemory } from 'rate-limiter-flexible';
import { Events } from '@neck-signal/protocol';
import { errorMessage } from './error-message';
import { HubSocket, isNeck } from './hub-socket';

/** How many seconds' worth of messages a socket may send at once, beyond its rate (a backlog after a stall). */
const BURST_SECONDS = 3;
/** Over how long the burst allowance refills, s. */
const BURST_WINDOW_SECONDS = 10;
/** Commands a neck is sent: each earns it one ack beyond its rate. */
const COMMAND_DELIVERIES: ReadonlySet<string> = new Set([Events.NeckCommand, Events.PeerMessage]);

/**
 * Limits each identity — all the sockets of one uuid together, so that opening more sockets buys no more — to
 * `perSecond` incoming messages, with a burst allowance for the backlog a frozen hub or a stalled link releases
 * at once. Excess messages are dropped and the sender gets one `error-message`
 * RATE_LIMITED per second, so a flood is not answered with a flood; it carries the id of the message it was
 * sent for, when that one had one. A neck may always ack what it was sent: each command delivered to it earns
 * one `neck_ack` that does not count against its rate.
 */
export class SocketRateLimit {
  private readonly limiter: BurstyRateLimiter;
  private readonly lastWarning = new Map<string, number>();
  private readonly ackCredits = new Map<string, number>();

  constructor(private readonly perSecond: number) {
    // Keyed by uuid, whose counts expire by themselves: nothing to clean up when a socket leaves.
    this.limiter = new BurstyRateLimiter(
      new RateLimiterMemory({ points: perSecond, duration: 1 }),
      new RateLimiterMemory({ points: perSecond * BURST_SECONDS, duration: BURST_WINDOW_SECONDS }),
    );
  }

  attach(socket: HubSocket): void {
    if (isNeck(socket)) {
      socket.onAnyOutgoing((event: string) => {
        if (COMMAND_DELIVERIES.has(event)) this.ackCredits.set(socket.id, (this.ackCredits.get(socket.id) ?? 0) + 1);
      });
    }
    socket.use(([event, payload], next) => {
      if (event === Events.NeckAck && this.spendAckCredit(socket.id)) {
        next();
        return;
      }
      this.limiter.consume(socket.data.uuid).then(
        () => next(),
        () => this.warn(socket, event, payload),
      );
    });
    socket.on('disconnect', () => {
      this.lastWarning.delete(socket.id);
      this.ackCredits.delete(socket.id);
    });
  }

  private spendAckCredit(sid: string): boolean {
    const credits = this.ackCredits.get(sid) ?? 0;
    if (credits <= 0) return false;
    this.ackCredits.set(sid, credits - 1);
    return true;
  }

  private warn(socket: HubSocket, event: string, payload: unknown): void {
    const now = Date.now();
    if (now - (this.lastWarning.get(socket.id) ?? 0) < 1000) return;
    this.lastWarning.set(socket.id, now);
    const message = `more than ${this.perSecond} messages per second; messages are being dropped`;
    socket.emit(Events.ErrorMessage, errorMessage('RATE_LIMITED', message, event, payload));
  }
}
