import { testHubSettings } from '../../../../test/support/hub';
import { HubSettings } from '../config/hub-settings';
import { LoginLimiter } from './login-limiter';

function limiter(auth: Partial<HubSettings['auth']> = {}): { limiter: LoginLimiter; clock: { ms: number } } {
  const settings = testHubSettings('/nonexistent/neck-signal', { auth: { maxFailedLogins: 3, ...auth } });
  const clock = { ms: 1_000_000 };
  const instance = new LoginLimiter(settings);
  instance.now = () => clock.ms;
  return { limiter: instance, clock };
}

describe('LoginLimiter', () => {
  it('lets an identity fail maxFailedLogins times, then makes it wait 2, 4, 8 … s', async () => {
    const { limiter: limits } = limiter();
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) waits.push(await limits.recordFailure('stale-client', undefined));
    expect(waits).toEqual([0, 0, 0, 2_000, 4_000, 8_000]);
    expect(await limits.blockedForMs('stale-client', undefined)).toBe(8_000);
    // Nobody else waits for it.
    expect(await limits.blockedForMs('operator', undefined)).toBe(0);
  });

  it('never makes an identity wait more than 15 minutes', async () => {
    const { limiter: limits } = limiter({ maxFailedLogins: 0 });
    let wait = 0;
    for (let i = 0; i < 20; i++) wait = await limits.recordFailure('attacker', undefined);
    expect(wait).toBe(15 * 60 * 1000);
  });

  it('forgets the failures after a success, or after the window without failures', async () => {
    const { limiter: limits, clock } = limiter({ failedLoginWindowSeconds: 60 });
    for (let i = 0; i < 4; i++) await limits.recordFailure('typo', undefined);
    expect(await limits.blockedForMs('typo', undefined)).toBe(2_000);
    limits.recordSuccess('typo');
    expect(await limits.blockedForMs('typo', undefined)).toBe(0);
    expect(await limits.recordFailure('typo', undefined)).toBe(0);

    for (let i = 0; i < 4; i++) await limits.recordFailure('old', undefined);
    clock.ms += 61_000;
    expect(await limits.blockedForMs('old', undefined)).toBe(0);
    expect(await limits.recordFailure('old', undefined)).toBe(0);
  });

  it('past the hub-wide ceiling every password login waits, whoever it is', async () => {
    const { limiter: limits } = limiter({ maxFailedLoginsPerMinute: 10 });
    for (let i = 0; i < 9; i++) await limits.recordFailure(`bot-${i}`, undefined);
    expect(await limits.blockedForMs('newcomer', undefined)).toBe(0);
    await limits.recordFailure('bot-9', undefined);
    expect(await limits.blockedForMs('newcomer', undefined)).toBeGreaterThan(0);
  });

  it('counts a source address across the uuids it tries, where the address means something', async () => {
    const { limiter: limits } = limiter({ maxFailedLogins: 100 });
    for (let i = 0; i < 60; i++) await limits.recordFailure(`rotating-${i}`, '203.0.113.7');
    expect(await limits.blockedForMs('fresh-uuid', '203.0.113.7')).toBeGreaterThan(0);
    expect(await limits.blockedForMs('fresh-uuid', '198.51.100.2')).toBe(0);
    expect(await limits.blockedForMs('fresh-uuid', undefined)).toBe(0);
  });
});
