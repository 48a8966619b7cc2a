import { Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { HubSettings } from '../config/hub-settings';

/** One key for the whole hub: behind the tunnel every request comes from 127.0.0.1. */
const HUB_KEY = 'hub';

/**
 * Counts failed logins across the whole hub in a fixed window. Once the limit is reached every login is
 * refused (even the right password) until the window has passed.
 */
@Injectable()
export class LoginLimiter {
  private readonly failures: RateLimiterMemory;

  constructor(private readonly settings: HubSettings) {
    this.failures = new RateLimiterMemory({
      points: settings.auth.maxFailedLogins,
      duration: settings.auth.failedLoginWindowSeconds,
    });
  }

  /** Milliseconds until logins are accepted again, or 0 when they are accepted now. */
  async blockedForMs(): Promise<number> {
    const state = await this.failures.get(HUB_KEY);
    if (!state || state.consumedPoints < this.settings.auth.maxFailedLogins) return 0;
    return Math.max(1, state.msBeforeNext);
  }

  /** Records a failure; returns how many are left in this window. */
  async recordFailure(): Promise<number> {
    try {
      const state = await this.failures.consume(HUB_KEY);
      return state.remainingPoints;
    } catch (result) {
      if (result instanceof RateLimiterRes) return 0;
      throw result;
    }
  }
}
