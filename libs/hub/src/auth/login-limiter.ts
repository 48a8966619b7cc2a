import { Injectable } from '@nestjs/common';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { HubSettings } from '../config/hub-settings';

/** The longest a client identity is made to wait, s. */
const MAX_BLOCK_SECONDS = 15 * 60;
/** Identities remembered at most; an attack rotating uuids meets the hub-wide ceiling instead. */
const MAX_IDENTITIES = 10_000;
/** Failures a minute from one source address (where it means something) before it waits too. */
const PER_ADDRESS_PER_MINUTE = 60;

interface Record {
  failures: number;
  blockedUntil: number;
  lastFailureAt: number;
}

/**
 * Failed password logins, counted per client identity (its uuid, else its source address) with exponential
 * back-off: `maxFailedLogins` failures are free, then each one makes that identity wait 2, 4, 8 … s (at most
 * 15 min); a success or `failedLoginWindowSeconds` without failures forgets them. One misconfigured client
 * (a stale password retried every 3 s) only slows itself down. Above that, a hub-wide ceiling of
 * `maxFailedLoginsPerMinute` that only a real attack reaches refuses every password login for the rest of the
 * minute. Device keys never go through this, so paired devices are never locked out.
 */
@Injectable()
export class LoginLimiter {
  private readonly identities = new Map<string, Record>();
  private readonly hub: RateLimiterMemory;
  private readonly addresses: RateLimiterMemory;

  /** The clock, in ms (tests move it). */
  now: () => number = () => Date.now();

  constructor(private readonly settings: HubSettings) {
    this.hub = new RateLimiterMemory({ points: settings.auth.maxFailedLoginsPerMinute, duration: 60 });
    this.addresses = new RateLimiterMemory({ points: PER_ADDRESS_PER_MINUTE, duration: 60 });
  }

  /** Milliseconds this identity (from this address) must wait before a password login is tried, or 0. */
  async blockedForMs(identity: string, address: string | undefined): Promise<number> {
    const record = this.current(identity);
    const own = record ? Math.max(0, record.blockedUntil - this.now()) : 0;
    const hub = await this.hub.get('hub');
    const hubBlocked =
      hub && hub.consumedPoints >= this.settings.auth.maxFailedLoginsPerMinute ? Math.max(1, hub.msBeforeNext) : 0;
    const byAddress = address === undefined ? null : await this.addresses.get(address);
    const addressBlocked =
      byAddress && byAddress.consumedPoints >= PER_ADDRESS_PER_MINUTE ? Math.max(1, byAddress.msBeforeNext) : 0;
    return Math.max(own, hubBlocked, addressBlocked);
  }

  /** A wrong password from this identity; returns how long it must now wait (0 while its free tries last). */
  async recordFailure(identity: string, address: string | undefined): Promise<number> {
    const now = this.now();
    const record = this.current(identity) ?? { failures: 0, blockedUntil: 0, lastFailureAt: now };
    record.failures += 1;
    record.lastFailureAt = now;
    const over = record.failures - this.settings.auth.maxFailedLogins;
    if (over > 0) record.blockedUntil = now + Math.min(MAX_BLOCK_SECONDS, 2 ** over) * 1000;
    this.identities.delete(identity);
    this.identities.set(identity, record);
    if (this.identities.size > MAX_IDENTITIES) {
      const oldest = this.identities.keys().next();
      if (!oldest.done) this.identities.delete(oldest.value);
    }
    await this.hub.consume('hub').catch(() => undefined);
    if (address !== undefined) await this.addresses.consume(address).catch(() => undefined);
    return Math.max(0, record.blockedUntil - now);
  }

  /** A successful login: the identity's failures are forgotten. */
  recordSuccess(identity: string): void {
    this.identities.delete(identity);
  }

  private current(identity: string): Record | undefined {
    const record = this.identities.get(identity);
    if (!record) return undefined;
    if (this.now() - record.lastFailureAt > this.settings.auth.failedLoginWindowSeconds * 1000) {
      this.identities.delete(identity);
      return undefined;
    }
    return record;
  }
}
