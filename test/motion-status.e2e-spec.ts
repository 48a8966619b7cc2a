import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NeckStatusDeliveryDto, ReplayStatusDto } from '@neck-signal/protocol';
import { Events } from '@neck-signal/protocol';
import { RecordingsRequester } from '@neck-signal/hub-client';
import { AGENT_UUID, PASSWORD, bounded, closeRig, nextStatus, startRig } from './support/neck-rig';
import { startNeck } from './support/program';

/**
 * What the built agent says of its motion in neck_status: the poses it keeps, and where its replay is (on its own
 * clock); the hub and agent as programs, the virtual neck on a socat PTY.
 */

afterEach(() => closeRig());

describe('neck_status: poses kept and replay progress (built agent, virtual neck on a PTY)', () => {
  // Adversary: a progress that is an estimate (runs on after STOP, or jumps to the end), and a pose list that lies.
  it('reports a replay while it plays and where STOP ended it; lists saved poses (and neck pose list)', async () => {
    const rig = await startRig();
    // A stream paced as a hand would (every 50 ms), so the recording lasts long enough to be seen playing.
    for (let i = 0; i < 30; i += 1) {
      expect((await rig.ui.sendCommand(`X${i - 15},Y${i % 5}`, { via: 'neck_command' })).ack.status).toBe('written');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Listening before sending: the status may come right behind the ack.
    const listed = nextStatus(rig.ui, (status) => status.poses?.includes('look-left') === true);
    const saved = await rig.ui.sendCommand('POSE SAVE look-left', { via: 'neck_command' });
    expect(saved.ack.status).toBe('applied');
    await listed;

    const neck = rig.ui.peers().find((peer) => peer.uuid === AGENT_UUID);
    const { recordings } = await new RecordingsRequester(rig.ui, neck?.id ?? '').list();
    const id = recordings.find((recording) => recording.current)?.id ?? '';
    const seen: ReplayStatusDto[] = [];
    const off = rig.ui.on(Events.NeckStatus, (status: NeckStatusDeliveryDto) => {
      if (status.replay?.id === id) seen.push(status.replay);
    });
    const midwaySeen = nextStatus(rig.ui, (s) => s.replay?.state === 'playing' && s.replay.atMs > 1000);
    const slow = rig.ui.sendCommand(`REPLAY ${id} SPEED 0.5`, { via: 'neck_command', timeoutMs: 60_000 });
    const midway = await midwaySeen;
    expect(midway.status.replay).toMatchObject({ id, by: rig.ui.uuid, state: 'playing' });
    expect(midway.status.replay?.totalMs).toBeGreaterThan(midway.status.replay?.atMs ?? Infinity);
    const endedSeen = nextStatus(rig.ui, (s) => s.replay?.state === 'rejected');
    expect((await rig.ui.sendCommand('STOP', { via: 'neck_command' })).ack.status).toBe('applied');
    expect((await bounded(slow, 'the replay’s ack')).ack.status).toBe('rejected');
    const ended = await endedSeen;
    off();
    // It stopped where it was: short of the end, and no further than the last progress reported while playing.
    const last = ended.status.replay;
    expect(last?.atMs).toBeLessThan(last?.totalMs ?? 0);
    const playing = seen.filter((replay) => replay.state === 'playing').map((replay) => replay.atMs);
    expect(playing).toEqual([...playing].sort((a, b) => a - b));
    expect(last?.atMs).toBeGreaterThanOrEqual(playing.at(-1) ?? Infinity);

    const configDir = join(rig.dir, 'cli-config');
    mkdirSync(configDir);
    const list = startNeck(['pose', 'list'], {
      configDir,
      hubUrl: `http://127.0.0.1:${rig.hubPort}`,
      password: PASSWORD,
    });
    expect((await list.exit()).code).toBe(0);
    expect(list.output.join('\n')).toContain(`neck ${AGENT_UUID}: look-left`);
  });
});
