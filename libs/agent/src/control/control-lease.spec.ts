import { ControlLease } from './control-lease';

describe('ControlLease', () => {
  const alice = { uuid: 'alice', sid: 'sid-a' };
  const bob = { uuid: 'bob', sid: 'sid-b' };
  let now: number;
  let changes: number;
  let lease: ControlLease;

  beforeEach(() => {
    jest.useFakeTimers();
    now = 0;
    changes = 0;
    lease = new ControlLease(
      2000,
      () => changes++,
      () => now,
    );
  });
  afterEach(() => {
    lease.clear();
    jest.useRealTimers();
  });

  const advance = (ms: number) => {
    now += ms;
    jest.advanceTimersByTime(ms);
  };

  it('goes to the first operator to move; others are refused, naming the holder; motion renews it', () => {
    expect(lease.heldAgainst(alice)).toBeUndefined();
    lease.moved(alice);
    expect(lease.holder).toEqual(alice);
    expect(lease.heldAgainst(bob)).toEqual(alice);
    expect(lease.heldAgainst(alice)).toBeUndefined();
    advance(1500);
    lease.moved(alice);
    advance(1500);
    expect(lease.holder).toEqual(alice);
    expect(changes).toBe(1);
  });

  it('lapses 2 s after the holder’s last motion, and says so once', () => {
    lease.moved(alice);
    advance(1999);
    expect(lease.holder).toEqual(alice);
    advance(1);
    expect(lease.holder).toBeNull();
    expect(lease.heldAgainst(bob)).toBeUndefined();
    expect(changes).toBe(2);
  });

  it('TAKE hands it over at once and names who lost it; YIELD gives it up, only for its holder', () => {
    lease.moved(alice);
    expect(lease.take(bob)).toEqual(alice);
    expect(lease.holder).toEqual(bob);
    expect(lease.yield(alice)).toBe(false);
    expect(lease.holder).toEqual(bob);
    expect(lease.yield(bob)).toBe(true);
    expect(lease.holder).toBeNull();
  });

  it('is free when the holder leaves; the same operator on a new connection keeps it', () => {
    lease.moved(alice);
    lease.moved({ uuid: 'alice', sid: 'sid-a2' });
    lease.left('sid-a');
    expect(lease.holder).toEqual({ uuid: 'alice', sid: 'sid-a2' });
    lease.left('sid-a2');
    expect(lease.holder).toBeNull();
  });
});
