import type { AckStatus, ErrorMessageDto, NeckAckDeliveryDto } from '@neck-signal/protocol';
import { CommandTracker, type CommandAck, type TrackedAck } from './command-tracker';
import { AckTimeoutError, HubError } from './errors';

/** Settles to the rejection reason, or fails the test when the promise resolves. */
function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (reason: unknown) => reason,
  );
}

function ack(command: string, id: string | undefined, peerId = 'neck-1', status: AckStatus = 'written') {
  const delivery: NeckAckDeliveryDto = { command, status, peerId };
  if (id !== undefined) delivery.id = id;
  return delivery;
}

describe('CommandTracker', () => {
  let tracker: CommandTracker;
  /** Ids emitted, in order. */
  let sent: string[];
  const emit = (id: string) => void sent.push(id);

  beforeEach(() => {
    tracker = new CommandTracker({ idPrefix: 'ui', timeoutMs: 5_000 });
    sent = [];
  });

  afterEach(() => tracker.close(new Error('test over')));

  function seen(): TrackedAck[] {
    const reports: TrackedAck[] = [];
    tracker.onAck((report) => reports.push(report));
    return reports;
  }

  it('sends each command with a fresh id and settles it on the ack carrying that id, whatever its status', async () => {
    const statuses: AckStatus[] = ['written', 'superseded', 'rejected'];
    const results = statuses.map((_, index) => tracker.send(`X${index}`, emit));
    expect(sent).toEqual(['ui-1', 'ui-2', 'ui-3']);
    expect(tracker.pendingCommands()).toEqual([
      { id: 'ui-1', text: 'X0' },
      { id: 'ui-2', text: 'X1' },
      { id: 'ui-3', text: 'X2' },
    ]);

    // Answered out of order: each settles on its own id.
    tracker.handleAck(ack('X2', 'ui-3', 'neck-1', 'rejected'));
    tracker.handleAck(ack('X0', 'ui-1', 'neck-1', 'written'));
    tracker.handleAck(ack('X1', 'ui-2', 'neck-1', 'superseded'));

    const settled = await Promise.all(results);
    expect(settled.map(({ ack: answer }) => [answer.id, answer.status])).toEqual([
      ['ui-1', 'written'],
      ['ui-2', 'superseded'],
      ['ui-3', 'rejected'],
    ]);
    for (const { roundTripMs } of settled) expect(roundTripMs).toBeGreaterThanOrEqual(0);
    expect(tracker.pendingCommands()).toEqual([]);
  });

  it('reports every ack once: ours first, a further neck’s, another client’s and an unmatched one without id', async () => {
    const reports = seen();
    const mine: CommandAck[] = [];
    const result = tracker.send('HOME', emit, { onAck: (report) => mine.push(report) });

    tracker.handleAck(ack('HOME', 'ui-1', 'neck-1'));
    tracker.handleAck(ack('HOME', 'ui-1', 'neck-2'));
    tracker.handleAck(ack('X5', 'other-client-7', 'neck-1'));
    tracker.handleAck(ack('Y5', undefined, 'python-neck'));

    expect((await result).ack.peerId).toBe('neck-1');
    const command = { id: 'ui-1', text: 'HOME' };
    expect(reports).toEqual([
      { ack: ack('HOME', 'ui-1', 'neck-1'), command, roundTripMs: expect.any(Number), first: true },
      { ack: ack('HOME', 'ui-1', 'neck-2'), command, roundTripMs: expect.any(Number), first: false },
      { ack: ack('X5', 'other-client-7', 'neck-1'), first: false },
      { ack: ack('Y5', undefined, 'python-neck'), first: false },
    ]);
    expect(reports[1]?.roundTripMs).toBeGreaterThanOrEqual(reports[0]?.roundTripMs ?? Infinity);
    // The command's own listener hears its acks only.
    expect(mine.map((report) => [report.ack.peerId, report.first])).toEqual([
      ['neck-1', true],
      ['neck-2', false],
    ]);
  });

  it('takes an ack without id (the seed’s Python agent) as the answer to the oldest pending command with its text', async () => {
    const reports = seen();
    const first = tracker.send('X50', emit);
    const other = tracker.send('Y10', emit);
    const second = tracker.send('X50', emit);

    tracker.handleAck(ack('X50', undefined, 'python-neck'));

    expect(await first).toEqual({ ack: ack('X50', undefined, 'python-neck'), roundTripMs: expect.any(Number) });
    expect(tracker.pendingCommands().map(({ id }) => id)).toEqual(['ui-2', 'ui-3']);
    expect(reports).toEqual([
      {
        ack: ack('X50', undefined, 'python-neck'),
        command: { id: 'ui-1', text: 'X50' },
        roundTripMs: expect.any(Number),
        first: true,
      },
    ]);

    tracker.handleAck(ack('X50', undefined, 'python-neck'));
    expect((await second).ack.command).toBe('X50');
    expect(tracker.pendingCommands()).toEqual([{ id: 'ui-2', text: 'Y10' }]);
    tracker.handleAck(ack('Y10', 'ui-2'));
    await other;
  });

  it('takes an ack without id carrying the merged line (an agent that merges poses) as the answer to the oldest command it merges', async () => {
    const home = tracker.send('HOME', emit);
    const firstX = tracker.send('X50', emit);
    const compound = tracker.send('HOME_SOFT|X10', emit);
    const secondX = tracker.send('X50', emit);
    const both = tracker.send('X50,Y-20', emit);

    // X40 is not X50; X50,Y-20 is no merge of X50 (not a full pose): it answers the command that was exactly it.
    tracker.handleAck(ack('X40,Y0,Z0,H0,S1,A1,R0,P0', undefined, 'python-neck'));
    tracker.handleAck(ack('X50,Y-20', undefined, 'python-neck'));
    expect(tracker.pendingCommands().map(({ id }) => id)).toEqual(['ui-1', 'ui-2', 'ui-3', 'ui-4']);
    await both;

    tracker.handleAck(ack('X50,Y-20,Z0,H0,S1,A1,R0,P0', undefined, 'python-neck'));
    expect(await firstX).toEqual({
      ack: ack('X50,Y-20,Z0,H0,S1,A1,R0,P0', undefined, 'python-neck'),
      roundTripMs: expect.any(Number),
    });
    tracker.handleAck(ack('HOME_SOFT|X10,Y0,Z0,H0,S1,A1,R0,P0', undefined, 'python-neck'));
    expect((await compound).ack.command).toBe('HOME_SOFT|X10,Y0,Z0,H0,S1,A1,R0,P0');
    tracker.handleAck(ack('X50,Y-20,Z0,H0,S1,A1,R0,P0', undefined, 'python-neck'));
    await secondX;
    // HOME is never merged: only its own line answers it.
    tracker.handleAck(ack('HOME_SOFT', undefined, 'python-neck'));
    expect(tracker.pendingCommands()).toEqual([{ id: 'ui-1', text: 'HOME' }]);
    tracker.handleAck(ack('HOME', undefined, 'python-neck'));
    await home;
  });

  it('exposes the ack’s timeline in the result and in every report, and none when the neck sends none', async () => {
    const reports = seen();
    const timeline = { hubMs: 1, linkMs: 4, agentMs: 2, queueMs: 0, wireMs: 1.7 };
    const timed = tracker.send('X1', emit);
    const untimed = tracker.send('X2', emit);

    tracker.handleAck({ ...ack('X1', 'ui-1'), timeline });
    tracker.handleAck(ack('X2', 'ui-2'));
    tracker.handleAck({ ...ack('X3', 'someone-else-1'), timeline });

    expect(await timed).toEqual({ ack: { ...ack('X1', 'ui-1'), timeline }, roundTripMs: expect.any(Number), timeline });
    expect(await untimed).not.toHaveProperty('timeline');
    expect(reports.map((report) => report.timeline)).toEqual([timeline, undefined, timeline]);
  });

  it('rejects the command whose id an error-message carries with a HubError', async () => {
    const earlier = tracker.send('X1', emit);
    const refused = tracker.send('HOME', emit);

    tracker.handleError({ code: 'NO_NECK', message: 'no neck is connected to the hub; start neck-agent', id: 'ui-2' });

    const error = await rejection(refused);
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({
      code: 'NO_NECK',
      message: 'no neck is connected to the hub; start neck-agent',
      commandId: 'ui-2',
    });
    expect(tracker.pendingCommands()).toEqual([{ id: 'ui-1', text: 'X1' }]);
    tracker.handleAck(ack('X1', 'ui-1'));
    await expect(earlier).resolves.toMatchObject({ ack: { id: 'ui-1' } });
  });

  it('settles nothing on an error-message without id, with an id of no pending command, or malformed', async () => {
    const commands = [tracker.send('X1', emit), tracker.send('X2', emit)].map(rejection);

    tracker.handleError({ code: 'UNKNOWN_TARGET', message: 'no peer with id nobody' });
    tracker.handleError({ code: 'RATE_LIMITED', message: 'slow down', id: 'someone-else-1' });
    const malformed: unknown = { code: 'NOT_A_CODE', message: 'x', id: 'ui-1' };
    tracker.handleError(malformed as ErrorMessageDto);

    expect(tracker.pendingCommands().map(({ id }) => id)).toEqual(['ui-1', 'ui-2']);
    const over = new Error('test over');
    tracker.rejectPending(over);
    await expect(Promise.all(commands)).resolves.toEqual([over, over]);
  });

  it('rejects with AckTimeoutError when no ack comes in time, and forgets the command', async () => {
    const reports = seen();

    const error = await rejection(tracker.send('X30', emit, { timeoutMs: 20 }));

    expect(error).toBeInstanceOf(AckTimeoutError);
    expect(error).toMatchObject({ command: 'X30', commandId: 'ui-1', timeoutMs: 20 });
    expect(tracker.pendingCommands()).toEqual([]);
    // A late ack is not ours any more.
    tracker.handleAck(ack('X30', 'ui-1'));
    expect(reports).toEqual([{ ack: ack('X30', 'ui-1'), first: false }]);
  });

  it('rejects with what emit throws and waits for nothing', async () => {
    const refusal = new Error('payload refused');

    const error = await rejection(
      tracker.send('X1', () => {
        throw refusal;
      }),
    );

    expect(error).toBe(refusal);
    expect(tracker.pendingCommands()).toEqual([]);
  });

  it('rejects every pending command on rejectPending, and close() silences its listeners', async () => {
    const reports = seen();
    const dropped = new Error('connection lost');
    const commands = [tracker.send('X1', emit), tracker.send('X2', emit)];

    tracker.rejectPending(dropped);

    expect(await Promise.all(commands.map(rejection))).toEqual([dropped, dropped]);
    const closed = new Error('closed');
    const last = tracker.send('X3', emit);
    tracker.close(closed);
    expect(await rejection(last)).toBe(closed);
    tracker.handleAck(ack('X3', 'ui-3'));
    expect(reports).toEqual([]);
  });

  it('remembers the last `remember` answered commands for their further acks', async () => {
    tracker = new CommandTracker({ idPrefix: 'ui', remember: 1 });
    const reports = seen();
    for (const text of ['X1', 'X2']) {
      const result = tracker.send(text, emit);
      tracker.handleAck(ack(text, sent.at(-1), 'neck-1'));
      await result;
    }

    tracker.handleAck(ack('X2', 'ui-2', 'neck-2'));
    tracker.handleAck(ack('X1', 'ui-1', 'neck-2'));

    expect(reports.slice(2).map((report) => [report.ack.id, report.command?.id])).toEqual([
      ['ui-2', 'ui-2'],
      ['ui-1', undefined],
    ]);
  });

  it('refuses a negative timeout or remember count', () => {
    expect(() => new CommandTracker({ timeoutMs: -1 })).toThrow('timeoutMs must be a number of milliseconds ≥ 0');
    expect(() => new CommandTracker({ remember: 1.5 })).toThrow('remember must be a whole number ≥ 0, got 1.5');
  });
});
