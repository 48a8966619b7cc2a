import { HOMING_DURATION_MS, HubStampDto, NeckAckReportDto, NeckStatusDto, byteTimeMs } from '@neck-signal/protocol';
import {
  VirtualNeck,
  VirtualNeckBinding,
  VirtualNeckPortOptions,
  createVirtualNeckBinding,
} from '@neck-signal/virtual-neck';
import { DEFAULT_FIRMWARE_TIMING } from '../firmware/firmware-session';
import { SerialLink, openSerialLink } from '../serial/serial-link';
import { HubLink, IncomingCommand } from './hub-link';
import { Relay } from './relay';

const PATH = '/dev/ttyTEST0';

/** The hub side, recorded. */
class FakeHub implements HubLink {
  connected = false;
  readonly acks: NeckAckReportDto[] = [];
  readonly statuses: NeckStatusDto[] = [];
  readonly outputs: string[] = [];
  private commandHandler: (command: IncomingCommand) => void = () => undefined;
  private connectedHandler: () => void = () => undefined;
  private peerLeftHandler: (sid: string) => void = () => undefined;
  private ackWaiters: { count: number; resolve: () => void }[] = [];

  onCommand(handler: (command: IncomingCommand) => void): void {
    this.commandHandler = handler;
  }
  onConnected(handler: () => void): void {
    this.connectedHandler = handler;
  }
  onPeerLeft(handler: (sid: string) => void): void {
    this.peerLeftHandler = handler;
  }
  private rateLimitedHandler: () => void = () => undefined;
  onRateLimited(handler: () => void): void {
    this.rateLimitedHandler = handler;
  }
  /** The hub says RATE_LIMITED. */
  rateLimited(): void {
    this.rateLimitedHandler();
  }
  /** A peer leaves the hub. */
  leave(sid: string): void {
    this.peerLeftHandler(sid);
  }
  /** A command from another operator, with its stamp. */
  sendFrom(from: { sid: string; uuid: string }, text: string, id: string, sentAt?: number): void {
    this.commandHandler({ text, from: from.sid, uuid: from.uuid, id, ...(sentAt === undefined ? {} : { sentAt }) });
  }
  connect(): void {
    this.connected = true;
    this.connectedHandler();
  }
  send(text: string, id?: string, hub?: HubStampDto): void {
    this.commandHandler({ text, from: 'ui-sid', ...(id ? { id } : {}), ...(hub ? { hub } : {}) });
  }
  ack(payload: NeckAckReportDto): void {
    this.acks.push(payload);
    this.ackWaiters = this.ackWaiters.filter((waiter) => {
      if (this.acks.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }
  status(payload: NeckStatusDto): void {
    this.statuses.push(payload);
  }
  output(line: string): void {
    this.outputs.push(line);
    for (const waiter of this.outputWaiters.filter((w) => w.pattern.test(line))) {
      this.outputWaiters.splice(this.outputWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
  private readonly outputWaiters: { pattern: RegExp; resolve: () => void }[] = [];
  /** Resolves when a neck_output line matching the pattern is sent. */
  outputMatching(pattern: RegExp): Promise<void> {
    if (this.outputs.some((line) => pattern.test(line))) return Promise.resolve();
    return new Promise((resolve) => this.outputWaiters.push({ pattern, resolve }));
  }
  /** Resolves once `count` acks have arrived in all. */
  acksReach(count: number): Promise<void> {
    if (this.acks.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.ackWaiters.push({ count, resolve }));
  }
}

/** A real MockBinding link whose writes wait for `release()`: a slow port. */
class GatedLink implements SerialLink {
  private gates: (() => void)[] = [];
  readonly started: string[] = [];
  constructor(private readonly inner: SerialLink) {}
  get path() {
    return this.inner.path;
  }
  get isOpen() {
    return this.inner.isOpen;
  }
  async write(line: string): Promise<void> {
    this.started.push(line);
    await new Promise<void>((resolve) => this.gates.push(resolve));
    await this.inner.write(line);
  }
  /** Lets the oldest pending write through. */
  release(): void {
    this.gates.shift()?.();
  }
  get pending(): number {
    return this.gates.length;
  }
  onLine(listener: (line: string) => void) {
    return this.inner.onLine(listener);
  }
  onClose(listener: (error?: Error) => void) {
    this.inner.onClose(listener);
  }
  close() {
    return this.inner.close();
  }
}

/** Boot (300 ms) and boot homing (5.05 s) of the ESP32, as the virtual neck does them by default. */
const BOOT_MS = 300 + HOMING_DURATION_MS.HOME_BRUTE;
/**
 * What the agent writes as the port opens on a board that resets then (a DevKit): its HEALTH probe. The board's
 * own boot homing is this opening's HOME.
 */
const STARTUP = ['HEALTH'];
const { bootQuietMs } = DEFAULT_FIRMWARE_TIMING;
const BYTE_MS = byteTimeMs(115_200);
/** Any agent timeline: the exact numbers are the business of the tests about them. */
const timeline = expect.objectContaining({ agentMs: expect.any(Number), queueMs: expect.any(Number) });

describe('Relay on a MockBinding port with the strict virtual neck (ESP32 defaults), in fake time', () => {
  let binding: VirtualNeckBinding;
  let neck: VirtualNeck;
  let link: SerialLink;
  let hub: FakeHub;
  let relay: Relay;
  const printed: string[] = [];

  const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);

  async function open(options: VirtualNeckPortOptions = {}): Promise<void> {
    neck = binding.createPort(PATH, options);
    link = await openSerialLink(binding, PATH, 115_200);
    link.onLine((line) => relay.firmwareLine(line));
    relay.portOpened(link);
  }

  /** The port opened and the hub reached: the board resets, boots and homes, answers the probe and reads. */
  async function ready(): Promise<void> {
    hub.connect();
    await open();
    await advance(bootQuietMs + BOOT_MS + 100);
    expect(relay.status().firmware).toEqual({ state: 'ready', answersHealth: true });
    expect(neck.received).toEqual(STARTUP);
  }

  /** A board that keeps running when its port opens: booted and homed beforehand. */
  async function openRunning(): Promise<void> {
    const running = new VirtualNeck();
    running.boot();
    await advance(BOOT_MS + 10);
    expect(running.state).toBe('reading');
    await open({ neck: running, resetOnOpen: false });
  }

  /** Everything sent so far has been acked and has run (or was refused). */
  async function settle(acks: number): Promise<void> {
    await advance(50);
    await hub.acksReach(acks);
    await neck.idle();
  }

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    binding = createVirtualNeckBinding();
    hub = new FakeHub();
    printed.length = 0;
    relay = new Relay(hub, {
      limits: {},
      baudRate: 115_200,
      statusIntervalMs: 60_000,
      print: (line) => printed.push(line),
    });
  });

  afterEach(async () => {
    relay.stop();
    await link?.close();
    binding.reset();
    jest.useRealTimers();
  });

  it('writes nothing while the board boots, asks HEALTH once it can hear; its own boot homing is the opening’s HOME', async () => {
    hub.connect();
    await open();
    await advance(bootQuietMs - 1);
    expect(neck.received).toEqual([]);
    expect(relay.status().firmware).toEqual({ state: 'booting', answersHealth: null });
    await advance(BOOT_MS - bootQuietMs);
    expect(neck.received).toEqual(['HEALTH']);
    expect(relay.status().firmware.state).toBe('booting');
    await advance(bootQuietMs + 10);
    expect(relay.status().firmware).toEqual({ state: 'ready', answersHealth: true });
    await advance(HOMING_DURATION_MS.HOME + 10);
    expect(neck.received).toEqual(['HEALTH']);
    expect(neck.stats).toMatchObject({ bytesLost: 0, garbledLines: 0 });
    expect(printed).toEqual(['HEALTH']);
    expect(relay.status().pose).toEqual({ X: 0, Y: 0, Z: 0, H: 0, S: 1, A: 1, R: 0, P: 0 });
  });

  it('a board that did not reset as its port opened gets HOME and the HEALTH fence, once the hub has been reached', async () => {
    await openRunning();
    await advance(bootQuietMs + 100);
    expect(neck.received).toEqual(['HEALTH']);
    expect(relay.status().firmware.state).toBe('ready');
    expect(relay.status().pose).toBeNull();
    hub.connect();
    await advance(10);
    expect(relay.status().firmware.state).toBe('homing');
    await advance(HOMING_DURATION_MS.HOME + 100);
    expect(neck.received).toEqual(['HEALTH', 'HOME', 'HEALTH']);
    expect(relay.status().firmware.state).toBe('ready');
    // A hub reconnect alone sends nothing.
    hub.connect();
    hub.send('1:5', 'after');
    await settle(1);
    expect(neck.received).toEqual(['HEALTH', 'HOME', 'HEALTH', '1:5']);
  });

  it('sends HOME again once after each reopening of a port whose board does not reset', async () => {
    hub.connect();
    await openRunning();
    await advance(bootQuietMs + HOMING_DURATION_MS.HOME + 200);
    expect(neck.received).toEqual(['HEALTH', 'HOME', 'HEALTH']);
    relay.portDown('unplugged');
    await link.close();
    const running = neck;
    binding.unplug(PATH);
    running.boot();
    await advance(BOOT_MS + 10);
    await open({ neck: running, resetOnOpen: false });
    await advance(bootQuietMs + HOMING_DURATION_MS.HOME + 200);
    expect(neck.received.slice(3)).toEqual(['HEALTH', 'HOME', 'HEALTH']);
    expect(printed.filter((line) => line === 'HOME')).toHaveLength(2);
  });

  it('merges partial head commands into full lines and acks each with the written line', async () => {
    await ready();
    hub.send('X50', 'a');
    hub.send('y-20', 'b');
    await settle(2);
    expect(hub.acks).toEqual([
      { command: 'X50,Y0,Z0,H0,S1,A1,R0,P0', status: 'written', to: 'ui-sid', id: 'a', timeline },
      { command: 'X50,Y-20,Z0,H0,S1,A1,R0,P0', status: 'written', to: 'ui-sid', id: 'b', timeline },
    ]);
    expect(neck.received.slice(STARTUP.length)).toEqual(['X50,Y0,Z0,H0,S1,A1,R0,P0', 'X50,Y-20,Z0,H0,S1,A1,R0,P0']);
    expect(neck.pose).toMatchObject({ X: 50, Y: -20 });
    expect(relay.status().pose).toMatchObject({ X: 50, Y: -20, S: 1 });
  });

  it('rejects invalid input with the grammar error; not a byte reaches the port', async () => {
    await ready();
    for (const text of ['X9999', 'hello', 'X5\nHOME', '1:99', 'S5', 'Q:0.7071,0,0.7071,0']) hub.send(text, text);
    await settle(6);
    expect(hub.acks.map((ack) => [ack.command, ack.status, ack.error?.code])).toEqual([
      ['X9999', 'rejected', 'OUT_OF_RANGE'],
      ['hello', 'rejected', 'UNKNOWN_COMMAND'],
      ['X5\nHOME', 'rejected', 'CONTROL_CHARACTER'],
      ['1:99', 'rejected', 'OUT_OF_RANGE'],
      ['S5', 'rejected', 'OUT_OF_RANGE'],
      ['Q:0.7071,0,0.7071,0', 'rejected', 'QUATERNION_PITCH'],
    ]);
    expect(neck.received).toEqual(STARTUP);
  });

  it('a 100 Hz pose stream during HOME: nothing lost, poses collapse to the newest, written after the discrete ones', async () => {
    await ready();
    hub.send('HOME', 'home');
    await advance(5);
    expect(relay.status().firmware.state).toBe('homing');
    for (let i = 0; i < 300; i++) {
      hub.send(`X${i - 150}`, `p${i}`);
      if (i === 150) hub.send('1:20', 'discrete');
      await advance(10);
    }
    hub.send('X42,Y-17,H20', 'final');
    await advance(HOMING_DURATION_MS.HOME);
    await settle(303);
    expect(neck.stats).toMatchObject({ bytesLost: 0, garbledLines: 0, splitLines: 0 });
    expect(neck.received.slice(STARTUP.length)).toEqual(['HOME', 'HEALTH', '1:20', 'X42,Y-17,Z0,H20,S1,A1,R0,P0']);
    expect(neck.pose).toEqual({ X: 42, Y: -17, Z: 0, H: 20, S: 1, A: 1, R: 0, P: 0 });
    const byStatus = (status: string) => hub.acks.filter((ack) => ack.status === status).map((ack) => ack.id);
    expect(byStatus('written')).toEqual(['home', 'discrete', 'final']);
    expect(byStatus('superseded')).toHaveLength(300);
    expect(new Set(hub.acks.map((ack) => ack.id)).size).toBe(hub.acks.length);
  });

  it('acks written once the write has drained (on a tty, the bytes have then crossed the wire), waiting no second wire time', async () => {
    hub.connect();
    neck = binding.createPort(PATH);
    link = await openSerialLink(binding, PATH, 115_200);
    const slow = new GatedLink(link);
    slow.onLine((line) => relay.firmwareLine(line));
    relay.portOpened(slow);
    // Let the agent's own lines through as they come, until the neck reads.
    for (let waited = 0; relay.status().firmware.state !== 'ready' && waited < 20_000; waited += 100) {
      while (slow.pending > 0) slow.release();
      await advance(100);
    }
    expect(slow.started).toEqual(STARTUP);
    hub.send('1:10', 'late');
    await advance(20);
    expect(slow.started.at(-1)).toBe('1:10');
    expect(hub.acks).toEqual([]);
    slow.release();
    await advance(0);
    // Drained 20 ms after the write began: its 5 bytes (0.43 ms of wire) have left.
    expect(hub.acks).toEqual([{ command: '1:10', status: 'written', to: 'ui-sid', id: 'late', timeline }]);
    // Its bytes left when the port drained, 20 ms after the write began.
    expect(hub.acks[0]?.timeline?.wireMs).toBeGreaterThanOrEqual(20);
  });

  describe('the agent’s part of each command’s timeline', () => {
    const stamp: HubStampDto = { hub: 'hub-a', at: 123_456.789, ms: 0.25 };
    const ackOf = (id: string) => hub.acks.find((ack) => ack.id === id);

    it('every ack carries it and echoes the hub’s stamp unchanged: written, rejected, applied', async () => {
      await ready();
      hub.send('X50', 'pose', stamp);
      hub.send('X9999', 'invalid', stamp);
      hub.send('TAKE', 'take', stamp);
      hub.send('1:10', 'unstamped');
      await settle(4);
      for (const id of ['pose', 'invalid', 'take']) expect(ackOf(id)?.hub).toEqual(stamp);
      expect(ackOf('unstamped')).not.toHaveProperty('hub');

      const written = ackOf('pose')?.timeline;
      const bytes = 'X50,Y0,Z0,H0,S1,A1,R0,P0\n'.length;
      // On the wire-rate virtual neck the bytes take 86.8 µs each; the ack waits for them.
      expect(written?.wireMs).toBeGreaterThanOrEqual(bytes * BYTE_MS - 0.001);
      expect(written?.queueMs).toBe(0);
      expect(written?.agentMs).toBeGreaterThanOrEqual((written?.queueMs ?? 0) + (written?.wireMs ?? 0) - 0.001);
      expect(written).not.toHaveProperty('fenceMs');
      // Behind the pose on the wire: it waited for it.
      expect(ackOf('unstamped')?.timeline?.queueMs).toBeGreaterThan(0);
      // Never queued: what is known, and nothing of the wire.
      expect(ackOf('invalid')?.timeline).toEqual({ agentMs: 0, queueMs: 0 });
      expect(ackOf('take')?.timeline).toEqual({ agentMs: 0, queueMs: 0 });
    });

    it('queue time grows while the firmware homes, and all of it but the wire’s pace is fence time', async () => {
      await ready();
      hub.send('HOME', 'home');
      await advance(5);
      hub.send('1:20', 'early');
      await advance(2000);
      hub.send('2:20', 'later');
      await advance(HOMING_DURATION_MS.HOME);
      await settle(3);
      expect(hub.acks.map((ack) => [ack.id, ack.status])).toEqual([
        ['home', 'written'],
        ['early', 'written'],
        ['later', 'written'],
      ]);
      const early = ackOf('early')?.timeline;
      const later = ackOf('later')?.timeline;
      expect(early?.queueMs).toBeGreaterThan(HOMING_DURATION_MS.HOME - 50);
      expect((early?.queueMs ?? 0) - (later?.queueMs ?? 0)).toBeGreaterThan(2000 - 5);
      for (const part of [early, later]) {
        expect(part?.fenceMs).toBeGreaterThan((part?.queueMs ?? 0) - 5);
        expect(part?.fenceMs).toBeLessThanOrEqual(part?.queueMs ?? 0);
        expect(part?.agentMs).toBeGreaterThanOrEqual((part?.queueMs ?? 0) + (part?.wireMs ?? 0) - 0.001);
      }
      // The HOME itself waited for nothing.
      expect(ackOf('home')?.timeline).toMatchObject({ queueMs: 0 });
    });

    it('a pose replaced while it waits says how long it waited; a malformed stamp is not echoed', async () => {
      await ready();
      hub.send('HOME', 'home');
      await advance(5);
      hub.send('X10', 'replaced', { hub: 'hub-a', at: -1, ms: 0 });
      await advance(100);
      hub.send('X20', 'newest');
      await advance(HOMING_DURATION_MS.HOME);
      await settle(3);
      expect(ackOf('replaced')).toMatchObject({ status: 'superseded', timeline: { queueMs: 100, fenceMs: 100 } });
      expect(ackOf('replaced')).not.toHaveProperty('hub');
      expect(ackOf('replaced')?.timeline).not.toHaveProperty('wireMs');
    });
  });

  it('rejects commands at once while the port is down, and the ones that were held', async () => {
    hub.connect();
    await open();
    hub.send('1:10', 'held');
    relay.portDown('/dev/ttyTEST0 closed: unplugged');
    expect(hub.acks).toEqual([
      {
        command: '1:10',
        status: 'rejected',
        to: 'ui-sid',
        id: 'held',
        error: { code: 'PORT_DOWN', message: expect.stringContaining('unplugged') },
        timeline,
      },
    ]);
    hub.send('X5', 'during');
    expect(hub.acks[1]).toEqual({
      command: 'X5',
      status: 'rejected',
      to: 'ui-sid',
      id: 'during',
      error: { code: 'PORT_DOWN', message: expect.stringContaining('unplugged') },
      timeline: { agentMs: 0, queueMs: 0 },
    });
    const status = hub.statuses.at(-1);
    expect(status?.serial).toEqual({
      state: 'down',
      path: null,
      baud: 115_200,
      error: '/dev/ttyTEST0 closed: unplugged',
    });
    expect(status?.firmware).toEqual({ state: 'down', answersHealth: null });
    expect(status?.queueDepth).toBe(0);
    await advance(bootQuietMs + BOOT_MS);
    expect(neck.received).toEqual([]);
  });

  it('on legacy firmware (never answers): waits out its homing, and refuses what it lacks', async () => {
    hub.connect();
    neck = binding.createPort(PATH, { firmware: 'legacy' });
    link = await openSerialLink(binding, PATH, 115_200);
    link.onLine((line) => relay.firmwareLine(line));
    relay.portOpened(link);
    hub.send('HEALTH', 'early');
    expect(hub.acks[0]).toMatchObject({ id: 'early', status: 'rejected', error: { code: 'NOT_READY' } });
    await advance(bootQuietMs + HOMING_DURATION_MS.HOME_BRUTE + 2 * DEFAULT_FIRMWARE_TIMING.answerMarginMs + 10);
    // Two probes, run by this firmware as moves to neutral (harmless after homing); its boot homing, announced
    // as it booted, is this opening's HOME.
    expect(relay.status().firmware).toEqual({ state: 'ready', answersHealth: false });
    expect(neck.received).toEqual(['HEALTH', 'HEALTH']);
    hub.send('X30', 'held');
    hub.send('STATUS', 'status');
    expect(hub.acks[1]).toMatchObject({ id: 'status', status: 'rejected', error: { code: 'LEGACY_FIRMWARE' } });
    await settle(3);
    expect(neck.received).toEqual(['HEALTH', 'HEALTH', 'X30,Y0,Z0,H0,S1,A1,R0,P0']);
    expect(neck.stats).toMatchObject({ bytesLost: 0, garbledLines: 0 });
    expect(neck.pose.X).toBe(30);
  });

  it('forwards firmware lines as neck_output and keeps the HEALTH answer for neck_status', async () => {
    await ready();
    expect(relay.status().health).toMatchObject({ device: 'NECK', motors: 6, baud: 115_200 });
    hub.send('HEALTH', 'h2');
    await settle(1);
    // The answer (≈ 150 bytes) takes 13 ms to come back over the wire.
    await advance(20);
    // The probe's answer and this one.
    expect(hub.outputs.filter((line) => line.startsWith('HEALTH|'))).toHaveLength(2);
    expect(relay.status().serial).toEqual({ state: 'open', path: PATH, baud: 115_200 });
  });

  it('told RATE_LIMITED, forwards no firmware output for a second (acks go on), then says how many it left out', () => {
    jest.setSystemTime(2_000_000);
    relay.firmwareLine('before');
    hub.rateLimited();
    relay.firmwareLine('held back');
    expect(hub.outputs).toEqual(['before']);
    jest.setSystemTime(2_001_000);
    relay.firmwareLine('after');
    expect(hub.outputs).toEqual([
      'before',
      '(neck-agent: 1 firmware lines not forwarded: the hub asked it to slow down)',
      'after',
    ]);
  });

  it('forwards at most 100 firmware lines a second and says how many it left out', () => {
    jest.setSystemTime(1_000_000);
    for (let i = 0; i < 150; i++) relay.firmwareLine(`line ${i}`);
    expect(hub.outputs).toHaveLength(100);
    expect(hub.outputs.at(-1)).toBe('line 99');
    jest.setSystemTime(1_001_000);
    relay.firmwareLine('next second');
    expect(hub.outputs.slice(100)).toEqual([
      '(neck-agent: 50 firmware lines not forwarded: more than 100 a second)',
      'next second',
    ]);
  });

  describe('one operator at a time, STOP, and no stale poses', () => {
    const alice = { sid: 'sid-alice', uuid: 'alice' };
    const bob = { sid: 'sid-bob', uuid: 'bob' };
    const ackOf = (id: string) => hub.acks.find((ack) => ack.id === id);

    it('writes only the holder’s motion, refuses the other’s with CONTROL_HELD naming the holder, and hands over after the lease', async () => {
      await ready();
      for (let i = 0; i < 10; i++) {
        hub.sendFrom(alice, `X${300 - i}`, `a${i}`);
        hub.sendFrom(bob, `X${-300 + i}`, `b${i}`);
        await advance(20);
      }
      await settle(20);
      const lines = neck.received.slice(STARTUP.length);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every((line) => /^X(29[1-9]|300),/.test(line))).toBe(true);
      expect(ackOf('b0')).toMatchObject({
        status: 'rejected',
        error: { code: 'CONTROL_HELD', message: expect.stringMatching(/^alice holds this neck's control/) },
      });
      expect(hub.acks.filter((ack) => ack.error?.code === 'CONTROL_HELD')).toHaveLength(10);
      expect(relay.status().control).toEqual({ holder: alice, leaseMs: 2000, stopped: false, stoppedBy: null });
      // HEALTH moves nothing: anyone may ask it.
      hub.sendFrom(bob, 'HEALTH', 'bob-health');
      await settle(21);
      expect(ackOf('bob-health')?.status).toBe('written');
      // Alice stops moving: 2 s later the neck is Bob's.
      await advance(2000);
      expect(relay.status().control.holder).toBeNull();
      hub.sendFrom(bob, 'X-250', 'bob-moves');
      await settle(22);
      expect(ackOf('bob-moves')?.status).toBe('written');
      expect(relay.status().control.holder).toEqual(bob);
    });

    it('TAKE takes control at once, YIELD gives it up, and the holder leaving frees it', async () => {
      await ready();
      hub.sendFrom(alice, 'X10', 'a1');
      hub.sendFrom(bob, 'TAKE', 'take');
      await settle(2);
      expect(ackOf('take')).toEqual({ command: 'TAKE', status: 'applied', to: bob.sid, id: 'take', timeline });
      expect(relay.status().control.holder).toEqual(bob);
      hub.sendFrom(alice, 'X20', 'a2');
      await settle(3);
      expect(ackOf('a2')?.error?.code).toBe('CONTROL_HELD');
      hub.sendFrom(bob, 'YIELD', 'yield');
      await settle(4);
      expect(relay.status().control.holder).toBeNull();
      hub.sendFrom(alice, 'X30', 'a3');
      await settle(5);
      expect(relay.status().control.holder).toEqual(alice);
      hub.leave(alice.sid);
      expect(relay.status().control.holder).toBeNull();
    });

    it('STOP drops what waits, writes nothing more and refuses motion from everyone until RELEASE', async () => {
      await ready();
      hub.sendFrom(alice, 'HOME', 'home');
      await advance(5);
      hub.sendFrom(alice, '1:20', 'held-1');
      hub.sendFrom(alice, 'X40', 'held-pose');
      const before = neck.received.length;
      hub.sendFrom(bob, 'stop', 'stop');
      expect(ackOf('stop')).toEqual({ command: 'STOP', status: 'applied', to: bob.sid, id: 'stop', timeline });
      expect(ackOf('held-1')).toMatchObject({ status: 'rejected', error: { code: 'STOPPED' } });
      expect(ackOf('held-pose')).toMatchObject({ status: 'rejected', error: { code: 'STOPPED' } });
      hub.sendFrom(alice, 'X50', 'refused');
      expect(ackOf('refused')).toMatchObject({
        status: 'rejected',
        error: { code: 'STOPPED', message: expect.stringMatching(/^bob pressed STOP/) },
      });
      expect(relay.status().control).toMatchObject({ holder: null, stopped: true, stoppedBy: 'bob' });
      await advance(HOMING_DURATION_MS.HOME + 2000);
      expect(neck.received.length).toBe(before);
      hub.sendFrom(alice, 'release', 'release');
      hub.sendFrom(alice, 'X60', 'after');
      await settle(7);
      expect(ackOf('after')?.status).toBe('written');
      expect(neck.received.slice(before)).toEqual(['X60,Y0,Z0,H0,S1,A1,R0,P0']);
    });

    it('drops a pose that comes much later than its sender’s usual delay (ack stale), but never a discrete command', async () => {
      await ready();
      const clock = () => Date.now();
      hub.sendFrom(alice, 'X10', 'p1', clock() - 3);
      await settle(1);
      hub.sendFrom(alice, 'X20', 'old', clock() - 3000);
      hub.sendFrom(alice, '1:20', 'old-discrete', clock() - 3000);
      hub.sendFrom(alice, 'X30', 'fresh', clock() - 4);
      await settle(4);
      expect(ackOf('old')).toMatchObject({
        command: 'X20',
        status: 'stale',
        error: { code: 'STALE', message: expect.stringMatching(/^this pose arrived \d+ ms later than your usual/) },
      });
      expect(ackOf('old-discrete')?.status).toBe('written');
      expect(ackOf('fresh')?.status).toBe('written');
      expect(neck.received.slice(STARTUP.length)).toEqual([
        'X10,Y0,Z0,H0,S1,A1,R0,P0',
        '1:20',
        'X30,Y0,Z0,H0,S1,A1,R0,P0',
      ]);
    });

    // Adversary (issue 17): a late pose hidden in a compound, or repeated, slipped past a gate that judged only
    // simple poses: `X60|Y10` and `X61|X61` stamped 2 s late were written.
    it('drops a late compound that contains a pose (ack stale), and writes a late compound without one', async () => {
      await ready();
      const clock = () => Date.now();
      hub.sendFrom(alice, 'X10', 'p1', clock() - 3);
      await settle(1);
      hub.sendFrom(alice, 'X60|Y10', 'late-compound', clock() - 2000);
      hub.sendFrom(alice, 'X61|X61', 'late-twice', clock() - 2000);
      hub.sendFrom(alice, 'HOME_SOFT|X10', 'late-home-then-pose', clock() - 2000);
      hub.sendFrom(alice, '1:20|2:30', 'late-actuators', clock() - 2000);
      await settle(5);
      for (const id of ['late-compound', 'late-twice', 'late-home-then-pose']) {
        expect(ackOf(id)).toMatchObject({ status: 'stale', error: { code: 'STALE' } });
      }
      expect(ackOf('late-actuators')?.status).toBe('written');
      expect(neck.received.slice(STARTUP.length)).toEqual(['X10,Y0,Z0,H0,S1,A1,R0,P0', '1:20|2:30']);
    });
  });
});
