import { AckErrorDto, HOMING_DURATION_MS, byteTimeMs, parseNeckCommand, printedBytesOf } from '@neck-signal/protocol';
import { SerialLink } from '../serial/serial-link';
import {
  DEFAULT_FIRMWARE_TIMING,
  FirmwareSession,
  LineTiming,
  MAX_HELD_COMMANDS,
  QueuedLine,
} from './firmware-session';

const HEALTH_ANSWER =
  'HEALTH|DEVICE=NECK|ROLE=STEWART_NECK|PROTO=1|UPTIME_MS=6000|BAUD=115200|BT_NAME=NECK_BT|MOTORS=6|SPEED_HZ=144000|ACCEL=108000|BYPASS_CLAMP=0';
const ANNOUNCE_BRUTE = 'Executing HOME_BRUTE command...';
const ANNOUNCE_SOFT = 'Executing HOME_SOFT command...';
const BYTE_MS = byteTimeMs(115_200);
const { bootQuietMs, answerMarginMs, legacyMarginMs } = DEFAULT_FIRMWARE_TIMING;

/** A port that records each line written and when (fake time); the firmware's side is played by the test. */
class RecordingLink implements SerialLink {
  readonly path = '/dev/ttyTEST0';
  readonly writes: { line: string; at: number }[] = [];
  isOpen = true;
  /** How long a write takes to drain, ms: 0 drains at once (as a PTY does). */
  drainMs = 0;

  write(line: string): Promise<void> {
    if (!this.isOpen) return Promise.reject(new Error(`${this.path} is not open`));
    this.writes.push({ line, at: performance.now() });
    if (this.drainMs === 0) return Promise.resolve();
    return new Promise((resolve) => setTimeout(resolve, this.drainMs));
  }
  onLine(): () => void {
    return () => undefined;
  }
  onClose(): void {}
  close(): Promise<void> {
    this.isOpen = false;
    return Promise.resolve();
  }
  get lines(): string[] {
    return this.writes.map((write) => write.line);
  }
}

type Ack = {
  id: string;
  status: 'written' | 'superseded' | 'rejected';
  line: string;
  error?: AckErrorDto;
  timing?: LineTiming;
};

describe('FirmwareSession: writes only what the firmware can read', () => {
  let link: RecordingLink;
  let session: FirmwareSession;
  let acks: Ack[];
  let warnings: string[];
  let sent: number;
  /** How often the session took the firmware's own boot homing for this opening's HOME. */
  let bootHomings: number;
  /** When each command was handed over, by id (fake performance.now()). */
  let sentAt: Map<string, number>;

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    link = new RecordingLink();
    acks = [];
    warnings = [];
    sent = 0;
    bootHomings = 0;
    sentAt = new Map();
    session = new FirmwareSession(
      link,
      { baudRate: 115_200, timing: DEFAULT_FIRMWARE_TIMING },
      {
        written: (item, timing) =>
          acks.push({ id: item.requester.id ?? '', status: 'written', line: item.line, timing }),
        superseded: (item, _by, timing) =>
          acks.push({ id: item.requester.id ?? '', status: 'superseded', line: item.line, timing }),
        rejected: (item, error, timing) =>
          acks.push({ id: item.requester.id ?? '', status: 'rejected', line: item.line, error, timing }),
        changed: () => undefined,
        wrote: () => undefined,
        homedAtBoot: () => bootHomings++,
        warn: (message) => warnings.push(message),
      },
    );
  });

  afterEach(() => {
    session.close({ code: 'SHUTTING_DOWN', message: 'test over' });
    jest.useRealTimers();
  });

  /** An operator's command as the relay hands it over (already merged: the tests use full lines). */
  function send(text: string): string {
    const parsed = parseNeckCommand(text);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const id = `c${sent++}`;
    const refusal = session.refusal(parsed.command);
    const receivedAt = performance.now();
    sentAt.set(id, receivedAt);
    const item: QueuedLine = { line: parsed.line, command: parsed.command, requester: { to: 'ui', id }, receivedAt };
    if (refusal) acks.push({ id, status: 'rejected', line: parsed.line, error: refusal });
    else session.enqueue(item);
    return id;
  }

  const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);

  /** Boot: the quiet, the first HEALTH, its answer: the firmware reads. */
  async function bootAnswering(): Promise<void> {
    await advance(bootQuietMs);
    expect(link.lines).toEqual(['HEALTH']);
    session.firmwareLine(HEALTH_ANSWER);
    expect(session.answersHealth).toBe(true);
    expect(session.state).not.toBe('booting');
  }

  it('writes nothing while the board boots, then asks HEALTH and is ready at its answer', async () => {
    expect(session.state).toBe('booting');
    await advance(bootQuietMs - 1);
    expect(link.lines).toEqual([]);
    await advance(1);
    expect(link.lines).toEqual(['HEALTH']);
    // The answer waits for boot homing: nothing else is asked meanwhile.
    await advance(HOMING_DURATION_MS.HOME_BRUTE);
    expect(link.lines).toEqual(['HEALTH']);
    expect(session.answersHealth).toBeNull();
    session.firmwareLine(HEALTH_ANSWER);
    expect([session.state, session.answersHealth]).toEqual(['ready', true]);
  });

  it('takes the homing the firmware announces as it boots (the port’s opening reset it) for this opening’s HOME', async () => {
    session.home();
    send('X10,Y0,Z0,H0,S1,A1,R0,P0');
    await advance(bootQuietMs);
    // The board reset when the port opened; it announces its boot homing, then answers the probe once homed.
    session.firmwareLine(ANNOUNCE_BRUTE);
    await advance(HOMING_DURATION_MS.HOME_BRUTE);
    expect(session.state).toBe('booting');
    session.firmwareLine(HEALTH_ANSWER);
    expect(session.state).toBe('ready');
    await advance(10);
    expect(link.lines).toEqual(['HEALTH', 'X10,Y0,Z0,H0,S1,A1,R0,P0']);
    expect(bootHomings).toBe(1);
    // A later hub connection asks again: still no HOME on this opening.
    session.home();
    await advance(10);
    expect(link.lines).not.toContain('HOME');
  });

  it('still homes a firmware that did not reset when the port opened (no announcement before its answer)', async () => {
    session.home();
    await bootAnswering();
    await advance(10);
    expect(link.lines).toEqual(['HEALTH', 'HOME', 'HEALTH']);
    expect(bootHomings).toBe(0);
  });

  it('holds the next line while the firmware prints: adversary, HEALTH answers that outgrow its 128-byte TX FIFO', async () => {
    await bootAnswering();
    const answerBytes = printedBytesOf({ kind: 'health', keyword: 'HEALTH' });
    expect(answerBytes).toBeGreaterThan(128);
    const ids = ['HEALTH', 'HEALTH', 'HEALTH', 'X1,Y0,Z0,H0,S1,A1,R0,P0'].map((line) => send(line));
    await advance(100);
    const writes = link.writes.slice(1);
    expect(writes.map((write) => write.line)).toEqual(['HEALTH', 'HEALTH', 'HEALTH', 'X1,Y0,Z0,H0,S1,A1,R0,P0']);
    // The firmware reads the pose's first byte only once all but 128 bytes of the three answers have left.
    const firstArrives = writes[0].at + 7 * BYTE_MS;
    const readsAgainAt = firstArrives + (3 * answerBytes - 128) * BYTE_MS;
    expect(writes[3].at + BYTE_MS).toBeGreaterThanOrEqual(readsAgainAt - 0.001);
    // Lines that print nothing go at the wire's pace, one right behind the other.
    expect(acks.map((ack) => [ack.id, ack.status])).toEqual(ids.map((id) => [id, 'written']));
  });

  it('writes the next line right when the previous one has crossed the wire, not a wire time later (a tty drains at that pace)', async () => {
    await bootAnswering();
    link.drainMs = 4;
    const lines = ['X1,Y0,Z0,H0,S1,A1,R0,P0', '1:5', '1:6'];
    for (const line of lines) send(line);
    await advance(50);
    const writes = link.writes.slice(1);
    expect(writes.map((write) => write.line)).toEqual(lines);
    // Each drain took 4 ms (more than the wire's 2.2 ms): the next write follows the drain at once.
    expect(writes[1].at - writes[0].at).toBeLessThan(4 + 1.01);
    expect(writes[2].at - writes[1].at).toBeLessThan(4 + 1.01);
  });

  it('holds commands while booting, then HOME, its HEALTH fence, and nothing more until the homing has ended', async () => {
    session.home();
    send('X10,Y0,Z0,H0,S1,A1,R0,P0');
    await bootAnswering();
    await advance(10);
    expect(link.lines).toEqual(['HEALTH', 'HOME', 'HEALTH']);
    expect(session.state).toBe('homing');

    // The operator streams poses and a discrete command while the neck homes: poses collapse, the rest waits.
    for (let x = 11; x <= 20; x++) {
      send(`X${x},Y0,Z0,H0,S1,A1,R0,P0`);
      if (x === 15) send('1:20');
      await advance(10);
    }
    expect(link.lines).toEqual(['HEALTH', 'HOME', 'HEALTH']);
    expect(acks.filter((ack) => ack.status === 'superseded')).toHaveLength(10);
    expect(acks.every((ack) => ack.status === 'superseded')).toBe(true);
    expect(session.depth).toBe(2);

    // An answer printed before the homing's announcement is an old one (a boot probe's): it lifts nothing.
    session.firmwareLine(HEALTH_ANSWER);
    await advance(HOMING_DURATION_MS.HOME_BRUTE);
    expect(session.state).toBe('homing');
    session.firmwareLine(ANNOUNCE_BRUTE);
    session.firmwareLine(HEALTH_ANSWER);
    expect(session.state).toBe('ready');
    await advance(20);
    // Discrete commands in their order, the newest pose last.
    expect(link.lines.slice(3)).toEqual(['1:20', 'X20,Y0,Z0,H0,S1,A1,R0,P0']);
    expect(acks.filter((ack) => ack.status === 'written').map((ack) => ack.line)).toEqual([
      '1:20',
      'X20,Y0,Z0,H0,S1,A1,R0,P0',
    ]);
    expect(acks).toHaveLength(sent);
  });

  describe('where each line’s time goes', () => {
    const ackOf = (id: string) => acks.find((ack) => ack.id === id);
    const writeOf = (line: string) => link.writes.find((write) => write.line === line);

    it('queue: from being handed over to its write, growing while the firmware boots and homes; fence: the part after the HOME', async () => {
      session.home();
      const early = send('X10,Y0,Z0,H0,S1,A1,R0,P0');
      await advance(300);
      const discrete = send('1:20');
      await bootAnswering();
      await advance(10);
      const home = writeOf('HOME');
      expect(session.state).toBe('homing');
      // The HOME's fence holds from once the HOME has crossed the wire (ms later) until its HEALTH is answered.
      const late = send('2:30');
      await advance(2000);
      const superseding = send('X11,Y0,Z0,H0,S1,A1,R0,P0');
      await advance(1000);
      session.firmwareLine(ANNOUNCE_BRUTE);
      session.firmwareLine(HEALTH_ANSWER);
      const liftedAt = performance.now();
      await advance(20);

      // The first pose was replaced while it waited: its queue time is its wait until then, and no wire time.
      const superseded = ackOf(early)?.timing;
      expect(ackOf(early)?.status).toBe('superseded');
      expect(superseded?.queueMs).toBeCloseTo((sentAt.get(superseding) ?? NaN) - (sentAt.get(early) ?? NaN), 6);
      expect(superseded?.wireMs).toBeUndefined();

      const fenceMs = liftedAt - (home?.at ?? NaN);
      for (const id of [discrete, late, superseding]) {
        const ack = ackOf(id);
        const line = ack?.line ?? '';
        const timing = ack?.timing;
        expect(ack?.status).toBe('written');
        // Exactly from its hand-over to the start of its write.
        expect(timing?.queueMs).toBeCloseTo((writeOf(line)?.at ?? NaN) - (sentAt.get(id) ?? NaN), 6);
        // On a port that drains at once, the wire's own pace: 86.8 µs a byte at 115200 baud.
        expect(timing?.wireMs).toBeCloseTo((line.length + 1) * BYTE_MS, 6);
      }
      // Waiting since boot: more than the boot and the whole fence, of which the fence part is the fence's length.
      const discreteTiming = ackOf(discrete)?.timing;
      expect(discreteTiming?.queueMs).toBeGreaterThan(bootQuietMs - 300 + 3000);
      expect(discreteTiming?.fenceMs).toBeGreaterThan(fenceMs - 2);
      expect(discreteTiming?.fenceMs).toBeLessThanOrEqual(fenceMs);
      // Arrived during the fence: all its queue time but the pace of the lines ahead was fence.
      for (const id of [late, superseding]) {
        const timing = ackOf(id)?.timing;
        expect(timing?.fenceMs).toBeCloseTo(liftedAt - (sentAt.get(id) ?? NaN), 6);
        expect((timing?.queueMs ?? 0) - (timing?.fenceMs ?? 0)).toBeLessThan(5);
      }
      expect(ackOf(late)?.timing?.queueMs).toBeGreaterThan(ackOf(superseding)?.timing?.queueMs ?? Infinity);
    });

    it('a line sent while the firmware reads waits only for the wire, behind no fence', async () => {
      await bootAnswering();
      await advance(5);
      const id = send('X700,Y-700,Z700,H70,S4.19,A10,R-700,P700');
      await advance(10);
      expect(ackOf(id)?.timing).toEqual({ queueMs: 0, fenceMs: 0, wireMs: 41 * BYTE_MS });
    });

    it('wire: the drain when the port takes longer than the wire (a busy USB bridge)', async () => {
      await bootAnswering();
      await advance(5);
      link.drainMs = 30;
      const id = send('1:10');
      await advance(40);
      expect(ackOf(id)?.status).toBe('written');
      expect(ackOf(id)?.timing?.wireMs).toBeCloseTo(30, 6);
    });

    it('what never was written carries its queue time and no wire time', async () => {
      send('1:1');
      await advance(250);
      session.close({ code: 'PORT_DOWN', message: 'unplugged' });
      expect(acks[0]?.timing).toEqual({ queueMs: 250, fenceMs: 0 });
    });
  });

  it('never writes faster than the wire, and acks written only once the last byte can have arrived', async () => {
    await bootAnswering();
    await advance(5);
    const lines = ['1:10', 'X700,Y-700,Z700,H70,S4.19,A10,R-700,P700', '2:20.5'];
    const ids = lines.map((line) => send(line));
    await advance(0);
    expect(link.lines.slice(1)).toEqual([lines[0]]);
    expect(acks).toEqual([]);
    await advance(50);
    const writes = link.writes.slice(1);
    expect(writes.map((write) => write.line)).toEqual(lines);
    for (let i = 1; i < writes.length; i++) {
      expect(writes[i].at - writes[i - 1].at).toBeGreaterThanOrEqual((lines[i - 1].length + 1) * BYTE_MS);
    }
    expect(acks.map((ack) => [ack.id, ack.status])).toEqual(ids.map((id) => [id, 'written']));
  });

  it('fences every line with a HOME in it, a compound too, until each homing is announced and HEALTH answers', async () => {
    await bootAnswering();
    send('HOME_SOFT|X10,Y0,Z0,H0,S1,A1,R0,P0|HOME');
    send('1:5');
    // The probe's answer may still hold the firmware (≈ 2 ms), then 3.5 ms of wire.
    await advance(10);
    expect(link.lines.slice(1)).toEqual(['HOME_SOFT|X10,Y0,Z0,H0,S1,A1,R0,P0|HOME', 'HEALTH']);
    session.firmwareLine(ANNOUNCE_SOFT);
    session.firmwareLine(HEALTH_ANSWER);
    expect(session.state).toBe('homing');
    session.firmwareLine(ANNOUNCE_BRUTE);
    session.firmwareLine(HEALTH_ANSWER);
    // Then as long as the firmware may still be printing the announcements and the answer, as modelled.
    await advance(20);
    expect(link.lines.slice(3)).toEqual(['1:5']);
  });

  it('carries on after a HOME whose HEALTH is never answered once the homing must be over, and says so', async () => {
    await bootAnswering();
    send('HOME');
    send('1:5');
    await advance(HOMING_DURATION_MS.HOME + answerMarginMs - 5);
    expect(link.lines).toEqual(['HEALTH', 'HOME', 'HEALTH']);
    await advance(10);
    expect(link.lines.at(-1)).toBe('1:5');
    expect(warnings).toEqual([expect.stringMatching(/no HEALTH answer within 6050 ms of a HOME/)]);
  });

  it('takes firmware that never answers for legacy: no HEALTH fences, the known homing time instead', async () => {
    session.home();
    await advance(bootQuietMs + HOMING_DURATION_MS.HOME_BRUTE + answerMarginMs);
    expect(link.lines).toEqual(['HEALTH', 'HEALTH']);
    expect(session.state).toBe('booting');
    await advance(answerMarginMs);
    expect([session.state, session.answersHealth]).toEqual(['homing', false]);
    expect(link.lines).toEqual(['HEALTH', 'HEALTH', 'HOME']);
    const homeAt = link.writes[2].at + 5 * BYTE_MS;

    send('X5,Y0,Z0,H0,S1,A1,R0,P0');
    for (const keyword of ['HEALTH', 'STATUS', 'HOME_SOFT|X1']) send(keyword);
    expect(acks.map((ack) => [ack.line, ack.error?.code])).toEqual([
      ['HEALTH', 'LEGACY_FIRMWARE'],
      ['STATUS', 'LEGACY_FIRMWARE'],
      ['HOME_SOFT|X1', 'LEGACY_FIRMWARE'],
    ]);
    await jest.advanceTimersByTimeAsync(
      Math.ceil(homeAt + HOMING_DURATION_MS.HOME + legacyMarginMs - performance.now()) - 2,
    );
    expect(link.lines).toHaveLength(3);
    await advance(5);
    expect(link.lines.slice(3)).toEqual(['X5,Y0,Z0,H0,S1,A1,R0,P0']);
    expect(warnings).toEqual([expect.stringMatching(/does not answer HEALTH/)]);
  });

  it('refuses what firmware may lack while it is not yet known whether it has it', () => {
    send('HEALTH');
    send('home_soft');
    expect(acks.map((ack) => ack.error?.code)).toEqual(['NOT_READY', 'NOT_READY']);
    expect(acks[0].error?.message).toMatch(/still booting/);
  });

  it(`holds at most ${MAX_HELD_COMMANDS} commands besides the newest pose, then refuses with QUEUE_FULL`, () => {
    for (let i = 0; i < MAX_HELD_COMMANDS; i++) send(`1:${i}`);
    send('X1,Y0,Z0,H0,S1,A1,R0,P0');
    send('2:1');
    expect(acks).toEqual([
      expect.objectContaining({
        line: '2:1',
        status: 'rejected',
        error: expect.objectContaining({ code: 'QUEUE_FULL' }),
      }),
    ]);
    expect(session.depth).toBe(MAX_HELD_COMMANDS + 1);
  });

  it('refuses everything held when closed, once each, and writes nothing after', async () => {
    send('1:1');
    send('X1,Y0,Z0,H0,S1,A1,R0,P0');
    session.close({ code: 'PORT_DOWN', message: 'unplugged' });
    expect(acks.map((ack) => [ack.line, ack.error?.code])).toEqual([
      ['1:1', 'PORT_DOWN'],
      ['X1,Y0,Z0,H0,S1,A1,R0,P0', 'PORT_DOWN'],
    ]);
    expect(session.state).toBe('down');
    await advance(bootQuietMs * 10);
    expect(link.lines).toEqual([]);
  });
});
