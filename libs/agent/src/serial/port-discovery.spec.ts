import { MockBinding } from '@serialport/binding-mock';
import type { BindingInterface, OpenOptions } from '@serialport/bindings-interface';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualNeckBinding, createVirtualNeckBinding } from '@neck-signal/virtual-neck';
import { SerialSettings, defaultSerialCandidates } from '../config/agent-settings';
import { DiscoveryEnvironment, discoverNeck, systemDiscoveryEnvironment } from './port-discovery';

const settings = (extra: Partial<SerialSettings> = {}): SerialSettings => ({
  baudRate: 115_200,
  simulate: false,
  candidates: ['/dev/ttyUSB0', '/dev/ttyUSB1', '/dev/ttyACM0'],
  retryMs: 10,
  probeTimeoutMs: 300,
  bootQuietMs: 0,
  ...extra,
});

describe('discoverNeck', () => {
  let necks: VirtualNeckBinding;
  const logs: string[] = [];

  /** Virtual necks where created; any other path is a silent MockBinding port (some other USB device). */
  function environment(present: string[], byId: { link: string; device: string }[] = []): DiscoveryEnvironment {
    const binding: BindingInterface = {
      list: () => necks.list(),
      open: (options: OpenOptions) =>
        necks
          .list()
          .then((ports) =>
            ports.some((port) => port.path === options.path) ? necks.open(options) : MockBinding.open(options),
          ),
    };
    return {
      binding,
      exists: (path) => present.includes(path),
      byId: () => byId,
      list: () => Promise.resolve([]),
      log: (message) => logs.push(message),
    };
  }

  beforeEach(() => {
    necks = createVirtualNeckBinding();
    MockBinding.reset();
    logs.length = 0;
  });

  afterEach(() => {
    necks.reset();
    MockBinding.reset();
  });

  it('opens an explicit --serial path without probing', async () => {
    necks.createPort('/dev/custom', { homingScale: 0 });
    const found = await discoverNeck(settings({ path: '/dev/custom' }), environment([]));
    expect(found.ok && found.link.path).toBe('/dev/custom');
    if (found.ok) await found.link.close();
  });

  it('says which path it could not open', async () => {
    const found = await discoverNeck(settings({ path: '/dev/missing' }), environment([]));
    expect(found).toEqual({ ok: false, error: expect.stringMatching(/^cannot open \/dev\/missing: /) });
  });

  it('opens the only candidate that exists', async () => {
    necks.createPort('/dev/ttyACM0', { homingScale: 0 });
    const found = await discoverNeck(settings(), environment(['/dev/ttyACM0']));
    expect(found.ok && found.link.path).toBe('/dev/ttyACM0');
    expect(logs).toEqual([]);
    if (found.ok) await found.link.close();
  });

  it('prefers /dev/serial/by-id links and does not count their device twice', async () => {
    necks.createPort('/dev/serial/by-id/usb-Silicon_Labs_CP2102-if00', { homingScale: 0 });
    const found = await discoverNeck(
      settings(),
      environment(
        ['/dev/ttyUSB0'],
        [{ link: '/dev/serial/by-id/usb-Silicon_Labs_CP2102-if00', device: '/dev/ttyUSB0' }],
      ),
    );
    expect(found.ok && found.link.path).toBe('/dev/serial/by-id/usb-Silicon_Labs_CP2102-if00');
    if (found.ok) await found.link.close();
  });

  it('asks each of several ports for HEALTH once it has booted, and keeps the one answering DEVICE=NECK', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      MockBinding.createPort('/dev/ttyUSB0', { echo: false });
      // ESP32 defaults: opening the port resets it; it boots (0.3 s) and homes (5.05 s) before it answers.
      const neck = necks.createPort('/dev/ttyUSB1');
      const pending = discoverNeck(
        settings({ bootQuietMs: 1000, probeTimeoutMs: 8000 }),
        environment(['/dev/ttyUSB0', '/dev/ttyUSB1']),
      );
      await jest.advanceTimersByTimeAsync(9_000 + 1000 + 5350 + 100);
      const found = await pending;
      expect(found.ok && found.link.path).toBe('/dev/ttyUSB1');
      expect(neck.received).toEqual(['HEALTH']);
      expect(neck.stats.bytesLost).toBe(0);
      expect(logs[0]).toBe('several serial ports (/dev/ttyUSB0, /dev/ttyUSB1); asking each for HEALTH');
      expect(logs[1]).toMatch(/^\/dev\/ttyUSB0: no DEVICE=NECK answer to HEALTH within 8000 ms/);
      if (found.ok) await found.link.close();
    } finally {
      jest.useRealTimers();
    }
  });

  it('lists what it tried and how to pass --serial when nothing answers', async () => {
    MockBinding.createPort('/dev/ttyUSB0', { echo: false });
    MockBinding.createPort('/dev/ttyACM0', { echo: false });
    const found = await discoverNeck(settings(), environment(['/dev/ttyUSB0', '/dev/ttyACM0']));
    expect(found).toEqual({
      ok: false,
      error:
        'no serial port answered as a neck (tried /dev/ttyUSB0, /dev/ttyACM0); plug the neck in or pass --serial PATH',
    });
  });

  it('names the configured candidates when no port exists at all', async () => {
    const found = await discoverNeck(settings(), environment([]));
    expect(found).toEqual({
      ok: false,
      error:
        'no serial port answered as a neck (tried /dev/ttyUSB0, /dev/ttyUSB1, /dev/ttyACM0); plug the neck in or pass --serial PATH',
    });
  });
});

describe('default serial candidates', () => {
  it('are COM ports on Windows only, device files on Linux and macOS', () => {
    expect(defaultSerialCandidates('win32')).toEqual(['COM3', 'COM4']);
    for (const platform of ['linux', 'darwin', 'freebsd'] as const) {
      const candidates = defaultSerialCandidates(platform);
      expect(candidates.length).toBeGreaterThan(0);
      expect(candidates.every((path) => path.startsWith('/dev/'))).toBe(true);
    }
    expect(defaultSerialCandidates('linux')).toEqual(['/dev/ttyUSB0', '/dev/ttyUSB1', '/dev/ttyACM0', '/dev/ttyACM1']);
  });
});

describe('systemDiscoveryEnvironment', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'neck-discovery-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('says a path exists only when it does: a COM name is no file, whatever the platform', () => {
    const env = systemDiscoveryEnvironment(MockBinding, () => undefined);
    const device = join(dir, 'ttyUSB0');
    writeFileSync(device, '');
    expect(env.exists(device)).toBe(true);
    expect(env.exists(join(dir, 'ttyUSB1'))).toBe(false);
    expect(env.exists('COM3')).toBe(false);
    expect(env.exists('com4')).toBe(false);
  });
});

describe('discoverNeck, retried while no neck answers', () => {
  const logs: string[] = [];
  /** Silent MockBinding ports (some other USB device) at `present`; no port list, no by-id links. */
  const environment = (present: () => string[]): DiscoveryEnvironment => ({
    binding: MockBinding,
    exists: (path) => present().includes(path),
    byId: () => [],
    list: () => Promise.resolve([]),
    log: (message) => logs.push(message),
  });

  beforeEach(() => {
    MockBinding.reset();
    logs.length = 0;
  });
  afterEach(() => MockBinding.reset());

  it('logs what an attempt finds once, and again only when it finds something else', async () => {
    let present = ['/dev/ttyUSB0', '/dev/ttyACM0'];
    for (const path of ['/dev/ttyUSB0', '/dev/ttyUSB1', '/dev/ttyACM0']) MockBinding.createPort(path, { echo: false });
    const env = environment(() => present);
    const quick = settings({ probeTimeoutMs: 20 });

    expect((await discoverNeck(quick, env)).ok).toBe(false);
    const first = [...logs];
    expect(first).toEqual([
      'several serial ports (/dev/ttyUSB0, /dev/ttyACM0); asking each for HEALTH',
      '/dev/ttyUSB0: no DEVICE=NECK answer to HEALTH within 20 ms',
      '/dev/ttyACM0: no DEVICE=NECK answer to HEALTH within 20 ms',
    ]);
    expect((await discoverNeck(quick, env)).ok).toBe(false);
    expect((await discoverNeck(quick, env)).ok).toBe(false);
    expect(logs).toEqual(first);

    present = ['/dev/ttyUSB0', '/dev/ttyUSB1', '/dev/ttyACM0'];
    expect((await discoverNeck(quick, env)).ok).toBe(false);
    expect(logs.slice(first.length)).toEqual([
      'several serial ports (/dev/ttyUSB0, /dev/ttyUSB1, /dev/ttyACM0); asking each for HEALTH',
      '/dev/ttyUSB1: no DEVICE=NECK answer to HEALTH within 20 ms',
    ]);
  });
});
