import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HubClient, HubError, RecordingsError, RecordingsRequester } from '@neck-signal/hub-client';
import { AGENT_UUID, PASSWORD, type Rig, closeRig, startRig, track } from './support/neck-rig';
import { fence, untilCount } from './support/fence';
import { startNeck } from './support/program';

/**
 * `neck replay FILE`: a local recording checked by the built CLI, sent through the built hub chunk by chunk,
 * checked again and stored by the built agent, then replayed like one of its own; the virtual neck on a socat PTY.
 */

afterEach(() => closeRig());

const recordingsOf = (rig: Rig) => join(rig.dir, 'agent-config', 'recordings');
const uploadsOf = (rig: Rig) => readdirSync(recordingsOf(rig)).filter((name) => name.includes('upload'));

/** A gesture streamed by `ui`, then a whole recording of it (cut by a replay) downloaded to `file`. */
async function recordedFile(rig: Rig, file: string, at: Parameters<typeof startNeck>[1]): Promise<string[]> {
  const gesture: string[] = [];
  for (let i = 0; i < 12; i += 1) {
    const line = `X${i * 5 - 30},Y${(i % 4) - 2}`;
    gesture.push(`${line},Z0,H0,S1,A1,R0,P0`);
    expect((await rig.ui.sendCommand(line, { via: 'neck_command' })).ack.status).toBe('written');
  }
  const neck = rig.ui.peers().find((peer) => peer.uuid === AGENT_UUID);
  const requester = new RecordingsRequester(rig.ui, neck?.id ?? '');
  const current = (await requester.list()).recordings.find((recording) => recording.current);
  if (!current) throw new Error('no recording is being written');
  // Replaying the file being written finishes it (footer, summary) and opens the next.
  const cut = await rig.ui.sendCommand(`REPLAY ${current.id} SPEED 10`, { via: 'neck_command', timeoutMs: 20_000 });
  expect(cut.ack.status).toBe('applied');
  const get = startNeck(['recordings', 'get', current.id, '-o', file], at);
  expect((await get.exit(60_000)).code).toBe(0);
  return gesture;
}

function cliAt(rig: Rig) {
  const configDir = join(rig.dir, 'cli-config');
  mkdirSync(configDir);
  return { configDir, hubUrl: `http://127.0.0.1:${rig.hubPort}`, password: PASSWORD };
}

describe('neck replay FILE (built CLI, hub and agent; virtual neck on a PTY)', () => {
  // Adversary: a CLI that claims a replay of a file the neck never got, or an upload that garbles bytes.
  it('sends a local recording through the hub, the agent keeps it as -upload and replays it', async () => {
    const rig = await startRig();
    const at = cliAt(rig);
    const file = join(rig.dir, 'gesture.mcap');
    const gesture = await recordedFile(rig, file, at);
    const last = gesture.at(-1) ?? '';
    const before = rig.neck.received.filter((line) => line === last).length;

    const replay = startNeck(['replay', file, '--neck', AGENT_UUID, '--take', '--speed', '2'], at);
    expect((await replay.exit(60_000)).code).toBe(0);
    const output = replay.output.join('\n');
    expect(output).toMatch(/the neck keeps it as \S+-upload/);
    // The upload's bar, then the replay's as the agent reported it in neck_status (seconds), both to the end.
    expect(output).toMatch(/KB of [\d.]+ KB \(100%\)/);
    expect(output).toMatch(/[\d.]+ s of [\d.]+ s \([1-9]\d?%\)/);
    expect(output).toMatch(/([\d.]+) s of \1 s \(100%\)/);
    expect(output).toMatch(/ack applied REPLAY \S+-upload SPEED 2 FROM 0/);
    await untilCount(rig, last, before + 1);
    // Stored byte for byte, and listed like the agent's own recordings.
    const [stored] = uploadsOf(rig);
    expect(uploadsOf(rig)).toHaveLength(1);
    expect(readFileSync(join(recordingsOf(rig), stored)).equals(readFileSync(file))).toBe(true);
    const list = startNeck(['recordings', '--json'], at);
    expect((await list.exit()).code).toBe(0);
    const listed = JSON.parse(list.output.join('\n')) as { recordings: { id: string; complete: boolean }[] };
    expect(listed.recordings).toContainEqual(
      expect.objectContaining({ id: stored.replace(/\.mcap$/, ''), complete: true }),
    );
  });

  // Adversary: a truncated file, garbage, and a hostile client that skips the CLI's check; and an observer.
  it('a truncated or garbage file gets a clear error and nothing reaches the neck or the recordings dir', async () => {
    const rig = await startRig();
    const at = cliAt(rig);
    const file = join(rig.dir, 'gesture.mcap');
    await recordedFile(rig, file, at);
    const bytes = readFileSync(file);
    const truncated = join(rig.dir, 'truncated.mcap');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    const garbage = join(rig.dir, 'garbage.mcap');
    writeFileSync(garbage, Buffer.from('\x89MCAP0\r\nthis is no recording at all'.repeat(50)));
    await fence(rig);
    const received = rig.neck.received.length;

    for (const path of [truncated, garbage]) {
      const refused = startNeck(['replay', path, '--neck', AGENT_UUID, '--take'], at);
      expect((await refused.exit(30_000)).code).toBe(2);
      expect(refused.output.join('\n')).toMatch(/cannot be replayed: .*\(nothing sent\)/);
    }

    // A client that sends the truncated bytes anyway: the agent checks the whole file again and refuses it.
    const neck = rig.ui.peers().find((peer) => peer.uuid === AGENT_UUID);
    const requester = new RecordingsRequester(rig.ui, neck?.id ?? '');
    const hostile = requester.upload(bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    await expect(hostile).rejects.toBeInstanceOf(RecordingsError);
    await expect(hostile).rejects.toMatchObject({ code: 'BAD_UPLOAD', message: /cut short|not a readable/ });
    const mangled = Buffer.from(bytes);
    // A byte flipped inside the first chunk: its CRC no longer matches.
    mangled[Math.floor(mangled.length / 4)] ^= 0xff;
    await expect(requester.upload(mangled)).rejects.toMatchObject({ code: 'BAD_UPLOAD' });

    const observer = new HubClient({
      url: `http://127.0.0.1:${rig.hubPort}`,
      password: PASSWORD,
      uuid: 'watcher',
      role: 'observer',
    });
    track(() => observer.close());
    await observer.connect();
    const watched = new RecordingsRequester(observer, neck?.id ?? '', 5_000).upload(bytes);
    await expect(watched).rejects.toBeInstanceOf(HubError);
    await expect(watched).rejects.toMatchObject({ code: 'FORBIDDEN' });

    expect(uploadsOf(rig)).toEqual([]);
    await fence(rig);
    // Only the fence's own HEALTH probe reached the neck.
    expect(rig.neck.received.slice(received).filter((line) => !line.startsWith('HEALTH'))).toEqual([]);
  });
});
