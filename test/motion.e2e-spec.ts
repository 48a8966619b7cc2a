import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { easeAt, formatHeadPose, HOME_POSE, type NeckAckDeliveryDto } from '@neck-signal/protocol';
import { PASSWORD, type Rig, bounded, closeRig, startRig } from './support/neck-rig';
import { fence } from './support/fence';
import { startNeck } from './support/program';

/**
 * Eased moves and named poses, played by the built agent on its own clock: the hub and agent as programs, the
 * virtual neck on a socat PTY, operators as HubClients.
 */

afterEach(() => closeRig());

/** The head lines of a min-jerk GOTO from home, by the formula 10t³−15t⁴+6t⁵ (rounded, repeats dropped). */
function minJerkLines(target: { X: number; Y: number }, steps: number): string[] {
  const lines: string[] = [];
  for (let k = 1; k <= steps; k += 1) {
    const t = k / steps;
    const s = 10 * t ** 3 - 15 * t ** 4 + 6 * t ** 5;
    expect(easeAt('minjerk', t)).toBeCloseTo(s, 12);
    const line = formatHeadPose({ ...HOME_POSE, X: Math.round(target.X * s), Y: Math.round(target.Y * s) });
    if (lines.at(-1) !== line || k === steps) lines.push(line);
  }
  return lines;
}

/** True when `actual` is `expected` with some lines left out (superseded under load), in order. */
function isSubsequence(actual: readonly string[], expected: readonly string[]): boolean {
  let i = 0;
  for (const line of actual) {
    while (i < expected.length && expected[i] !== line) i += 1;
    if (i === expected.length) return false;
    i += 1;
  }
  return true;
}

const headLines = (rig: Rig, from: number) => rig.neck.received.slice(from).filter((line) => line.startsWith('X'));

describe('eased goto and named poses (built agent, virtual neck on a PTY)', () => {
  // Adversary: an interpolation that jumps, overshoots or ends off target.
  it('GOTO writes the min-jerk sequence (20 steps of 20 ms for 400 ms) and ends exactly on target', async () => {
    const rig = await startRig();
    const before = rig.neck.received.length;
    const { ack } = await rig.ui.sendCommand('goto X50,Y-20 in 400', { via: 'neck_command' });
    expect(ack).toMatchObject({ command: 'GOTO X50,Y-20 IN 400 EASE MINJERK', status: 'applied' });
    await fence(rig);
    const expected = minJerkLines({ X: 50, Y: -20 }, 20);
    const written = headLines(rig, before);
    expect(isSubsequence(written, expected)).toBe(true);
    expect(written.at(-1)).toBe('X50,Y-20,Z0,H0,S1,A1,R0,P0');
    // Superseding may drop a step under load, never most of them.
    expect(written.length).toBeGreaterThanOrEqual(Math.ceil(expected.length * 0.75));
    // Min-jerk starts and ends slowly: the first step moves X by at most 1, the middle ones by more.
    expect(expected[0]).toBe('X0,Y0,Z0,H0,S1,A1,R0,P0');
  });

  // Adversary: a move that keeps going after the operator changed their mind or pressed STOP.
  it('a newer command ends a GOTO (superseded); STOP ends one (rejected) and nothing more is written', async () => {
    const rig = await startRig();
    const move = rig.ui.sendCommand('GOTO X300 IN 3000', { via: 'neck_command' });
    await rig.neck.untilReceived(rig.neck.received.length + 3);
    const newer = await rig.ui.sendCommand('X-10', { via: 'neck_command' });
    expect(newer.ack.status).toBe('written');
    const ended: NeckAckDeliveryDto = (await bounded(move, 'the GOTO ack')).ack;
    expect(ended).toMatchObject({ status: 'superseded', error: { code: 'MOVE_REPLACED' } });
    await fence(rig);
    const after = rig.neck.received.slice(rig.neck.received.lastIndexOf('X-10,Y0,Z0,H0,S1,A1,R0,P0') + 1);
    expect(after.filter((line) => line.startsWith('X'))).toEqual([]);

    const second = rig.ui.sendCommand('GOTO X300 IN 3000', { via: 'neck_command' });
    await rig.neck.untilReceived(rig.neck.received.length + 3);
    const stop = await rig.ui.sendCommand('STOP', { via: 'neck_command' });
    expect(stop.ack.status).toBe('applied');
    expect((await bounded(second, 'the second GOTO ack')).ack).toMatchObject({
      status: 'rejected',
      error: { code: 'STOPPED' },
    });
    const count = rig.neck.received.length;
    await rig.ui.sendCommand('RELEASE', { via: 'neck_command' });
    await fence(rig);
    expect(rig.neck.received.slice(count).filter((line) => line.startsWith('X'))).toEqual([]);
  });

  // Adversary: a name that is not there, and a pose forgotten when the agent restarts.
  it('POSE SAVE keeps the current pose in poses.json; POSE GO eases back to it; an unknown name is refused', async () => {
    const rig = await startRig();
    await rig.ui.sendCommand('X30,Y10,H20', { via: 'neck_command' });
    expect((await rig.ui.sendCommand('pose save look', { via: 'neck_command' })).ack).toMatchObject({
      command: 'POSE SAVE look',
      status: 'applied',
    });
    await rig.ui.sendCommand('HOME_SOFT', { via: 'neck_command' });
    const go = await rig.ui.sendCommand('POSE GO look IN 200 EASE LINEAR', { via: 'neck_command' });
    expect(go.ack).toMatchObject({ command: 'POSE GO look IN 200 EASE LINEAR', status: 'applied' });
    await fence(rig);
    expect(headLines(rig, 0).at(-1)).toBe('X30,Y10,Z0,H20,S1,A1,R0,P0');
    const saved = JSON.parse(readFileSync(join(rig.dir, 'agent-config', 'poses.json'), 'utf8')) as unknown;
    expect(saved).toEqual({ look: { X: 30, Y: 10, Z: 0, H: 20, S: 1, A: 1, R: 0, P: 0 } });
    const unknown = await rig.ui.sendCommand('POSE GO nowhere', { via: 'neck_command' });
    expect(unknown.ack).toMatchObject({ status: 'rejected', error: { code: 'UNKNOWN_POSE' } });
    expect(unknown.ack.error?.message).toMatch(/known: look/);
  });

  // Adversary: a CLI whose flags do not say what the agent does (--in, --ease), or that exits 0 on a refusal.
  it('neck goto and neck pose (built CLI) send the move, wait for its end and exit by its ack', async () => {
    const rig = await startRig();
    const configDir = join(rig.dir, 'cli-config');
    mkdirSync(configDir);
    const at = { configDir, hubUrl: `http://127.0.0.1:${rig.hubPort}`, password: PASSWORD };
    const goto = startNeck(['goto', 'X20,H10', '--in', '300ms', '--ease', 'linear'], at);
    expect((await goto.exit()).code).toBe(0);
    expect(goto.output.join('\n')).toMatch(/ack applied GOTO X20,H10 IN 300 EASE LINEAR/);
    await fence(rig);
    expect(headLines(rig, 0).at(-1)).toBe('X20,Y0,Z0,H10,S1,A1,R0,P0');
    const save = startNeck(['pose', 'save', 'up'], at);
    expect((await save.exit()).code).toBe(0);
    const unknown = startNeck(['pose', 'go', 'down', '--in', '0.2s'], at);
    expect((await unknown.exit()).code).toBe(1);
    expect(unknown.output.join('\n')).toMatch(/no pose named down \(known: up\)/);
    const bad = startNeck(['goto', 'X20', '--in', 'soon'], at);
    expect((await bad.exit()).code).toBe(2);
  });
});
