import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { RedisClient } from './redis-adapter';
import { RedisHealth } from './redis-health';

/** What RedisHealth reads of a client: its events and whether it is ready. */
class FakeClient extends EventEmitter {
  isReady = false;

  ready(): void {
    this.isReady = true;
    this.emit('ready');
  }

  fail(message: string): void {
    this.isReady = false;
    this.emit('error', new Error(message));
  }
}

describe('RedisHealth', () => {
  let warnings: string[];
  let logs: string[];

  beforeEach(() => {
    warnings = [];
    logs = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    jest.spyOn(Logger.prototype, 'log').mockImplementation((message: unknown) => void logs.push(String(message)));
  });

  afterEach(() => jest.restoreAllMocks());

  function watched(): { health: RedisHealth; pub: FakeClient; sub: FakeClient } {
    const health = new RedisHealth();
    const pub = new FakeClient();
    const sub = new FakeClient();
    health.watch('publisher', pub as unknown as RedisClient, 'redis://:secret@127.0.0.1:6390');
    health.watch('subscriber', sub as unknown as RedisClient, 'redis://:secret@127.0.0.1:6390');
    return { health, pub, sub };
  }

  it('is up only once every client is ready, and calls its listeners then, without a warning on a clean start', () => {
    const { health, pub, sub } = watched();
    const ups: number[] = [];
    health.onUp(() => ups.push(1));
    expect(health.status()).toMatchObject({ state: 'down', lastError: null });
    pub.ready();
    expect(health.isUp).toBe(false);
    sub.ready();
    expect(health.status()).toMatchObject({ state: 'up' });
    expect(ups).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  // Adversary: Redis SIGKILLed; every client errors on every retry (each 100 ms to 5 s) for as long as it is away.
  it('warns once per outage however many clients fail and retry, never with the password, and resyncs when back', () => {
    const { health, pub, sub } = watched();
    const ups: number[] = [];
    health.onUp(() => ups.push(1));
    pub.ready();
    sub.ready();
    for (let retry = 0; retry < 20; retry++) {
      pub.fail('connect ECONNREFUSED 127.0.0.1:6390');
      sub.fail('Socket closed unexpectedly');
    }
    expect(health.status()).toMatchObject({ state: 'down', lastError: 'Socket closed unexpectedly' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:6390 cannot be reached .* its own peers only/,
    );
    expect(warnings[0]).not.toContain('secret');
    pub.ready();
    sub.ready();
    expect(ups).toHaveLength(2);
    expect(logs).toEqual([expect.stringMatching(/answers again: resyncing peers/)]);
    sub.fail('gone again');
    expect(warnings).toHaveLength(2);
  });

  it('warns at start when Redis was never there, and says nothing without --redis', () => {
    const { pub } = watched();
    pub.fail('connect ECONNREFUSED 127.0.0.1:6390');
    pub.fail('connect ECONNREFUSED 127.0.0.1:6390');
    expect(warnings).toHaveLength(1);
    expect(new RedisHealth().status()).toBeUndefined();
  });
});
