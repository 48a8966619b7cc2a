import { HOME_POSE, headPoseToSteps, parseHealthLine } from '@neck-signal/protocol';
import { homingDurationMs } from './homing';
import { ManualScheduler } from './scheduler';
import { ESP32_BOOT_BANNER, VirtualNeck, VirtualNeckOptions } from './virtual-neck';

const BRUTE_MS = homingDurationMs('HOME_BRUTE');
const SOFT_MS = homingDurationMs('HOME_SOFT');

/** The hardships these specs are not about, turned off: no boot delay, instant wire, endless UART buffer. */
const KIND: VirtualNeckOptions = { bootMs: 0, wireBytesPerSecond: Infinity, rxBufferBytes: Infinity };

/** A neck that has booted and finished its boot homing, with its printed lines collected from then on. */
function homedNeck(options: VirtualNeckOptions = {}) {
  const scheduler = new ManualScheduler();
  const neck = new VirtualNeck({ scheduler, ...KIND, ...options });
  const output: string[] = [];
  neck.onLine((line) => output.push(line));
  neck.boot();
  scheduler.advance(BRUTE_MS);
  output.length = 0;
  return { neck, scheduler, output };
}

function health(neck: VirtualNeck, output: string[]) {
  neck.receive('HEALTH\n');
  const parsed = parseHealthLine(output[output.length - 1] ?? '');
  if (!parsed) throw new Error(`no HEALTH answer in ${JSON.stringify(output)}`);
  return parsed;
}

describe('VirtualNeck', () => {
  describe('boot and homing', () => {
    it('homes with HOME_BRUTE on boot: -55 mm for 2.3 s, zero, 0.15 s, -80 mm for 2.6 s, zero', () => {
      const scheduler = new ManualScheduler();
      const neck = new VirtualNeck({ scheduler, ...KIND });
      const output: string[] = [];
      neck.onLine((line) => output.push(line));
      neck.boot();

      expect(output).toEqual(['Executing HOME_BRUTE command...']);
      expect(neck.homing).toBe(true);
      expect(neck.homingSequence).toBe('HOME_BRUTE');
      expect(neck.bypassClamp).toBe(true);
      expect(neck.actuatorsMm).toEqual(Array(6).fill(-55));
      expect(neck.speedHz).toBe(120_000);

      scheduler.advance(2299);
      expect(neck.actuatorSteps).toEqual(Array(6).fill(-22_000));
      scheduler.advance(1);
      expect(neck.actuatorSteps).toEqual(Array(6).fill(0));
      expect(neck.bypassClamp).toBe(false);
      expect(neck.homing).toBe(true);

      scheduler.advance(150);
      expect(neck.actuatorSteps).toEqual(Array(6).fill(-32_000));
      expect(neck.accel).toBe(108_000);

      scheduler.advance(2599);
      expect(neck.homing).toBe(true);
      scheduler.advance(1);
      expect(scheduler.now()).toBe(5050);
      expect(neck.homing).toBe(false);
      expect(neck.homingSequence).toBeNull();
      expect(neck.pose).toEqual(HOME_POSE);
      expect(neck.actuatorsMm).toEqual(Array(6).fill(0));
      expect(neck.speedHz).toBe(144_000);
      expect(scheduler.pending).toBe(0);
    });

    it('queues commands that arrive while homing and runs them in order afterwards', () => {
      const scheduler = new ManualScheduler();
      const neck = new VirtualNeck({ scheduler, ...KIND });
      const output: string[] = [];
      neck.onLine((line) => output.push(line));
      neck.boot();
      scheduler.advance(1000);

      neck.receive('X10\nHEALTH\n');
      expect(neck.received).toEqual(['X10', 'HEALTH']);
      expect(neck.queuedLines).toBe(2);
      expect(output).toEqual(['Executing HOME_BRUTE command...']);
      expect(neck.pose.X).toBe(0);

      scheduler.advance(BRUTE_MS - 1000);
      expect(neck.queuedLines).toBe(0);
      expect(neck.pose.X).toBe(10);
      expect(output).toHaveLength(2);
      expect(parseHealthLine(output[1])?.uptimeMs).toBe(BRUTE_MS);
    });

    it.each(['HOME', 'HOME_BRUTE', 'home', ' Home_Brute '])('%j runs HOME_BRUTE (about 5 s)', (command) => {
      const { neck, scheduler, output } = homedNeck();
      neck.receive('X30,H40\n');
      neck.receive(`${command}\n`);
      expect(output).toEqual(['Executing HOME_BRUTE command...']);
      expect(neck.homing).toBe(true);
      scheduler.advance(BRUTE_MS - 1);
      expect(neck.homing).toBe(true);
      scheduler.advance(1);
      expect(neck.homing).toBe(false);
      expect(neck.pose).toEqual(HOME_POSE);
      expect(neck.actuatorSteps).toEqual(Array(6).fill(0));
    });

    it('runs HOME_SOFT: -40 mm for 2.2 s, then zero', () => {
      const { neck, scheduler, output } = homedNeck();
      neck.receive('X30,H40\nhome_soft\n');
      expect(output).toEqual(['Executing HOME_SOFT command...']);
      expect(neck.homingSequence).toBe('HOME_SOFT');
      expect(neck.actuatorsMm).toEqual(Array(6).fill(-40));
      expect(SOFT_MS).toBe(2200);
      scheduler.advance(SOFT_MS - 1);
      expect(neck.homing).toBe(true);
      scheduler.advance(1);
      expect(neck.homing).toBe(false);
      expect(neck.pose).toEqual(HOME_POSE);
      expect(neck.actuatorsMm).toEqual(Array(6).fill(0));
    });

    it('scales homing time with homingScale', () => {
      const scheduler = new ManualScheduler();
      const neck = new VirtualNeck({ scheduler, ...KIND, homingScale: 0.01 });
      neck.boot();
      scheduler.advance(50);
      expect(neck.homing).toBe(true);
      scheduler.advance(0.5);
      expect(neck.homing).toBe(false);
    });

    it('homes at once with homingScale 0, setting no timer', () => {
      const scheduler = new ManualScheduler();
      const neck = new VirtualNeck({ scheduler, ...KIND, homingScale: 0 });
      const output: string[] = [];
      neck.onLine((line) => output.push(line));
      neck.boot();
      neck.receive('HOME|HEALTH\n');
      expect(neck.homing).toBe(false);
      expect(scheduler.pending).toBe(0);
      expect(output[0]).toBe('Executing HOME_BRUTE command...');
      expect(output[1]).toBe('Executing HOME_BRUTE command...');
      expect(output[2]).toMatch(/^HEALTH\|/);
    });

    it('prints the boot banner, when given, before homing', () => {
      const scheduler = new ManualScheduler();
      const neck = new VirtualNeck({ scheduler, ...KIND, bootBanner: ESP32_BOOT_BANNER });
      neck.boot();
      expect(neck.printed).toEqual([...ESP32_BOOT_BANNER, 'Executing HOME_BRUTE command...']);
    });

    it('resolves idle() once homing and every queued line are done', async () => {
      const scheduler = new ManualScheduler();
      const neck = new VirtualNeck({ scheduler, ...KIND });
      neck.boot();
      neck.receive('X5\n');
      let idle = false;
      const done = neck.idle().then(() => {
        idle = true;
      });
      await Promise.resolve();
      expect(idle).toBe(false);
      scheduler.advance(BRUTE_MS);
      await done;
      expect(idle).toBe(true);
      expect(neck.pose.X).toBe(5);
      await expect(neck.idle()).resolves.toBeUndefined();
    });

    it('a reboot restarts uptime, forgets unread input and homes again', () => {
      const { neck, scheduler, output } = homedNeck();
      scheduler.advance(10_000);
      neck.receive('HOME\nX10\nHEA');
      neck.boot();
      expect(neck.boots).toBe(2);
      expect(neck.queuedLines).toBe(0);
      scheduler.advance(BRUTE_MS);
      expect(neck.pose).toEqual(HOME_POSE);
      expect(health(neck, output).uptimeMs).toBe(BRUTE_MS);
    });
  });

  describe('HEALTH', () => {
    it('answers HEALTH with every field the firmware prints (speed and accel: the sketch’s base rates)', () => {
      const { neck, scheduler, output } = homedNeck();
      scheduler.advance(1234);
      neck.receive('HEALTH\n');
      expect(output).toEqual([
        `HEALTH|DEVICE=NECK|ROLE=STEWART_NECK|PROTO=1|UPTIME_MS=${BRUTE_MS + 1234}|BAUD=115200|BT_NAME=NECK_BT|MOTORS=6|SPEED_HZ=48000|ACCEL=36000|BYPASS_CLAMP=0`,
      ]);
    });

    it.each(['STATUS', 'health', ' Status\r'])('answers %j the same way', (command) => {
      const { neck, output } = homedNeck();
      neck.receive(`${command}\n`);
      expect(parseHealthLine(output[0] ?? '')?.device).toBe('NECK');
    });

    it('reports the base rates whatever the last head move set, and the configured baud', () => {
      const { neck, output } = homedNeck({ baudRate: 57_600 });
      neck.receive('X1,S1.5,A2\n');
      expect(neck.speedHz).toBe(72_000);
      const first = health(neck, output);
      expect(first.speedHz).toBe(48_000);
      expect(first.accel).toBe(36_000);
      expect(first.baud).toBe(57_600);
    });

    it('truncates the speed as the firmware does with a float product', () => {
      const { neck } = homedNeck();
      neck.receive('S0.7,A0.3333\n');
      expect(neck.speedHz).toBe(33_600);
      expect(neck.accel).toBe(11_998);
    });
  });

  describe('head commands', () => {
    it('moves to a full pose, 10 steps per unit of X Y Z R P and 400 per unit of H', () => {
      const { neck, output } = homedNeck();
      neck.receive('X50,Y-20,Z0,H30,S1.5,A1,R0,P0\n');
      expect(output).toEqual([]);
      expect(neck.pose).toEqual({ X: 50, Y: -20, Z: 0, H: 30, S: 1.5, A: 1, R: 0, P: 0 });
      expect(neck.actuatorSteps).toEqual([11_300, 12_700, 11_700, 12_300, 11_300, 12_700]);
      expect(neck.actuatorsMm).toEqual([28.25, 31.75, 29.25, 30.75, 28.25, 31.75]);
      expect(neck.actuatorSteps).toEqual(headPoseToSteps(neck.pose));
    });

    it('resets every axis a command leaves out (X Y Z H R P to 0, S A to 1)', () => {
      const { neck } = homedNeck();
      neck.receive('X50,Y10,Z5,H20,S2,A3,R7,P8\n');
      neck.receive('Y-20\n');
      expect(neck.pose).toEqual({ ...HOME_POSE, Y: -20 });
      expect(neck.speedHz).toBe(48_000);
    });

    it('clamps head targets to 0…32000 steps (0–80 mm)', () => {
      const { neck } = homedNeck();
      neck.receive('X700\n');
      expect(neck.actuatorSteps).toEqual([0, 7000, 0, 7000, 0, 7000]);
      neck.receive('H70,Y700\n');
      expect(neck.actuatorSteps).toEqual([32_000, 21_000, 21_000, 32_000, 32_000, 21_000]);
      expect(Math.max(...neck.actuatorsMm)).toBe(80);
      neck.receive('H200\n');
      expect(neck.actuatorsMm).toEqual(Array(6).fill(80));
    });

    it('reads numbers with atof and truncates into ints', () => {
      const { neck } = homedNeck();
      neck.receive('X12.9,Y-3.7,Z1e2,H 30,Pabc,R0x10\n');
      expect(neck.pose).toEqual({ ...HOME_POSE, X: 12, Y: -3, Z: 100, H: 30, R: 16 });
    });

    it('takes the last value of an axis given twice', () => {
      const { neck } = homedNeck();
      neck.receive('X10,X20\n');
      expect(neck.pose.X).toBe(20);
    });

    it('ignores tokens it does not know, including lower-case letters and a space after a comma', () => {
      const { neck, output } = homedNeck();
      neck.receive('X10, Y20,y30,W5,H2\n');
      expect(neck.pose).toEqual({ ...HOME_POSE, X: 10, H: 2 });
      expect(output).toEqual([]);
    });

    it('treats an unknown line as a head command with nothing set: silently back to X0,Y0,Z0,H0', () => {
      const { neck, output } = homedNeck();
      for (const line of ['hello', 'x50', 'FOO BAR']) {
        neck.receive('X50,H20\n');
        neck.receive(`${line}\n`);
        expect(neck.pose).toEqual(HOME_POSE);
        expect(neck.actuatorSteps).toEqual(Array(6).fill(0));
      }
      expect(output).toEqual([]);
    });
  });

  describe('direct actuator commands', () => {
    it('moves actuators at 426.67 steps per mm, truncated, and leaves the head pose alone', () => {
      const { neck, output } = homedNeck();
      neck.receive('X10,H20\n');
      neck.receive('1:55,2:60.5\n');
      expect(output).toEqual([]);
      const steps = neck.actuatorSteps;
      expect(steps.slice(0, 2)).toEqual([23_466, 25_813]);
      expect(steps.slice(2)).toEqual(headPoseToSteps({ ...HOME_POSE, X: 10, H: 20 }).slice(2));
      expect(neck.actuatorsMm[0]).toBeCloseTo(23_466 / 426.67, 9);
      expect(neck.actuatorsMm[2]).toBe(steps[2] / 400);
      expect(neck.pose).toEqual({ ...HOME_POSE, X: 10, H: 20 });
    });

    it('does not clamp direct targets', () => {
      const { neck } = homedNeck();
      neck.receive('3:100,4:-5,5:1000\n');
      expect(neck.actuatorSteps.slice(2, 5)).toEqual([42_667, -2133, 426_670]);
      expect(neck.actuatorsMm[2]).toBeCloseTo(100, 2);
      expect(neck.actuatorsMm[4]).toBeGreaterThan(80);
    });

    it('prints "Invalid stepper number" for ids outside 1–6 and still runs the other targets', () => {
      const { neck, output } = homedNeck();
      neck.receive('7:10,2:10,0:5,abc:3,6:1\n');
      expect(output).toEqual(['Invalid stepper number', 'Invalid stepper number', 'Invalid stepper number']);
      expect(neck.actuatorSteps[1]).toBe(4266);
      expect(neck.actuatorSteps[5]).toBe(426);
    });

    it('skips tokens without a colon and reads ids and lengths leniently', () => {
      const { neck, output } = homedNeck();
      neck.receive('X5, 2:10mm,junk,1 : 2\n');
      expect(output).toEqual([]);
      expect(neck.actuatorSteps[1]).toBe(4266);
      expect(neck.actuatorSteps[0]).toBe(853);
    });

    it('reads a lower-case q: quaternion as actuator targets, as the firmware does', () => {
      const { neck, output } = homedNeck();
      neck.receive('q:1,0,0,0\n');
      expect(output).toEqual(['Invalid stepper number']);
    });
  });

  describe('quaternion commands', () => {
    it('prints the Euler angles and applies X=yaw, Y=pitch, Z=roll, R=P=0 with the H, S, A given', () => {
      const { neck, output } = homedNeck();
      neck.receive('X5,R3,P4\n');
      neck.receive('Q:0.9659258,0,0.258819,0,H30,S2\n');
      expect(output).toEqual(['Quaternion command received. Euler angles (deg): Yaw=0, Pitch=30, Roll=0']);
      expect(neck.pose).toEqual({ X: 0, Y: 30, Z: 0, H: 30, S: 2, A: 1, R: 0, P: 0 });
      expect(neck.actuatorSteps).toEqual([12_300, 11_700, 11_700, 12_300, 12_300, 11_700]);
      expect(neck.speedHz).toBe(96_000);
    });

    it('normalises the quaternion first', () => {
      const { neck, output } = homedNeck();
      neck.receive('Q:2,0,0,2\n');
      neck.receive('Q 0.9238795,0.3826834,0,0\n');
      expect(output).toEqual([
        'Quaternion command received. Euler angles (deg): Yaw=90, Pitch=0, Roll=0',
        'Quaternion command received. Euler angles (deg): Yaw=0, Pitch=0, Roll=45',
      ]);
      expect(neck.pose.Z).toBe(45);
    });

    it('resets H, S and A when omitted', () => {
      const { neck } = homedNeck();
      neck.receive('Q:1,0,0,0,H20,S3,A3\n');
      neck.receive('Q:1,0,0,0\n');
      expect(neck.pose).toEqual(HOME_POSE);
    });

    it('reads only the first six tokens, so a seventh (A after H and S) is ignored', () => {
      const { neck } = homedNeck();
      neck.receive('Q:1,0,0,0,H30,S2,A3\n');
      expect(neck.pose).toEqual({ ...HOME_POSE, H: 30, S: 2, A: 1 });
      neck.receive('Q:1,0,0,0,A3\n');
      expect(neck.pose.A).toBe(3);
    });

    it('reads H with atol (so H30.9 is 30) and S, A with atof', () => {
      const { neck } = homedNeck();
      neck.receive('Q:1,0,0,0, H30.9,S1e0\n');
      expect(neck.pose).toEqual({ ...HOME_POSE, H: 30, S: 1 });
    });

    it.each(['Q:1,0,0', 'Q:', 'Q', 'Q:1,0,0,', 'Q1'])(
      '%j prints "Invalid quaternion command: not enough parameters."',
      (command) => {
        const { neck, output } = homedNeck();
        neck.receive('X5\n');
        neck.receive(`${command}\n`);
        expect(output).toEqual(['Invalid quaternion command: not enough parameters.']);
        expect(neck.pose.X).toBe(5);
      },
    );

    it.each(['Q:0,0,0,0', 'Q:0,0,0,0,H30', 'Q:a,b,c,d', 'Q:1e-30,0,0,0'])(
      '%j prints "Invalid quaternion: norm is zero."',
      (command) => {
        const { neck, output } = homedNeck();
        neck.receive('X5\n');
        neck.receive(`${command}\n`);
        expect(output).toEqual(['Invalid quaternion: norm is zero.']);
        expect(neck.pose.X).toBe(5);
      },
    );
  });

  describe('compound commands', () => {
    it('runs every part in order, homing blocking the parts after it', () => {
      const { neck, scheduler, output } = homedNeck();
      const posesAtHealth: unknown[] = [];
      neck.onLine((line) => {
        if (line.startsWith('HEALTH|')) posesAtHealth.push(neck.pose);
      });
      neck.receive('X10|HEALTH|HOME_SOFT|Y5|STATUS\n');
      expect(posesAtHealth).toEqual([{ ...HOME_POSE, X: 10 }]);
      expect(neck.homingSequence).toBe('HOME_SOFT');
      expect(output).toHaveLength(2);
      expect(output[0]).toMatch(/^HEALTH\|/);
      expect(output[1]).toBe('Executing HOME_SOFT command...');
      scheduler.advance(SOFT_MS);
      expect(neck.pose).toEqual({ ...HOME_POSE, Y: 5 });
      expect(output).toHaveLength(3);
      expect(output[2]).toMatch(/^HEALTH\|/);
      expect(posesAtHealth).toEqual([
        { ...HOME_POSE, X: 10 },
        { ...HOME_POSE, Y: 5 },
      ]);
    });

    it('sets no limit on the number of parts, as the firmware does not', () => {
      const { neck, output } = homedNeck();
      neck.receive(`${Array.from({ length: 10 }, () => '9:1').join('|')}\n`);
      expect(output).toEqual(Array(10).fill('Invalid stepper number'));
    });

    it('skips empty parts and trims each part', () => {
      const { neck, output } = homedNeck();
      neck.receive('|| health |X7|\n');
      expect(output).toHaveLength(1);
      expect(neck.pose.X).toBe(7);
    });
  });

  describe('reading lines', () => {
    it('accepts \\n and \\r\\n, lines split across chunks and several lines in one chunk', () => {
      const { neck, output } = homedNeck();
      neck.receive('X1\r\nHEA');
      expect(neck.received).toEqual(['X1']);
      neck.receive(Buffer.from('LTH\nY2\n'));
      neck.receive(new Uint8Array([0x5a, 0x33, 0x0a]));
      expect(neck.received).toEqual(['X1', 'HEALTH', 'Y2', 'Z3']);
      expect(output).toHaveLength(1);
      expect(neck.pose).toEqual({ ...HOME_POSE, Z: 3 });
    });

    it('logs every line exactly, blank ones and unknown ones too, and runs blank ones as nothing', () => {
      const { neck, output } = homedNeck();
      neck.receive('\n  \nX5 \n???\n');
      expect(neck.received).toEqual(['', '  ', 'X5 ', '???']);
      expect(output).toEqual([]);
    });

    it('takes a line with no newline after 1 s of silence, as readStringUntil times out', () => {
      const { neck, scheduler, output } = homedNeck();
      neck.receive('HEAL');
      scheduler.advance(900);
      neck.receive('TH');
      scheduler.advance(999);
      expect(output).toEqual([]);
      scheduler.advance(1);
      expect(neck.received).toEqual(['HEALTH']);
      expect(output).toHaveLength(1);
    });

    it('waits for the newline forever with lineTimeoutMs Infinity', () => {
      const { neck, scheduler } = homedNeck({ lineTimeoutMs: Infinity });
      neck.receive('X9');
      expect(scheduler.pending).toBe(0);
      scheduler.advance(60_000);
      expect(neck.received).toEqual([]);
      neck.receive('\n');
      expect(neck.pose.X).toBe(9);
    });

    it('loses bytes beyond rxBufferBytes while homing, and none when idle', () => {
      const { neck, scheduler } = homedNeck({ rxBufferBytes: 8 });
      neck.receive('X10,Y20,Z30,H40\n');
      expect(neck.droppedBytes).toBe(0);
      neck.receive('HOME\n');
      neck.receive('X1\nY2\nZ3\n');
      expect(neck.droppedBytes).toBe(1);
      expect(neck.received.slice(-2)).toEqual(['X1', 'Y2']);
      scheduler.advance(BRUTE_MS);
      expect(neck.pose).toEqual({ ...HOME_POSE, Y: 2 });
    });

    it('keeps at most historyLimit lines in each log', () => {
      const { neck } = homedNeck({ historyLimit: 3 });
      neck.receive('1:1\n2:2\n3:3\n4:4\nHEALTH\n');
      expect(neck.received).toEqual(['3:3', '4:4', 'HEALTH']);
      expect(neck.printed).toHaveLength(2);
    });

    it('lets a listener answer a printed line at once; the answer runs after the current line', () => {
      const { neck } = homedNeck();
      neck.onLine((line) => {
        if (line.startsWith('Quaternion')) neck.receive('X5\n');
      });
      neck.receive('Q:1,0,0,0|Y9\n');
      expect(neck.pose).toEqual({ ...HOME_POSE, X: 5 });
      expect(neck.received).toEqual(['Q:1,0,0,0|Y9', 'X5']);
    });
  });

  describe('power and listeners', () => {
    it('refuses input while powered off, saying what to do', () => {
      const neck = new VirtualNeck({ scheduler: new ManualScheduler() });
      expect(neck.isPowered).toBe(false);
      expect(() => neck.receive('HEALTH\n')).toThrow(/call boot\(\) first/);
      expect(neck.uptimeMs).toBe(0);
    });

    it('cancels homing and timers on powerOff and rejects idle() waiters', async () => {
      const scheduler = new ManualScheduler();
      const neck = new VirtualNeck({ scheduler, ...KIND });
      neck.boot();
      neck.receive('X1\nHEA');
      const waiting = neck.idle();
      neck.powerOff();
      await expect(waiting).rejects.toThrow(/powered off/);
      await expect(neck.idle()).rejects.toThrow(/boot\(\)/);
      expect(neck.homing).toBe(false);
      expect(neck.queuedLines).toBe(0);
      expect(scheduler.pending).toBe(0);
    });

    it('stops calling a listener once unsubscribed', () => {
      const { neck } = homedNeck();
      const listener = jest.fn();
      const unsubscribe = neck.onLine(listener);
      neck.receive('HEALTH\n');
      unsubscribe();
      neck.receive('HEALTH\n');
      expect(listener).toHaveBeenCalledTimes(1);
      expect(neck.printed.filter((line) => line.startsWith('HEALTH|'))).toHaveLength(2);
    });

    it('refuses negative or NaN options with the option named', () => {
      expect(() => new VirtualNeck({ homingScale: -1 })).toThrow(/homingScale/);
      expect(() => new VirtualNeck({ rxBufferBytes: NaN })).toThrow(/rxBufferBytes/);
    });
  });

  describe('on real timers (jest fake timers)', () => {
    afterEach(() => {
      jest.useRealTimers();
    });

    it('homes in 5050 ms of timer time and reports uptime from the faked clock', () => {
      jest.useFakeTimers();
      const neck = new VirtualNeck(KIND);
      const output: string[] = [];
      neck.onLine((line) => output.push(line));
      neck.boot();
      neck.receive('HEALTH\n');
      jest.advanceTimersByTime(5049);
      expect(neck.homing).toBe(true);
      expect(output).toHaveLength(1);
      jest.advanceTimersByTime(1);
      expect(neck.homing).toBe(false);
      expect(parseHealthLine(output[1] ?? '')?.uptimeMs).toBe(5050);
      neck.powerOff();
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
