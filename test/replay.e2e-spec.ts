import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RecordingsRequester } from '@neck-signal/hub-client';
import type { HubClient } from '@neck-signal/hub-client';
import { AGENT_UUID, PASSWORD, type Rig, bounded, closeRig, startRig } from './support/neck-rig';
import { fence, untilCount } from './support/fence';
import { startNeck } from './support/program';
import { mcapFiles, readMcap } from './support/mcap';

/**
 * Replay, played by the built agent on its own clock as an ordinary operator: the hub and agent as programs, the
 * virtual neck on a socat PTY; the recordings read back with @mcap/core's reader.
 */

afterEach(() => closeRig());

/** Poses at irregular moments (20–60 ms apart): what the replay must reproduce. */
async function recordGesture(rig: Rig, count: number): Promise<string[]> {
  const lines: string[] = [];
  const sends: Promise<unknown>[] = [];
  let atMs = 0;
  for (let i = 0; i < count; i += 1) {
    const line = `X${((i * 7) % 80) - 40},Y${(i % 10) - 5}`;
    lines.push(`${line},Z0,H0,S1,A1,R0,P0`);
    atMs += 20 + ((i * 13) % 41);
    sends.push(
      new Promise((resolve) => setTimeout(resolve, atMs)).then(() => rig.ui.sendCommand(line, { via: 'neck_command' })),
    );
  }
  await bounded(Promise.all(sends), 'the gesture’s acks', 30_000);
  return lines;
}

async function currentRecording(client: HubClient): Promise<string> {
  const neck = client.peers().find((peer) => peer.uuid === AGENT_UUID);
  const { recordings } = await new RecordingsRequester(client, neck?.id ?? '').list();
  const current = recordings.find((recording) => recording.current);
  if (!current) throw new Error('no recording is being written');
  return current.id;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

describe('replay (built agent, virtual neck on a PTY)', () => {
  // Adversary: network and timer jitter, and a replay that jumps from wherever the head is to the first pose.
  it('reproduces the recorded write times (p95 error ≤ 5 ms) after a lead-in from the current pose', async () => {
    const rig = await startRig();
    const gesture = await recordGesture(rig, 40);
    const id = await currentRecording(rig.ui);
    expect((await rig.ui.sendCommand('X-60,Y0', { via: 'neck_command' })).ack.status).toBe('written');
    const replay = await rig.ui.sendCommand(`REPLAY ${id}`, { via: 'neck_command', timeoutMs: 30_000 });
    expect(replay.ack).toMatchObject({ command: `REPLAY ${id} SPEED 1 FROM 0`, status: 'applied' });
    // `applied`: every line was handed to the firmware session; the last one reaches the neck a little later.
    await untilCount(rig, 'X-60,Y0,Z0,H0,S1,A1,R0,P0', 2);
    await rig.agent.stop('SIGTERM');

    const [original, replayed] = mcapFiles(join(rig.dir, 'agent-config', 'recordings')).map(readMcap);
    const writes = (contents: ReturnType<typeof readMcap>) =>
      (contents.messages.get('/neck/write') ?? []).map((m) => ({ line: String(m.data.line), at: m.logTime }));
    const recorded = writes(original).filter((w) => gesture.includes(w.line));
    // Under load a pose may be superseded by the next before it is written: most are written, in order.
    expect(recorded.length).toBeGreaterThanOrEqual(Math.ceil(gesture.length * 0.9));
    expect(recorded.map((w) => gesture.indexOf(w.line))).toEqual(
      [...recorded.map((w) => gesture.indexOf(w.line))].sort((a, b) => a - b),
    );
    // Replaying the file being written cut it: the replay's writes are all in the next file.
    expect((original.messages.get('/neck/command') ?? []).at(-1)?.data.text).toBe(`REPLAY ${id}`);
    const after = writes(replayed);
    // The lead-in starts where the head was, not at the first recorded pose.
    expect(after[0].line).toMatch(/^X-(60|59|58),Y0,/);
    // The session so far ends with the X-60 sent before the REPLAY: it is replayed last.
    expect(after.at(-1)?.line).toBe('X-60,Y0,Z0,H0,S1,A1,R0,P0');
    // Gesture lines after the first never occur in the lead-in (X > -40 there): each is found by its text. A pose
    // may be superseded by the next one under load (never written): the timing is judged on those written.
    const replayedAt = new Map<string, bigint>();
    for (const w of after) if (!replayedAt.has(w.line)) replayedAt.set(w.line, w.at);
    const timed = recorded.slice(1).flatMap((w) => {
      const at = replayedAt.get(w.line);
      return at === undefined ? [] : [{ recordedAt: w.at, replayedAt: at }];
    });
    expect(timed.length).toBeGreaterThanOrEqual(Math.ceil((recorded.length - 1) * 0.9));
    // The replay starts when it starts: align the two clocks by the median offset, then judge each line against it.
    const offsets = timed.map((t) => Number(t.replayedAt - t.recordedAt) / 1e6);
    const median = percentile(offsets, 50);
    const errorsMs = offsets.map((offset) => Math.abs(offset - median));
    expect(percentile(errorsMs, 95)).toBeLessThanOrEqual(5);
  });

  // Adversary: a replay that keeps moving the neck after STOP, or against another operator who took control.
  it('another operator’s TAKE ends a replay; STOP ends one and nothing more is written', async () => {
    const rig = await startRig();
    await recordGesture(rig, 30);
    const id = await currentRecording(rig.ui);
    const slow = rig.ui.sendCommand(`REPLAY ${id} SPEED 0.2`, { via: 'neck_command', timeoutMs: 60_000 });
    await rig.neck.untilReceived(rig.neck.received.length + 5);
    const other = await rig.operator('other-operator');
    expect((await other.sendCommand('TAKE', { via: 'neck_command' })).ack.status).toBe('applied');
    expect((await bounded(slow, 'the replay’s ack')).ack).toMatchObject({
      status: 'rejected',
      error: { code: 'CONTROL_TAKEN' },
    });
    expect((await other.sendCommand('YIELD', { via: 'neck_command' })).ack.status).toBe('applied');

    const second = rig.ui.sendCommand(`REPLAY ${id} SPEED 0.2`, { via: 'neck_command', timeoutMs: 60_000 });
    await rig.neck.untilReceived(rig.neck.received.length + 5);
    expect((await rig.ui.sendCommand('STOP', { via: 'neck_command' })).ack.status).toBe('applied');
    expect((await bounded(second, 'the second replay’s ack')).ack).toMatchObject({
      status: 'rejected',
      error: { code: 'STOPPED' },
    });
    const count = rig.neck.received.length;
    await rig.ui.sendCommand('RELEASE', { via: 'neck_command' });
    await fence(rig);
    expect(rig.neck.received.slice(count).filter((line) => line.startsWith('X'))).toEqual([]);
  });

  // Adversary: a CLI that claims a replay it did not get, or sends a local path the agent cannot open.
  it('neck replay (built CLI) plays a recording by id and exits by its ack; a missing file is refused', async () => {
    const rig = await startRig();
    const gesture = await recordGesture(rig, 10);
    const id = await currentRecording(rig.ui);
    const configDir = join(rig.dir, 'cli-config');
    mkdirSync(configDir);
    const at = { configDir, hubUrl: `http://127.0.0.1:${rig.hubPort}`, password: PASSWORD };
    const replay = startNeck(['replay', id, '--speed', '2', '--neck', AGENT_UUID], at);
    expect((await replay.exit(30_000)).code).toBe(1);
    // e2e-ui streamed the gesture and still holds the control: --take takes it over.
    expect(replay.output.join('\n')).toMatch(/CONTROL_HELD/);
    const taking = startNeck(['replay', id, '--speed', '2', '--neck', AGENT_UUID, '--take'], at);
    expect((await taking.exit(30_000)).code).toBe(0);
    expect(taking.output.join('\n')).toMatch(new RegExp(`ack applied REPLAY ${id} SPEED 2 FROM 0`));
    // The replay ends on the gesture's last pose (which the neck had received once already).
    await untilCount(rig, gesture.at(-1) ?? '', 2);
    const path = startNeck(['replay', './gesture.mcap'], at);
    expect((await path.exit()).code).toBe(2);
    expect(path.output.join('\n')).toMatch(/gesture.mcap: no such file/);
  });
});
