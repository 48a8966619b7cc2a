import { Injectable, Logger } from '@nestjs/common';
import { RedisStatusDto } from '@neck-signal/protocol';
import type { RedisClient } from './redis-adapter';
import { redactUrl } from './redis-adapter';

/**
 * Whether this hub reaches Redis, judged from every client it holds (the adapter's publisher and subscriber, the
 * device store): `up` when all are ready, else `down`. Each outage is logged once when it starts and once when
 * it ends; `GET /` shows the state; listeners of `onRestored` (the registry sync) resync when Redis is back. The
 * clients themselves keep retrying (createRedisClient), so an outage never ends the hub.
 */
@Injectable()
export class RedisHealth {
  private readonly logger = new Logger('Redis');
  private readonly ready = new Map<string, boolean>();
  private readonly upListeners = new Set<() => void>();
  private current: RedisStatusDto = { state: 'down', since: new Date().toISOString(), lastError: null };
  private url: string | undefined;
  private warned = false;

  /** Follows a client's connection; `name` says which one in the log. */
  watch(name: string, client: RedisClient, url: string): void {
    this.url = url;
    this.ready.set(name, client.isReady);
    client.on('ready', () => this.set(name, true, false));
    client.on('end', () => this.set(name, false, false));
    // Without an 'error' listener an EventEmitter throws the error: Redis going away would end the hub.
    client.on('error', (error: Error) => {
      this.current = { ...this.current, lastError: error.message || error.name };
      this.set(name, client.isReady, true);
    });
  }

  /** Stops following a client (closed with the hub). */
  forget(name: string): void {
    this.ready.delete(name);
  }

  /**
   * Calls `listener` each time every client is ready: when they first connect, and when Redis answers again
   * after an outage (what other hubs were told meanwhile was lost). Returns a function that removes it.
   */
  onUp(listener: () => void): () => void {
    this.upListeners.add(listener);
    return () => this.upListeners.delete(listener);
  }

  /** For `GET /`; undefined when the hub runs without Redis. */
  status(): RedisStatusDto | undefined {
    return this.url === undefined ? undefined : { ...this.current };
  }

  get isUp(): boolean {
    return this.current.state === 'up';
  }

  private set(name: string, ready: boolean, failed: boolean): void {
    if (!this.ready.has(name)) return;
    this.ready.set(name, ready);
    const up = [...this.ready.values()].every(Boolean);
    if (up && !this.isUp) {
      this.current = { state: 'up', since: new Date().toISOString(), lastError: this.current.lastError };
      if (this.warned) this.logger.log(`Redis at ${this.where()} answers again: resyncing peers with the other hubs`);
      this.warned = false;
      for (const listener of this.upListeners) listener();
    } else if (!up && this.isUp) {
      this.current = { state: 'down', since: new Date().toISOString(), lastError: this.current.lastError };
      this.warnOnce();
    } else if (!up && failed) {
      this.warnOnce();
    }
  }

  /** One warning per outage, however many clients fail and however often they retry. */
  private warnOnce(): void {
    if (this.warned) return;
    this.warned = true;
    this.logger.warn(
      `Redis at ${this.where()} cannot be reached (${this.current.lastError ?? 'connection lost'}); retrying. ` +
        `Meanwhile this hub serves its own peers only: nothing reaches or comes from other hubs' peers, and ` +
        `device-key logins are refused (503; the shared password still logs in)`,
    );
  }

  private where(): string {
    return this.url === undefined ? 'the configured URL' : redactUrl(this.url);
  }
}
