import { HOME_POSE, headPoseToSteps, parseHealthLine } from '@neck-signal/protocol';
import { NeckAnomaly } from './anomalies';
import { homingDurationMs } from './homing';
import { ManualScheduler } from './scheduler';
import { ESP32_BOOT_BANNER, VirtualNeck, VirtualNeckOptions } from './virtual-neck';

/** What the real board does, on the virtual neck's defaults (docs/firmware.md, "What the firmware does"). */

const BOOT_MS = 300;
const BRUTE_MS = homingDurationMs('HOME_BRUTE');
const SOFT_MS = homingDurationMs('HOME_SOFT');
/** One byte at 115200 baud, 8N1: 10 bits. */
const BYTE_MS = 1000 / 11_520;
/** When the boot homing ends on a neck booted at 0. */
const HOMED_AT = BOOT_MS + BRUTE_MS;

function strictNeck(options: VirtualNeckOptions = {}) {
  const scheduler = new ManualScheduler();
  const neck = new VirtualNeck({ scheduler, ...options });
  const output: string[] = [];
  neck.onLine((line) => output.push(line));
  const anomalies: NeckAnomaly[] = [];
  neck.onAnomaly((anomaly) => anomalies.push(anomaly));
  /** Moves the clock on to `ms` after the neck was made. */
  const at = (ms: number) => scheduler.advance(ms - scheduler.now());
  /** Lets 50 ms pass: time for 576 bytes to arrive. */
  const settle = () => scheduler.advance(50);
  return { neck, scheduler, output, anomalies, at, settle };
}

/** Booted at 0, homed, reading; output and anomalies collected from then on. */
function readingNeck(options: VirtualNeckOptions = {}) {
  const parts = strictNeck(options);
  parts.neck.boot();
  parts.at(HOMED_AT);
  expect(parts.neck.state).toBe('reading');
  parts.output.length = 0;
  parts.anomalies.length = 0;
  return parts;
}

describe('VirtualNeck on its strict defaults (the real ESP32)', () => {
  describe('wire-rate delivery (115200 baud: 86.8 µs a byte)', () => {
    it('runs a 100-byte line only once its last byte has arrived, 8.68 ms after it was sent', () => {
      const { neck, at } = readingNeck();
      const line = `X5,${'W'.repeat(93)},H1\n`;
      expect(line).toHaveLength(100);
      const sentAt = HOMED_AT;
      neck.receive(line);
      at(sentAt + 8.6);
      expect(neck.received).toEqual([]);
      expect(neck.pose).toEqual(HOME_POSE);
      expect(neck.bytesOnWire).toBe(1);
      at(sentAt + 8.7);
      expect(neck.received).toEqual([line.slice(0, -1)]);
      expect(neck.pose).toEqual({ ...HOME_POSE, X: 5, H: 1 });
      expect(neck.bytesOnWire).toBe(0);
    });

    it('queues what is written faster than the wire: a second write arrives after the first, nothing lost', () => {
      const { neck, at } = readingNeck();
      const first = `X1,${'W'.repeat(46)}\n`;
      const second = `Y2,${'W'.repeat(46)}\n`;
      neck.receive(first);
      neck.receive(second);
      at(HOMED_AT + 50 * BYTE_MS - 0.01);
      expect(neck.received).toEqual([]);
      at(HOMED_AT + 50 * BYTE_MS + 0.01);
      expect(neck.pose.X).toBe(1);
      at(HOMED_AT + 100 * BYTE_MS - 0.01);
      expect(neck.pose.Y).toBe(0);
      at(HOMED_AT + 100 * BYTE_MS + 0.01);
      expect(neck.pose).toEqual({ ...HOME_POSE, Y: 2 });
      expect(neck.stats.bytesLost).toBe(0);
    });

    it('follows the baud rate: 100 bytes take 104.2 ms at 9600 baud', () => {
      const { neck, at } = readingNeck({ baudRate: 9600 });
      neck.receive(`X5,${'W'.repeat(93)},H1\n`);
      at(HOMED_AT + 104.1);
      expect(neck.pose.X).toBe(0);
      at(HOMED_AT + 104.2);
      expect(neck.pose.X).toBe(5);
    });

    it('resolves idle() only once the wire is empty', async () => {
      const { neck, at } = readingNeck();
      neck.receive('X5\n');
      let idle = false;
      const done = neck.idle().then(() => {
        idle = true;
      });
      await Promise.resolve();
      expect(idle).toBe(false);
      at(HOMED_AT + 3 * BYTE_MS + 0.001);
      await done;
      expect(idle).toBe(true);
      expect(neck.pose.X).toBe(5);
    });
  });

  describe('boot: 300 ms deaf, then the banner, then HOME_BRUTE', () => {
    it('loses every byte arriving while booting, counted as one burst, and reads what arrives after it', () => {
      const { neck, output, anomalies, at } = strictNeck({ bootBanner: ESP32_BOOT_BANNER });
      expect(neck.state).toBe('off');
      neck.boot();
      expect(neck.state).toBe('booting');
      neck.receive('HEALTH\n');
      // Sent so that "Y1\n" arrives before the boot ends and "X3\n" after it.
      at(BOOT_MS - 3.5 * BYTE_MS);
      neck.receive('Y1\nX3\n');
      at(BOOT_MS - 0.001);
      expect(neck.state).toBe('booting');
      expect(output).toEqual([]);
      expect(neck.stats.bytesLostBooting).toBe(10);
      at(BOOT_MS);
      expect(neck.state).toBe('homing');
      // The ROM's banner is heard at once; the sketch's announcement takes 2.9 ms to leave on the TX line.
      expect(neck.printed).toEqual([...ESP32_BOOT_BANNER, 'Executing HOME_BRUTE command...']);
      expect(output).toEqual(ESP32_BOOT_BANNER);
      at(BOOT_MS + 1);
      expect(anomalies).toEqual([
        { kind: 'bytes-lost', detail: '10 bytes: sent while the board was booting', atMs: expect.any(Number) },
      ]);
      expect(anomalies[0]?.atMs).toBeCloseTo(BYTE_MS, 9);
      expect(neck.queuedLines).toBe(1);
      at(BOOT_MS + 3);
      expect(output).toEqual([...ESP32_BOOT_BANNER, 'Executing HOME_BRUTE command...']);
      at(HOMED_AT);
      expect(neck.state).toBe('reading');
      expect(neck.received).toEqual(['X3']);
      expect(neck.pose).toEqual({ ...HOME_POSE, X: 3 });
      expect(output.some((line) => line.startsWith('HEALTH|'))).toBe(false);
      expect(neck.stats).toEqual({
        bytesLost: 10,
        bytesLostBooting: 10,
        garbledLines: 0,
        splitLines: 0,
        refusedSettings: 0,
        undefinedTargets: 0,
        linesRun: 1,
      });
    });

    it('reset() loses unread input and bytes still on the wire, then boots and homes again', () => {
      const { neck, anomalies, at } = readingNeck();
      neck.receive('HOME\n');
      at(HOMED_AT + 100);
      expect(neck.state).toBe('homing');
      neck.receive('X1\nX2\nX');
      at(HOMED_AT + 200);
      expect(neck.queuedLines).toBe(2);
      neck.receive('X9\n');
      neck.reset();
      expect(neck.boots).toBe(2);
      expect(neck.state).toBe('booting');
      expect(neck.queuedLines).toBe(0);
      expect(neck.stats.bytesLostBooting).toBe(7);
      at(HOMED_AT + 200 + BOOT_MS);
      expect(neck.stats.bytesLostBooting).toBe(10);
      expect(anomalies).toEqual([
        { kind: 'bytes-lost', detail: '7 bytes: unread when the board reset', atMs: HOMED_AT + 200 },
        { kind: 'bytes-lost', detail: '3 bytes: sent while the board was booting', atMs: HOMED_AT + 200 + BYTE_MS },
      ]);
      at(HOMED_AT + 200 + HOMED_AT);
      expect(neck.state).toBe('reading');
      expect(neck.pose).toEqual(HOME_POSE);
      expect(neck.stats.linesRun).toBe(1);
    });

    it('after boot homing the stepper keeps HOME_BRUTE’s last speed, 144000 Hz, until a head command', () => {
      const { neck, output, scheduler, settle } = readingNeck();
      expect(neck.speedHz).toBe(144_000);
      expect(neck.accel).toBe(108_000);
      neck.receive('HEALTH\n1:10\n');
      settle();
      // HEALTH prints the sketch's base rates (speedVar, accVar), not the stepper's.
      expect(parseHealthLine(output[0] ?? '')).toMatchObject({ speedHz: 48_000, accel: 36_000 });
      // A direct actuator command is not clamped and runs at whatever speed was set last.
      expect(neck.actuatorSteps[0]).toBe(4266);
      expect(neck.speedHz).toBe(144_000);
      neck.receive('X1\n');
      settle();
      expect(neck.speedHz).toBe(48_000);
      expect(neck.accel).toBe(36_000);
      neck.receive('HOME_SOFT\n');
      settle();
      expect(neck.state).toBe('homing');
      scheduler.advance(SOFT_MS);
      expect(neck.state).toBe('reading');
      expect(neck.speedHz).toBe(96_000);
      expect(neck.accel).toBe(72_000);
    });
  });

  describe('the 256-byte UART buffer while homing', () => {
    const POSE = 'X9,Y-3,Z2,H20,S1,A1,R0,P5';

    it('keeps exactly 256 bytes: 64 four-byte lines are all run, none lost', () => {
      const { neck, at } = strictNeck();
      neck.boot();
      at(BOOT_MS + 100);
      neck.receive('H10\n'.repeat(64));
      at(HOMED_AT - 1);
      expect(neck.queuedLines).toBe(64);
      expect(neck.stats.bytesLost).toBe(0);
      at(HOMED_AT);
      expect(neck.stats.linesRun).toBe(64);
      expect(neck.pose).toEqual({ ...HOME_POSE, H: 10 });
    });

    it('loses every byte past 256; the line it cuts runs as what is left (pitch lost: P back to 0)', () => {
      const { neck, anomalies, at } = strictNeck();
      expect(`${POSE}\n`).toHaveLength(26);
      neck.boot();
      at(400);
      // 20 lines, 520 bytes: 9 whole lines (234 bytes) and 22 bytes of the 10th fit.
      neck.receive(`${POSE}\n`.repeat(20));
      at(HOMED_AT - 1);
      expect(neck.state).toBe('homing');
      expect(neck.queuedLines).toBe(9);
      expect(neck.stats.bytesLost).toBe(264);
      expect(anomalies).toEqual([]);

      at(HOMED_AT);
      expect(anomalies).toEqual([
        { kind: 'bytes-lost', detail: '264 bytes: UART buffer full while homing', atMs: expect.any(Number) },
      ]);
      expect(anomalies[0]?.atMs).toBeCloseTo(400 + 257 * BYTE_MS, 9);
      expect(neck.stats.linesRun).toBe(9);
      expect(neck.pose).toEqual({ X: 9, Y: -3, Z: 2, H: 20, S: 1, A: 1, R: 0, P: 5 });

      // Nothing more comes: the read timeout takes the cut line 1 s after the firmware started reading it.
      at(HOMED_AT + 999);
      expect(neck.pose.P).toBe(5);
      at(HOMED_AT + 1000);
      const cut = 'X9,Y-3,Z2,H20,S1,A1,R0';
      expect(neck.received.at(-1)).toBe(cut);
      expect(neck.pose).toEqual({ X: 9, Y: -3, Z: 2, H: 20, S: 1, A: 1, R: 0, P: 0 });
      expect(neck.actuatorSteps).toEqual(headPoseToSteps({ X: 9, Y: -3, Z: 2, H: 20, S: 1, A: 1, R: 0, P: 0 }));
      expect(anomalies.slice(1)).toEqual([
        { kind: 'garbled-line', detail: cut, atMs: HOMED_AT + 1000 },
        { kind: 'split-line', detail: cut, atMs: HOMED_AT + 1000 },
      ]);
      expect(neck.stats).toEqual({
        bytesLost: 264,
        bytesLostBooting: 0,
        garbledLines: 1,
        splitLines: 1,
        refusedSettings: 0,
        undefinedTargets: 0,
        linesRun: 10,
      });
      expect(neck.droppedBytes).toBe(264);
    });

    it('fuses two lines when the `\\n` between them is lost: X123 then Y-4 runs as X123Y-4 (X123, Y0)', () => {
      const { neck, anomalies, at } = strictNeck();
      neck.boot();
      at(400);
      neck.receive(`${'H10\n'.repeat(63)}X123\n`);
      at(HOMED_AT);
      expect(neck.stats.bytesLost).toBe(1);
      expect(neck.pose).toEqual({ ...HOME_POSE, H: 10 });
      neck.receive('Y-4\n');
      at(HOMED_AT + 1);
      expect(neck.received.at(-1)).toBe('X123Y-4');
      expect(neck.pose).toEqual({ ...HOME_POSE, X: 123 });
      expect(neck.stats).toMatchObject({ bytesLost: 1, garbledLines: 1, splitLines: 0, linesRun: 64 });
      expect(anomalies.map((anomaly) => [anomaly.kind, anomaly.detail])).toEqual([
        ['bytes-lost', '1 byte: UART buffer full while homing'],
        ['garbled-line', 'X123Y-4'],
      ]);
    });

    it('decides by each byte’s arrival when homing ends: bytes before the end are lost, after it are read', () => {
      const { neck, at } = strictNeck();
      neck.boot();
      at(400);
      neck.receive('H10\n'.repeat(64));
      // "Y1\n" arrives just before homing ends (buffer full: lost whole), "X7\n" just after (read, intact).
      at(HOMED_AT - 3.5 * BYTE_MS);
      neck.receive('Y1\nX7\n');
      at(HOMED_AT + 1);
      expect(neck.stats.bytesLost).toBe(3);
      expect(neck.stats.garbledLines).toBe(0);
      expect(neck.received.at(-1)).toBe('X7');
      expect(neck.pose).toEqual({ ...HOME_POSE, X: 7 });
    });

    it('holds no bytes back while reading: a flood of moves is read as it arrives, none lost', () => {
      const { neck, at } = readingNeck();
      neck.receive(`${POSE}\n`.repeat(100));
      at(HOMED_AT + 2600 * BYTE_MS + 0.01);
      expect(neck.stats).toMatchObject({ bytesLost: 0, linesRun: 100 });
    });
  });

  describe('the 1 s read timeout (readStringUntil)', () => {
    it('runs each half of a line paused for over 1 s as a command, counting the piece the timeout took', () => {
      const { neck, anomalies, at } = readingNeck();
      neck.receive('X1,Y2');
      at(HOMED_AT + 1001);
      neck.receive(',H30\n');
      at(HOMED_AT + 1002);
      expect(neck.received).toEqual(['X1,Y2', ',H30']);
      expect(neck.pose).toEqual({ ...HOME_POSE, H: 30 });
      expect(neck.stats).toMatchObject({ splitLines: 1, linesRun: 2, garbledLines: 0 });
      expect(anomalies).toEqual([{ kind: 'split-line', detail: 'X1,Y2', atMs: expect.any(Number) }]);
      expect(anomalies[0]?.atMs).toBeCloseTo(HOMED_AT + 5 * BYTE_MS + 1000, 9);
    });

    it('times the pause from each byte’s arrival: a byte arriving within 1 s of the last keeps the line whole', () => {
      const { neck, at } = readingNeck();
      neck.receive('X1,Y2');
      at(HOMED_AT + 999);
      neck.receive(',H30\n');
      at(HOMED_AT + 1002);
      expect(neck.received).toEqual(['X1,Y2,H30']);
      expect(neck.stats.splitLines).toBe(0);
    });

    it('does not run while homing: the clock starts when the firmware reads again', () => {
      const { neck, at } = strictNeck();
      neck.boot();
      at(400);
      neck.receive('X4');
      at(HOMED_AT + 999);
      expect(neck.received).toEqual([]);
      at(HOMED_AT + 1000);
      expect(neck.received).toEqual(['X4']);
      expect(neck.pose.X).toBe(4);
      expect(neck.stats.splitLines).toBe(1);
    });
  });

  describe('speeds and accelerations the stepper library refuses', () => {
    it.each([
      ['S5', '240000 Hz > 201257, under 80 ticks of 16 MHz'],
      ['S4.2', '201599 Hz > 201257, under 80 ticks of 16 MHz'], // 48000 × 4.2 in 32-bit floats, truncated
      ['S0', '0 Hz ≤ 0'],
      ['S-1', '-48000 Hz ≤ 0'],
      ['S0.00001', '0 Hz ≤ 0'],
    ])('%s is refused: the speed stays, the pose still moves', (speed, why) => {
      const { neck, anomalies, settle } = readingNeck();
      neck.receive('X1,S2\n');
      neck.receive(`X10,H20,${speed}\n`);
      settle();
      expect(neck.speedHz).toBe(96_000);
      expect(neck.pose).toMatchObject({ X: 10, H: 20 });
      expect(neck.actuatorSteps).toEqual(headPoseToSteps({ ...HOME_POSE, X: 10, H: 20 }));
      expect(neck.stats.refusedSettings).toBe(1);
      expect(anomalies).toEqual([
        {
          kind: 'refused-speed',
          detail: `speed ${speed} (${why}): the stepper keeps 96000 Hz`,
          atMs: expect.any(Number),
        },
      ]);
    });

    it('takes S4.19, the fastest the driver runs (201120 Hz)', () => {
      const { neck, settle } = readingNeck();
      neck.receive('S4.19\n');
      settle();
      expect(neck.speedHz).toBe(201_120);
      expect(neck.stats.refusedSettings).toBe(0);
    });

    it.each(['A0', 'A-1'])('%s is refused: the acceleration stays', (accel) => {
      const { neck, anomalies, settle } = readingNeck();
      neck.receive('X1,A2\n');
      neck.receive(`X2,${accel}\n`);
      settle();
      expect(neck.accel).toBe(72_000);
      expect(neck.speedHz).toBe(48_000);
      expect(neck.pose.X).toBe(2);
      expect(anomalies.map((anomaly) => [anomaly.kind, anomaly.detail])).toEqual([
        [
          'refused-accel',
          `acceleration ${accel} (${accel === 'A0' ? 0 : -36000} steps/s² ≤ 0): the stepper keeps 72000 steps/s²`,
        ],
      ]);
    });

    it('refuses them in quaternion commands too (Q:…,S5)', () => {
      const { neck, settle } = readingNeck();
      neck.receive('Q:1,0,0,0,H10,S5\n');
      settle();
      expect(neck.pose.H).toBe(10);
      expect(neck.speedHz).toBe(144_000);
      expect(neck.stats.refusedSettings).toBe(1);
    });
  });

  describe('quaternions at ±90° pitch', () => {
    it.each(['Q:0.7071,0,0.7071,0', 'Q:0.7071,0,-0.7071,0'])(
      '%s: pitch is NaN in the maths and becomes some int, counted and reported',
      (command) => {
        const { neck, output, anomalies, settle } = readingNeck();
        neck.receive('X10,H20\n');
        neck.receive(`${command},H30\n`);
        settle();
        expect(output).toEqual([
          `Quaternion command received. Euler angles (deg): Yaw=180, Pitch=${2 ** 31 - 1}, Roll=180`,
        ]);
        expect(neck.pose).toEqual({ X: 180, Y: 2 ** 31 - 1, Z: 180, H: 30, S: 1, A: 1, R: 0, P: 0 });
        expect(neck.actuatorSteps.every(Number.isInteger)).toBe(true);
        expect(neck.stats.undefinedTargets).toBe(1);
        expect(anomalies).toEqual([
          {
            kind: 'undefined-targets',
            detail: `pitch is NaN for ${command},H30: the int it becomes is the chip's guess`,
            atMs: expect.any(Number),
          },
        ]);
      },
    );

    it('moves normally at 89° pitch', () => {
      const { neck, output, settle } = readingNeck();
      neck.receive('Q:0.7132504,0,0.7009093,0\n');
      settle();
      expect(output).toEqual(['Quaternion command received. Euler angles (deg): Yaw=0, Pitch=89, Roll=0']);
      expect(neck.actuatorSteps.some(Number.isNaN)).toBe(false);
      expect(neck.stats.undefinedTargets).toBe(0);
    });

    it('still reads at most six values: Q:w,x,y,z,H30,S2,A3 ignores A3', () => {
      const { neck, settle } = readingNeck();
      neck.receive('Q:1,0,0,0,H30,S2,A3\n');
      settle();
      expect(neck.pose).toEqual({ ...HOME_POSE, H: 30, S: 2 });
      expect(neck.accel).toBe(36_000);
    });
  });

  describe('legacy firmware (before Feb 2026)', () => {
    it('reads HEALTH as a head command: back to neutral, no answer', () => {
      const { neck, output, settle } = readingNeck({ firmware: 'legacy' });
      neck.receive('X10,H20\nHEALTH\n');
      settle();
      expect(neck.received).toEqual(['X10,H20', 'HEALTH']);
      expect(neck.pose).toEqual(HOME_POSE);
      expect(neck.actuatorSteps).toEqual(Array(6).fill(0));
      expect(output).toEqual([]);
    });

    it('reads STATUS as S0: the speed is refused, the head goes to neutral', () => {
      const { neck, output, anomalies, settle } = readingNeck({ firmware: 'legacy' });
      neck.receive('X10,H20,S2\nSTATUS\n');
      settle();
      expect(neck.pose).toEqual({ ...HOME_POSE, S: 0 });
      expect(neck.speedHz).toBe(96_000);
      expect(output).toEqual([]);
      expect(anomalies.map((anomaly) => anomaly.detail)).toEqual(['speed S0 (0 Hz ≤ 0): the stepper keeps 96000 Hz']);
    });

    it('reads HOME_SOFT as a head move to neutral, without homing', () => {
      const { neck, output, settle } = readingNeck({ firmware: 'legacy' });
      neck.receive('X10,H20\nHOME_SOFT\n');
      settle();
      expect(neck.state).toBe('reading');
      expect(neck.pose).toEqual(HOME_POSE);
      expect(output).toEqual([]);
    });

    it('homes on HOME and HOME_BRUTE as usual', () => {
      const { neck, output, at } = readingNeck({ firmware: 'legacy' });
      neck.receive('HOME\n');
      at(HOMED_AT + 4);
      expect(neck.state).toBe('homing');
      expect(output).toEqual(['Executing HOME_BRUTE command...']);
      at(HOMED_AT + 1 + BRUTE_MS);
      expect(neck.state).toBe('reading');
      neck.receive('home_brute\n');
      at(HOMED_AT + 2 + BRUTE_MS);
      expect(neck.homingSequence).toBe('HOME_BRUTE');
    });
  });

  describe('reporting', () => {
    it('goes off → booting → homing → reading → off', () => {
      const { neck, at } = strictNeck();
      const states = [neck.state];
      neck.boot();
      states.push(neck.state);
      at(BOOT_MS);
      states.push(neck.state);
      at(HOMED_AT);
      states.push(neck.state);
      neck.powerOff();
      states.push(neck.state);
      expect(states).toEqual(['off', 'booting', 'homing', 'reading', 'off']);
    });

    it('keeps at most historyLimit anomalies and stops calling an unsubscribed listener', () => {
      const { neck, settle } = readingNeck({ historyLimit: 2 });
      const heard: string[] = [];
      const unsubscribe = neck.onAnomaly((anomaly) => heard.push(anomaly.detail));
      neck.receive('S5\n');
      settle();
      unsubscribe();
      neck.receive('S6\nS7\n');
      settle();
      expect(heard).toHaveLength(1);
      expect(neck.anomalies.map((anomaly) => anomaly.detail.split(' ')[1])).toEqual(['S6', 'S7']);
      expect(neck.stats.refusedSettings).toBe(3);
    });

    it('reports a burst of lost bytes when the board is powered off in the middle of it', () => {
      const { neck, anomalies, at } = strictNeck();
      neck.boot();
      neck.receive('HEALTH\n');
      at(1);
      expect(anomalies).toEqual([]);
      neck.powerOff();
      expect(anomalies.map((anomaly) => anomaly.detail)).toEqual(['7 bytes: sent while the board was booting']);
      expect(neck.stats.bytesLost).toBe(7);
    });

    it('calls onReceived with each line as it reaches the firmware', () => {
      const { neck, settle } = readingNeck();
      const heard: string[] = [];
      neck.onReceived((line) => heard.push(line));
      neck.receive('X1\r\nHEA');
      settle();
      expect(heard).toEqual(['X1']);
    });

    it('refuses a wire rate of 0 and an unknown firmware, saying what it takes', () => {
      expect(() => new VirtualNeck({ wireBytesPerSecond: 0 })).toThrow(/wireBytesPerSecond must be a number > 0/);
      expect(() => new VirtualNeck({ bootMs: -1 })).toThrow(/bootMs/);
      // @ts-expect-error an unknown firmware variant, as from untyped configuration
      expect(() => new VirtualNeck({ firmware: 'beta' })).toThrow(/firmware must be one of current, legacy/);
    });
  });
});

describe('VirtualNeck: listeners for what runs and when the state changes', () => {
  it('reports each state change and each line run with the firmware time', () => {
    const scheduler = new ManualScheduler();
    const neck = new VirtualNeck({ scheduler });
    const states: [string, number][] = [];
    const runs: [string, number][] = [];
    neck.onState((state, atMs) => states.push([state, atMs]));
    neck.onRun((line, atMs) => runs.push([line, Math.round(atMs * 100) / 100]));
    neck.boot();
    scheduler.advance(5350);
    neck.receive('X10\n');
    scheduler.advance(10);
    neck.powerOff();
    expect(states).toEqual([
      ['booting', 0],
      ['homing', 300],
      ['reading', 5350],
      ['off', 5360],
    ]);
    // 4 bytes at 86.8 µs each.
    expect(runs).toEqual([['X10', 5350.35]]);
  });
});
