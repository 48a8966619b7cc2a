import { MAX_UUID_LENGTH, UUID_PATTERN } from '@neck-signal/protocol';
import { deviceName } from './device-name';

describe('deviceName', () => {
  it('says what and where: the host name, the program and four hex digits', () => {
    expect(deviceName('agent', 'pi4')).toMatch(/^pi4-neck-[0-9a-f]{4}$/);
    expect(deviceName('cli', 'Alice-Laptop.local')).toMatch(/^alice-laptop-cli-[0-9a-f]{4}$/);
  });

  it('tells two programs of one kind on one machine apart', () => {
    const names = new Set(Array.from({ length: 20 }, () => deviceName('cli', 'pi4')));
    expect(names.size).toBeGreaterThan(15);
  });

  it('the adversary: a hostile or empty host name still gives a uuid the hub takes', () => {
    for (const host of ['', '...', 'é\u202Evil\nname', ' spaced out ', 'x'.repeat(300), '--', '*']) {
      const name = deviceName('agent', host);
      expect(name).toMatch(/^[a-z0-9][a-z0-9-]*-neck-[0-9a-f]{4}$/);
      expect(name.length).toBeLessThanOrEqual(MAX_UUID_LENGTH);
      expect(UUID_PATTERN.test(name)).toBe(true);
    }
    expect(deviceName('cli', '')).toMatch(/^host-cli-/);
  });
});
