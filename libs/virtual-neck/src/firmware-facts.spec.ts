import { parseHealthLine } from '@neck-signal/protocol';
import { homingDurationMs } from './homing';
import { ManualScheduler } from './scheduler';
import { VirtualNeck } from './virtual-neck';

/**
 * Where the virtual neck once disagreed with the real sketch (`src/main.cpp` of Dropbear-Neck-Assembly, built for
 * Linux with an honest UART): one spec per fact, naming the sketch's lines. The adversary in each is the firmware's
 * own C arithmetic or timing, fed exactly what a host other than our agent might send.
 */

const HOMED_AT = 300 + homingDurationMs('HOME_BRUTE');

function readingNeck() {
  const scheduler = new ManualScheduler();
  const neck = new VirtualNeck({ scheduler });
  const output: string[] = [];
  neck.onLine((line) => output.push(line));
  neck.boot();
  scheduler.advance(HOMED_AT + 10);
  expect(neck.state).toBe('reading');
  output.length = 0;
  /** Lets 200 ms pass: time for 2304 bytes to arrive and the answers to leave. */
  const settle = () => scheduler.advance(200);
  return { neck, scheduler, output, settle };
}

describe('the firmware facts the virtual neck follows (issue 22)', () => {
  it('1. HEALTH reports the base rates, always: emitHealthReport prints speedVar/accVar (l.199–201), never assigned after l.90–91', () => {
    const { neck, output, settle } = readingNeck();
    // After boot homing the stepper runs at HOME_BRUTE's 144 kHz, and S2 asks for 96 kHz: HEALTH says neither.
    expect(neck.speedHz).toBe(144_000);
    neck.receive('HEALTH\nX1,S2,A2\nHEALTH\n');
    settle();
    expect(neck.speedHz).toBe(96_000);
    expect(output.map((line) => parseHealthLine(line))).toEqual([
      expect.objectContaining({ speedHz: 48_000, accel: 36_000 }),
      expect.objectContaining({ speedHz: 48_000, accel: 36_000 }),
    ]);
  });

  it("2. a NUL byte ends a token: String::indexOf is strchr-based (l.376, l.446, l.490), so the search stops at '\\0'", () => {
    const { neck, settle } = readingNeck();
    neck.receive('X10\0,Y20\n');
    settle();
    // One token, `X10\0,Y20`, whose number reads as 10: Y stays 0.
    expect(neck.pose).toMatchObject({ X: 10, Y: 0 });
    neck.receive('1:5\0|2:5\n');
    settle();
    // One part, `1:5\0|2:5`: actuator 1 moves to 5 mm (2133 steps), actuator 2 keeps its head target.
    expect(neck.actuatorSteps.slice(0, 2)).toEqual([2133, 100]);
  });

  it('3. quaternion → Euler in double precision, rounded half away from zero (l.711–718: 2.0 * (…), 180.0 / PI, round)', () => {
    const { neck, output, settle } = readingNeck();
    neck.receive('Q:0.83146961,-0.55557023,0,0\nQ:0.55557023,0,0,0.83146961\n');
    settle();
    expect(output).toEqual([
      'Quaternion command received. Euler angles (deg): Yaw=0, Pitch=0, Roll=-68',
      'Quaternion command received. Euler angles (deg): Yaw=112, Pitch=0, Roll=0',
    ]);
    expect(neck.pose).toMatchObject({ X: 112, Y: 0, Z: 0 });
  });

  describe('4. integers are C ints (int angleX… l.479–484, int move1… l.273–293, int newSpeed l.325–326)', () => {
    it('a NaN pitch becomes an int, not NaN (Q:0.7071,0,0.7071,0 at the asin edge, l.712, l.717)', () => {
      const { neck, output, settle } = readingNeck();
      neck.receive('Q:0.7071,0,0.7071,0\n');
      settle();
      expect(output).toHaveLength(1);
      expect(output[0]).toMatch(/^Quaternion command received\. Euler angles \(deg\): Yaw=180, Pitch=-?\d+, Roll=180$/);
      expect(neck.actuatorSteps.every(Number.isInteger)).toBe(true);
      expect(neck.stats.undefinedTargets).toBe(1);
    });

    it('a huge float acceleration becomes an int (A1e9: 36000 × 1e9 does not fit)', () => {
      const { neck, settle } = readingNeck();
      neck.receive('A1e9\n');
      settle();
      expect(Number.isInteger(neck.accel)).toBe(true);
      expect(Math.abs(neck.accel)).toBeLessThanOrEqual(2 ** 31);
    });

    it('int sums wrap: X-200000000,H5000000 takes actuator 1 past 2³¹ to a negative int, clamped to 0', () => {
      const { neck, settle } = readingNeck();
      neck.receive('X-200000000,H5000000\n');
      settle();
      expect(neck.actuatorSteps[0]).toBe(0);
    });
  });

  it("5. the speed limit is FastAccelStepper's own rounding (setSpeedInHz → divForHz, l.331): S4.192 (201,216 Hz) is taken", () => {
    const { neck, settle } = readingNeck();
    neck.receive('X0,S4.192\n');
    settle();
    expect(neck.speedHz).toBe(201_216);
    expect(neck.stats.refusedSettings).toBe(0);
    neck.receive('X0,S4.2\n');
    settle();
    expect(neck.speedHz).toBe(201_216);
    expect(neck.stats.refusedSettings).toBe(1);
  });

  it('6. printing blocks reading: Serial.println (l.605) waits while the TX drains to 128 bytes, and the sketch reads nothing meanwhile', () => {
    const { neck, output, settle } = readingNeck();
    // 18 invalid steppers in one line: 432 bytes of answers; then 50 poses in one write, at the wire's rate.
    const poses = Array.from({ length: 50 }, (_, i) => `X${i},Y0,Z0,H10,S1,A1,R0,P0\n`).join('');
    neck.receive(`${Array<string>(18).fill('0:1').join(',')}\n${poses}`);
    settle();
    expect(output).toEqual(Array<string>(18).fill('Invalid stepper number'));
    // The real sketch lost 49 bytes of this stream and ran one line garbled.
    expect(neck.stats.bytesLost).toBeGreaterThanOrEqual(40);
    expect(neck.stats.bytesLost).toBeLessThanOrEqual(60);
    expect(neck.stats.garbledLines).toBeGreaterThanOrEqual(1);
    expect(neck.anomalies.map((anomaly) => anomaly.detail)).toContainEqual(
      expect.stringMatching(/bytes: UART buffer full while the firmware waited for its output to leave$/),
    );
  });

  it('6. printing costs wire time: a HEALTH answer (~160 bytes) reaches the host once its last byte has left', () => {
    const { neck, scheduler, output } = readingNeck();
    neck.receive('HEALTH\n');
    scheduler.advance(7 * (1000 / 11_520) + 0.01);
    const answer = neck.printed.at(-1) ?? '';
    expect(answer).toMatch(/^HEALTH\|/);
    expect(output).toEqual([]);
    const bytes = answer.length + 2;
    scheduler.advance(bytes * (1000 / 11_520));
    expect(output).toHaveLength(1);
  });
});
