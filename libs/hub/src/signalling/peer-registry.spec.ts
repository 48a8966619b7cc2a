import { PeerRegistry, RegistryChange } from './peer-registry';

describe('PeerRegistry', () => {
  const neck = { id: 'n1', uuid: 'neck', roles: ['neck' as const] };
  const operator = { id: 'u1', uuid: 'op', roles: ['ui' as const] };
  const watcher = (i: number) => ({ id: `o${i}`, uuid: `watcher-${i}`, roles: ['observer' as const] });

  it('tells observers of necks and operators only, and everyone else of every peer', () => {
    const registry = new PeerRegistry();
    for (const peer of [neck, operator, watcher(1), watcher(2)]) registry.add(peer, false);
    expect(registry.visibleTo('observer', 'o1')).toEqual([neck, operator]);
    expect(registry.visibleTo('ui', 'u1')).toEqual([neck, watcher(1), watcher(2)]);
    expect(registry.counts()).toEqual({ necks: 1, operators: 1, observers: 2 });
  });

  it('knows whether a neck other than the sender is connected', () => {
    const registry = new PeerRegistry();
    expect(registry.hasNeck('u1')).toBe(false);
    registry.add(neck, false);
    expect(registry.hasNeck('u1')).toBe(true);
    expect(registry.hasNeck('n1')).toBe(false);
  });

  it('files a role-less peer that turns out to be a neck as one, and says so to listeners', () => {
    const registry = new PeerRegistry();
    const changes: RegistryChange[] = [];
    registry.onChange((change) => changes.push(change));
    const seed = { id: 's1', uuid: 'seed', roles: ['ui' as const] };
    registry.add(seed, true);
    expect(registry.hasRoleless('u1')).toBe(true);
    expect(registry.hasRoleless('s1')).toBe(false);
    registry.setRoles('s1', ['neck']);
    expect(registry.hasRoleless('u1')).toBe(false);
    expect(registry.hasNeck('u1')).toBe(true);
    expect(registry.quietNecks()).toEqual([{ ...seed, roles: ['neck'] }]);
    expect(changes.map((change) => change.kind)).toEqual(['joined', 'roles']);
  });

  it('drops every peer of a hub that fell silent, and only those', () => {
    const registry = new PeerRegistry();
    registry.add(operator, false);
    registry.add(neck, false, 'other-hub');
    registry.add(watcher(1), false, 'other-hub');
    expect(registry.removeHub('other-hub')).toEqual([neck, watcher(1)]);
    expect(registry.size).toBe(1);
    expect(registry.localSnapshot().peers).toEqual([operator]);
  });

  it('keeps each neck status with when it came, for GET /', () => {
    const registry = new PeerRegistry();
    registry.add(neck, false);
    const status = {
      peerId: 'n1',
      uuid: 'neck',
      serial: { state: 'open' as const, path: '/dev/ttyUSB0', baud: 115200 },
      firmware: { state: 'ready' as const, answersHealth: true },
      control: { holder: null, leaseMs: 2000, stopped: false, stoppedBy: null },
      pose: null,
      queueDepth: 0,
      health: null,
    };
    registry.setStatus(status, '2026-12-01T00:00:00.000Z');
    expect(registry.withStatus()).toEqual([{ ...status, updatedAt: '2026-12-01T00:00:00.000Z' }]);
    expect(registry.quietNecks()).toEqual([]);
    registry.remove('n1');
    expect(registry.withStatus()).toEqual([]);
  });
});
