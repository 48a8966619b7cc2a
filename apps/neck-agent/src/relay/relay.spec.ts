import { NeckAckReportDto, NeckStatusDto } from '@neck-signal/protocol';
import { VirtualNeck, VirtualNeckBinding, createVirtualNeckBinding } from '@neck-signal/virtual-neck';
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
  private ackWaiters: { count: number; resolve: () => void }[] = [];

  onCommand(handler: (command: IncomingCommand) => void): void {
    this.commandHandler = handler;
  }
  onConnected(handler: () => void): void {
    this.connectedHandler = handler;
  }
  connect(): void {
    this.connected = true;
    this.connectedHandler();
  }
  send(text: string, id?: string): void {
    this.commandHandler({ text, from: 'ui-sid', ...(id ? { id } : {}) });
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

describe('Relay on a MockBinding port with the virtual neck', () => {
  let binding: VirtualNeckBinding;
  let neck: VirtualNeck;
  let link: SerialLink;
  let hub: FakeHub;
  let relay: Relay;
  const printed: string[] = [];

  beforeEach(async () => {
    binding = createVirtualNeckBinding();
    neck = binding.createPort(PATH, { homingScale: 0 });
    link = await openSerialLink(binding, PATH, 115_200);
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
    await link.close();
    binding.reset();
  });

  /** Sends a HEALTH barrier and waits until the neck has run everything before it. */
  async function settle(): Promise<void> {
    const before = hub.acks.length;
    hub.send('HEALTH', 'barrier');
    await hub.acksReach(before + 1);
    await neck.idle();
  }

  it('sends HOME once the port is open and the hub has been reached, and not again on a hub reconnect', async () => {
    relay.portOpened(link);
    hub.connect();
    await settle();
    expect(neck.received.filter((line) => line === 'HOME')).toHaveLength(1);
    hub.connect();
    await settle();
    expect(neck.received.filter((line) => line === 'HOME')).toHaveLength(1);
    expect(printed).toContain('HOME');
  });

  it('waits for the hub before the first HOME', async () => {
    relay.portOpened(link);
    hub.send('HEALTH', 'h');
    await hub.acksReach(1);
    await neck.idle();
    expect(neck.received).not.toContain('HOME');
    hub.connect();
    await settle();
    expect(neck.received.filter((line) => line === 'HOME')).toHaveLength(1);
  });

  it('sends HOME again once after each reopening of the port', async () => {
    hub.connect();
    relay.portOpened(link);
    await settle();
    relay.portDown('unplugged');
    await link.close();
    const beforeReopen = neck.received.length;
    link = await openSerialLink(binding, PATH, 115_200);
    relay.portOpened(link);
    await settle();
    expect(neck.received.slice(beforeReopen).filter((line) => line === 'HOME')).toHaveLength(1);
  });

  it('merges partial head commands into full lines and acks each with the written line', async () => {
    hub.connect();
    relay.portOpened(link);
    hub.send('X50', 'a');
    await hub.acksReach(1);
    hub.send('y-20', 'b');
    await hub.acksReach(2);
    await settle();
    expect(neck.received).toEqual(expect.arrayContaining(['X50,Y0,Z0,H0,S1,A1,R0,P0', 'X50,Y-20,Z0,H0,S1,A1,R0,P0']));
    expect(hub.acks.slice(0, 2)).toEqual([
      { command: 'X50,Y0,Z0,H0,S1,A1,R0,P0', status: 'written', to: 'ui-sid', id: 'a' },
      { command: 'X50,Y-20,Z0,H0,S1,A1,R0,P0', status: 'written', to: 'ui-sid', id: 'b' },
    ]);
    expect(neck.pose).toMatchObject({ X: 50, Y: -20 });
    expect(relay.status().pose).toMatchObject({ X: 50, Y: -20, S: 1 });
  });

  it('rejects invalid input with the grammar error; not a byte reaches the port', async () => {
    hub.connect();
    relay.portOpened(link);
    await settle();
    const before = [...neck.received];
    const acksBefore = hub.acks.length;
    for (const text of ['X9999', 'hello', 'X5\nHOME', '1:99']) hub.send(text, text);
    await hub.acksReach(acksBefore + 4);
    await settle();
    const rejected = hub.acks.filter((ack) => ack.status === 'rejected');
    expect(rejected.map((ack) => [ack.command, ack.error?.code])).toEqual([
      ['X9999', 'OUT_OF_RANGE'],
      ['hello', 'UNKNOWN_COMMAND'],
      ['X5\nHOME', 'CONTROL_CHARACTER'],
      ['1:99', 'OUT_OF_RANGE'],
    ]);
    expect(neck.received).toEqual([...before, 'HEALTH']);
  });

  it('under a slow port collapses waiting poses to the newest and acks the others superseded', async () => {
    hub.connect();
    const slow = new GatedLink(link);
    relay.portOpened(slow);
    // HOME and HEALTH are waiting on the gate; now a burst of poses.
    for (const [i, text] of ['X10', 'X20', 'X30', 'X40'].entries()) hub.send(text, `p${i}`);
    expect(hub.acks.map((ack) => [ack.id, ack.status, ack.command])).toEqual([
      ['p0', 'superseded', 'X10,Y0,Z0,H0,S1,A1,R0,P0'],
      ['p1', 'superseded', 'X20,Y0,Z0,H0,S1,A1,R0,P0'],
      ['p2', 'superseded', 'X30,Y0,Z0,H0,S1,A1,R0,P0'],
    ]);
    while (slow.pending > 0 || slow.started.length < 3) {
      slow.release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await hub.acksReach(4);
    expect(slow.started).toEqual(['HOME', 'HEALTH', 'X40,Y0,Z0,H0,S1,A1,R0,P0']);
    expect(hub.acks[3]).toEqual({ command: 'X40,Y0,Z0,H0,S1,A1,R0,P0', status: 'written', to: 'ui-sid', id: 'p3' });
  });

  it('writes every non-pose command exactly once, in order, and never collapses across one', async () => {
    hub.connect();
    const slow = new GatedLink(link);
    relay.portOpened(slow);
    for (const text of ['X1', 'HOME_SOFT', 'X2', '1:5', '2:6', 'HEALTH', 'X3', 'X4']) hub.send(text);
    const expected = [
      'HOME',
      'HEALTH',
      'X1,Y0,Z0,H0,S1,A1,R0,P0',
      'HOME_SOFT',
      'X2,Y0,Z0,H0,S1,A1,R0,P0',
      '1:5',
      '2:6',
      'HEALTH',
      'X4,Y0,Z0,H0,S1,A1,R0,P0',
    ];
    while (slow.started.length < expected.length || slow.pending > 0) {
      slow.release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await hub.acksReach(8);
    expect(slow.started).toEqual(expected);
    await neck.idle();
    expect(neck.received).toEqual(expected);
    expect(hub.acks.filter((ack) => ack.status === 'superseded').map((ack) => ack.command)).toEqual([
      'X3,Y0,Z0,H0,S1,A1,R0,P0',
    ]);
  });

  it('acks only once the write has drained', async () => {
    hub.connect();
    const slow = new GatedLink(link);
    relay.portOpened(slow);
    hub.send('1:10', 'late');
    while (!slow.started.includes('1:10')) {
      slow.release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(hub.acks).toEqual([]);
    slow.release();
    await hub.acksReach(1);
    expect(hub.acks).toEqual([{ command: '1:10', status: 'written', to: 'ui-sid', id: 'late' }]);
  });

  it('rejects commands at once while the port is down, and fails the ones that were waiting', () => {
    hub.connect();
    const slow = new GatedLink(link);
    relay.portOpened(slow);
    hub.send('1:10', 'waiting');
    relay.portDown('/dev/ttyTEST0 closed: unplugged');
    expect(hub.acks).toEqual([
      expect.objectContaining({
        id: 'waiting',
        status: 'rejected',
        error: expect.objectContaining({ code: 'WRITE_FAILED' }),
      }),
    ]);
    hub.send('X5', 'during');
    expect(hub.acks[1]).toEqual({
      command: 'X5',
      status: 'rejected',
      to: 'ui-sid',
      id: 'during',
      error: { code: 'PORT_DOWN', message: expect.stringContaining('unplugged') },
    });
    const status = hub.statuses.at(-1);
    expect(status?.serial).toEqual({
      state: 'down',
      path: null,
      baud: 115_200,
      error: '/dev/ttyTEST0 closed: unplugged',
    });
    expect(status?.queueDepth).toBe(0);
  });

  it('forwards firmware lines as neck_output and keeps the HEALTH answer for neck_status', async () => {
    hub.connect();
    relay.portOpened(link);
    await settle();
    expect(hub.outputs.some((line) => line.startsWith('HEALTH|DEVICE=NECK'))).toBe(false);
    link.onLine((line) => relay.firmwareLine(line));
    hub.send('HEALTH', 'h2');
    await hub.outputMatching(/^HEALTH\|DEVICE=NECK/);
    expect(relay.status().health).toMatchObject({ device: 'NECK', motors: 6, baud: 115_200 });
    expect(relay.status().serial).toEqual({ state: 'open', path: PATH, baud: 115_200 });
  });

  it('forwards at most 100 firmware lines a second and says how many it left out', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      for (let i = 0; i < 150; i++) relay.firmwareLine(`line ${i}`);
      expect(hub.outputs).toHaveLength(100);
      expect(hub.outputs.at(-1)).toBe('line 99');
      jest.setSystemTime(1_001_000);
      relay.firmwareLine('next second');
      expect(hub.outputs.slice(100)).toEqual([
        '(neck-agent: 50 firmware lines not forwarded: more than 100 a second)',
        'next second',
      ]);
    } finally {
      jest.useRealTimers();
    }
  });
});
