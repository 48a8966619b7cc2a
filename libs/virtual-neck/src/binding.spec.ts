import { HOME_POSE, parseHealthLine } from '@neck-signal/protocol';
import { DisconnectedError, SerialPortStream } from '@serialport/stream';
import { ReadlineParser } from 'serialport';
import { createVirtualNeckBinding, VirtualNeckBinding } from './binding';
import { homingDurationMs } from './homing';
import { ManualScheduler } from './scheduler';

const PATH = '/dev/ttyVNECK-test';

/** Lines read from a port, with a way to await the next one that matches. */
class LineReader {
  readonly lines: string[] = [];
  private waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];

  constructor(port: SerialPortStream) {
    const parser = port.pipe(new ReadlineParser({ delimiter: '\r\n' }));
    parser.on('data', (line: string) => {
      this.lines.push(line);
      for (const waiter of this.waiters.filter((w) => w.match(line))) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(line);
      }
    });
  }

  /** The first line read (already or later) that matches; rejects after `timeoutMs`. */
  next(match: (line: string) => boolean, timeoutMs = 2000): Promise<string> {
    const seen = this.lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching line within ${timeoutMs} ms; read ${JSON.stringify(this.lines)}`)),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }
}

function openPort(binding: VirtualNeckBinding, path = PATH): Promise<SerialPortStream<VirtualNeckBinding>> {
  return new Promise((resolve, reject) => {
    const port = new SerialPortStream({ binding, path, baudRate: 115_200 }, (error) =>
      error ? reject(error) : resolve(port),
    );
  });
}

function closePort(port: SerialPortStream): Promise<void> {
  if (!port.isOpen) return Promise.resolve();
  return new Promise((resolve, reject) => port.close((error) => (error ? reject(error) : resolve())));
}

function write(port: SerialPortStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    port.write(text, (error) =>
      error ? reject(error) : port.drain((drainError) => (drainError ? reject(drainError) : resolve())),
    );
  });
}

describe('VirtualNeckBinding (in-process, over MockPortBinding)', () => {
  let binding: VirtualNeckBinding;
  const opened: SerialPortStream[] = [];

  beforeEach(() => {
    binding = createVirtualNeckBinding();
  });

  afterEach(async () => {
    for (const port of opened.splice(0)) await closePort(port);
    binding.reset();
  });

  async function open(path = PATH): Promise<SerialPortStream<VirtualNeckBinding>> {
    const port = await openPort(binding, path);
    opened.push(port);
    return port;
  }

  it('round-trips through a real SerialPortStream: boot line, HEALTH, commands and firmware messages', async () => {
    const neck = binding.createPort(PATH, { homingScale: 0 });
    expect(neck.isPowered).toBe(false);
    const port = await open();
    const reader = new LineReader(port);

    await expect(reader.next((line) => line.startsWith('Executing'))).resolves.toBe('Executing HOME_BRUTE command...');
    expect(neck.isPowered).toBe(true);

    await write(port, 'HEALTH\n');
    const health = parseHealthLine(await reader.next((line) => line.startsWith('HEALTH|')));
    // HEALTH prints the sketch's base rates, whatever the stepper runs at (HOME_BRUTE's 144 kHz here).
    expect(health).toMatchObject({ device: 'NECK', role: 'STEWART_NECK', baud: 115_200, motors: 6, speedHz: 48_000 });

    await write(port, 'X10,Y0,Z0,H20,S1,A1,R0,P0\r\nQ:1,0,0\n');
    await expect(reader.next((line) => line.startsWith('Invalid'))).resolves.toBe(
      'Invalid quaternion command: not enough parameters.',
    );
    expect(neck.pose).toEqual({ ...HOME_POSE, X: 10, H: 20 });
    expect(neck.received).toEqual(['HEALTH', 'X10,Y0,Z0,H20,S1,A1,R0,P0', 'Q:1,0,0']);
    expect(reader.lines).toEqual([
      'Executing HOME_BRUTE command...',
      expect.stringMatching(/^HEALTH\|DEVICE=NECK\|/),
      'Invalid quaternion command: not enough parameters.',
    ]);
  });

  it('holds commands written while homing until homing ends (time from a manual scheduler)', async () => {
    const scheduler = new ManualScheduler();
    const neck = binding.createPort(PATH, { scheduler, bootMs: 0, wireBytesPerSecond: Infinity });
    const port = await open();
    const reader = new LineReader(port);
    await reader.next((line) => line.startsWith('Executing'));

    await write(port, 'HEALTH\n');
    expect(neck.homing).toBe(true);
    expect(neck.queuedLines).toBe(1);

    scheduler.advance(homingDurationMs('HOME_BRUTE'));
    const health = parseHealthLine(await reader.next((line) => line.startsWith('HEALTH|')));
    expect(health?.uptimeMs).toBe(5050);
    expect(neck.homing).toBe(false);
  });

  it('resets the neck on open: bytes written before it has booted are lost, then it homes', async () => {
    const scheduler = new ManualScheduler();
    const neck = binding.createPort(PATH, { scheduler });
    const port = await open();
    const reader = new LineReader(port);
    expect(neck.state).toBe('booting');
    await write(port, 'HEALTH\n');
    scheduler.advance(300);
    expect(neck.state).toBe('homing');
    // Its announcement takes 2.9 ms to leave on the TX line.
    scheduler.advance(3);
    await reader.next((line) => line.startsWith('Executing'));
    expect(neck.stats.bytesLostBooting).toBe(7);
    expect(neck.anomalies).toEqual([
      { kind: 'bytes-lost', detail: '7 bytes: sent while the board was booting', atMs: expect.any(Number) },
    ]);
    scheduler.advance(homingDurationMs('HOME_BRUTE'));
    expect(neck.state).toBe('reading');
    expect(neck.printed.some((line) => line.startsWith('HEALTH|'))).toBe(false);

    await write(port, 'HEALTH\n');
    scheduler.advance(20); // 7 bytes in, 160 out at 86.8 µs each
    const health = parseHealthLine(await reader.next((line) => line.startsWith('HEALTH|')));
    expect(health?.uptimeMs).toBe(5353);
  });

  it('powers the neck off when the port closes and reboots it when opened again', async () => {
    const neck = binding.createPort(PATH, { homingScale: 0 });
    const first = await open();
    await closePort(first);
    expect(neck.isPowered).toBe(false);
    const second = await open();
    const reader = new LineReader(second);
    await reader.next((line) => line.startsWith('Executing'));
    expect(neck.boots).toBe(2);
  });

  it('lists its ports and gives the neck for a path', async () => {
    const neck = binding.createPort(PATH, { vendorId: '10c4', productId: 'ea60' });
    binding.createPort('/dev/ttyVNECK-other');
    expect(binding.neck(PATH)).toBe(neck);
    await expect(binding.list()).resolves.toEqual([
      expect.objectContaining({
        path: PATH,
        manufacturer: 'neck-signal virtual neck',
        vendorId: '10c4',
        productId: 'ea60',
      }),
      expect.objectContaining({ path: '/dev/ttyVNECK-other' }),
    ]);
  });

  it('says what to do for an unknown path, a path taken twice, or a port already open', async () => {
    expect(() => binding.neck('/dev/nope')).toThrow(
      "no virtual neck at /dev/nope - call createPort('/dev/nope') first",
    );
    await expect(openPort(binding, '/dev/nope')).rejects.toThrow(/call createPort\('\/dev\/nope'\) first/);
    binding.createPort(PATH, { homingScale: 0 });
    expect(() => binding.createPort(PATH)).toThrow(/already exists/);
    await open();
    await expect(openPort(binding, PATH)).rejects.toThrow(/already open and locked/);
  });

  it('unplug closes an open port with a DisconnectedError; the neck can be plugged back under another path', async () => {
    const neck = binding.createPort(PATH, { homingScale: 0 });
    const port = await open();
    const reader = new LineReader(port);
    await reader.next((line) => line.startsWith('Executing'));
    const closed = new Promise<unknown>((resolve) => port.once('close', resolve));

    binding.unplug(PATH);
    await expect(closed).resolves.toBeInstanceOf(DisconnectedError);
    expect(neck.isPowered).toBe(false);
    await expect(binding.list()).resolves.toEqual([]);

    binding.createPort('/dev/ttyVNECK-replugged', { neck });
    const again = await open('/dev/ttyVNECK-replugged');
    const againReader = new LineReader(again);
    await againReader.next((line) => line.startsWith('Executing'));
    await write(again, 'STATUS\n');
    await againReader.next((line) => line.startsWith('HEALTH|'));
    expect(neck.boots).toBe(2);
  });
});
