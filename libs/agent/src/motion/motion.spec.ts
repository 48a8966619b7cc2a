import { AckErrorDto, HOME_POSE, easeAt } from '@neck-signal/protocol';
import { easedPath } from './eased-path';
import { LineSettled, MotionDirector } from './motion-director';
import { replayPath } from './replay-path';

describe('easedPath', () => {
  it('steps every 20 ms along 10t³−15t⁴+6t⁵, rounded, ending exactly on target with its S and A', () => {
    const to = { ...HOME_POSE, X: 100, Y: -40, S: 2 };
    const lines = easedPath(HOME_POSE, to, 200, 'minjerk');
    expect(lines.at(-1)).toEqual({ atMs: 200, line: 'X100,Y-40,Z0,H0,S2,A1,R0,P0' });
    for (const { atMs, line } of lines) {
      const s = easeAt('minjerk', atMs / 200);
      expect(line).toBe(`X${Math.round(100 * s)},Y${Math.round(-40 * s)},Z0,H0,S2,A1,R0,P0`.replace('Y-0,', 'Y0,'));
    }
    expect(easedPath(HOME_POSE, to, 0, 'linear')).toEqual([{ atMs: 0, line: 'X100,Y-40,Z0,H0,S2,A1,R0,P0' }]);
  });
});

describe('replayPath', () => {
  const recorded = [
    { atMs: 0, line: 'HEALTH' },
    { atMs: 5, line: 'HOME' },
    { atMs: 100, line: 'X10,Y0,Z0,H0,S1,A1,R0,P0' },
    { atMs: 150, line: 'X20,Y0,Z0,H0,S1,A1,R0,P0' },
    { atMs: 400, line: '1:40,2:40' },
    { atMs: 900, line: 'X30,Y0,Z0,H0,S1,A1,R0,P0' },
  ];

  // Adversary: fences and homing replayed mid-timing, and a jump from where the head is to the first pose.
  it('plays the motion lines of the window at their intervals ÷ speed, after a lead-in from the current pose', () => {
    const lines = replayPath(recorded, { fromMs: 0, toMs: 500, speed: 2 }, { ...HOME_POSE, X: -50 }, 400);
    const leadIn = lines.filter((line) => line.atMs < 400);
    expect(leadIn.length).toBeGreaterThan(10);
    expect(leadIn[0].line).toMatch(/^X-50,/);
    expect(lines.slice(leadIn.length)).toEqual([
      { atMs: 400, line: 'X10,Y0,Z0,H0,S1,A1,R0,P0' },
      { atMs: 425, line: 'X20,Y0,Z0,H0,S1,A1,R0,P0' },
      { atMs: 550, line: '1:40,2:40' },
    ]);
    expect(replayPath(recorded, { fromMs: 1000, speed: 1 }, HOME_POSE)).toEqual([]);
  });
});

describe('MotionDirector', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const operator = { uuid: 'op', sid: 'sid-op' };
  const path = [
    { atMs: 20, line: 'X1,Y0,Z0,H0,S1,A1,R0,P0' },
    { atMs: 40, line: 'X2,Y0,Z0,H0,S1,A1,R0,P0' },
    { atMs: 60, line: 'X3,Y0,Z0,H0,S1,A1,R0,P0' },
  ];

  // Adversary: an ack that claims more than happened — the move "applied" while its last line still waits to be written.
  it('plays each line at its time and ends applied, once, when its last line has been written', () => {
    const played: string[] = [];
    const ends: string[] = [];
    let lastSettled: LineSettled | undefined;
    const director = new MotionDirector({
      play: (line, _operator, settled) => {
        played.push(line);
        if (settled) lastSettled = settled;
        return undefined;
      },
    });
    director.start(operator, path, (status) => ends.push(status));
    jest.advanceTimersByTime(45);
    expect(played).toEqual([path[0].line, path[1].line]);
    jest.advanceTimersByTime(100);
    expect(played).toHaveLength(3);
    expect(ends).toEqual([]);
    expect(director.mover).toBe(operator);
    lastSettled?.('written');
    lastSettled?.('written');
    expect(ends).toEqual(['applied']);
    expect(director.mover).toBeUndefined();
  });

  it('ends rejected when its last line is refused by the firmware session (the port went down)', () => {
    const ends: [string, AckErrorDto | undefined][] = [];
    const director = new MotionDirector({
      play: (_line, _operator, settled) => void settled?.('rejected', { code: 'PORT_DOWN', message: 'down' }),
    });
    director.start(operator, path, (status, error) => ends.push([status, error]));
    jest.advanceTimersByTime(100);
    expect(ends).toEqual([['rejected', { code: 'PORT_DOWN', message: 'down' }]]);
  });

  // Adversary: a refusal half-way (STOP, the lease) that a move would otherwise ignore.
  it('stops at a refused line, and an interrupt or a newer move ends it with its reason; nothing is played after', () => {
    const played: string[] = [];
    const ends: [string, AckErrorDto | undefined][] = [];
    let refuse: AckErrorDto | undefined;
    const director = new MotionDirector({ play: (line) => refuse ?? void played.push(line) });
    director.start(operator, path, (status, error) => ends.push([status, error]));
    jest.advanceTimersByTime(25);
    refuse = { code: 'STOPPED', message: 'stop' };
    jest.advanceTimersByTime(100);
    expect(played).toEqual([path[0].line]);
    expect(ends).toEqual([['rejected', refuse]]);

    refuse = undefined;
    director.start(operator, path, (status, error) => ends.push([status, error]));
    director.start(operator, path, (status, error) => ends.push([status, error]));
    expect(ends[1]).toEqual(['superseded', expect.objectContaining({ code: 'MOVE_REPLACED' })]);
    director.interrupt('rejected', { code: 'CONTROL_TAKEN', message: 'taken' });
    jest.advanceTimersByTime(100);
    expect(ends[2]).toEqual(['rejected', expect.objectContaining({ code: 'CONTROL_TAKEN' })]);
    expect(played).toEqual([path[0].line]);
    expect(ends).toHaveLength(3);
  });
});
