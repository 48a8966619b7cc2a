import { join } from 'node:path';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { HubClient, HubError, RecordingsRequester } from '@neck-signal/hub-client';
import { AGENT_UUID, PASSWORD, closeRig, startRig, track } from './support/neck-rig';
import { fence } from './support/fence';
import { startNeck } from './support/program';
import { mcapFiles, readMcap, readSummary } from './support/mcap';

/**
 * Recording in the agent: the built hub and agent, the virtual neck on a socat PTY, operators as HubClients;
 * the files are read back with @mcap/core's readers, the way Foxglove would.
 */

afterEach(() => closeRig());

const recordingsOf = (dir: string) => join(dir, 'agent-config', 'recordings');

describe('recording sessions as MCAP (built agent, virtual neck on a PTY)', () => {
  // Adversary: a recorder that loses, invents or mislabels what crossed the agent.
  it('records every command received, line written, ack and firmware line; the file opens indexed', async () => {
    const rig = await startRig();
    const sent = ['X10', 'X20,Y-5', 'Q:0.9239,0,0.3827,0', 'HEALTH', 'X900', 'HOME_SOFT'];
    const fenced = [...sent, 'HEALTH'];
    const acks = [];
    for (const text of sent) acks.push((await rig.ui.sendCommand(text, { via: 'neck_command' })).ack);
    expect(acks.map((ack) => ack.status)).toEqual(['written', 'written', 'written', 'written', 'rejected', 'written']);
    // Everything the agent wrote (HOME_SOFT's own HEALTH fence included) has reached the neck.
    await fence(rig);
    await rig.agent.stop('SIGTERM');

    const [file] = mcapFiles(recordingsOf(rig.dir));
    const contents = readMcap(file);
    expect(contents.complete).toBe(true);
    const topics = [...contents.channels.values()].map((channel) => channel.topic).sort();
    expect(topics).toEqual(['/neck/ack', '/neck/command', '/neck/output', '/neck/pose', '/neck/status', '/neck/write']);
    const schemaOf = (topic: string) => {
      const channel = [...contents.channels.values()].find((c) => c.topic === topic);
      return channel ? contents.schemas.get(channel.schemaId) : undefined;
    };
    expect(schemaOf('/neck/output')).toMatchObject({ name: 'foxglove.Log', encoding: 'jsonschema' });
    expect(contents.metadata.get('neck')?.get('uuid')).toBe(AGENT_UUID);
    expect(contents.metadata.get('neck')?.get('agent_version')).toMatch(/^\d+\.\d+\.\d+/);

    const commands = contents.messages.get('/neck/command') ?? [];
    expect(commands.map((m) => m.data.text)).toEqual(fenced);
    expect(commands.every((m) => m.data.path === 'hub' && m.data.senderUuid === 'e2e-ui')).toBe(true);
    const recordedAcks = contents.messages.get('/neck/ack') ?? [];
    expect(recordedAcks.map((m) => [m.data.command, m.data.status])).toEqual([
      ...acks.map((a) => [a.command, a.status]),
      ['HEALTH', 'written'],
    ]);
    // What was written from the first command on is what the neck received, HEALTH fences included, in order.
    const written = (contents.messages.get('/neck/write') ?? []).map((m) => m.data.line);
    const first = 'X10,Y0,Z0,H0,S1,A1,R0,P0';
    expect(written.slice(written.indexOf(first))).toEqual(rig.neck.received.slice(rig.neck.received.indexOf(first)));
    // The agent's opening is recorded too: its HEALTH probe, and no HOME of its own (the board reset when the port
    // opened, and its boot homing counts as the opening's HOME).
    expect(written[0]).toBe('HEALTH');
    expect(written).not.toContain('HOME');
    for (const ack of acks.filter((a) => a.status === 'written')) expect(written).toContain(ack.command);
    expect(written).not.toContain('X900');
    // The pose as numbers: X10, then X20,Y-5, then the quaternion's yaw/pitch/roll, then HOME_SOFT's zeros.
    const poses = (contents.messages.get('/neck/pose') ?? []).map((m) => m.data);
    expect(poses).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ x: 10, y: 0 }),
        expect.objectContaining({ x: 20, y: -5 }),
        expect.objectContaining({ x: 0, y: 45, z: 0, yaw: 0, pitch: 45, roll: 0 }),
      ]),
    );
    expect(poses.at(-1)).toMatchObject({ x: 0, y: 0, z: 0, h: 0 });
    const output = (contents.messages.get('/neck/output') ?? []).map((m) => String(m.data.message));
    expect(output.some((line) => line.startsWith('HEALTH|DEVICE=NECK'))).toBe(true);
    expect(output).toContain('Executing HOME_SOFT command...');
    expect((contents.messages.get('/neck/status') ?? []).length).toBeGreaterThan(0);
    // Log times follow the order things happened.
    const times = (contents.messages.get('/neck/write') ?? []).map((m) => m.logTime);
    expect([...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(times);

    const summary = await readSummary(file);
    expect(summary.chunkIndexes.length).toBeGreaterThan(0);
    const counts = summary.statistics?.channelMessageCounts;
    const idOf = (topic: string) => [...summary.channelsById.values()].find((c) => c.topic === topic)?.id ?? -1;
    expect(Number(counts?.get(idOf('/neck/command')))).toBe(fenced.length);
    expect(Number(counts?.get(idOf('/neck/write')))).toBe(written.length);
  });

  // Adversary: kill -9 in the middle of a 100 Hz stream, and a disk that fills up over sessions.
  it('a kill -9 leaves a file readable up to its last chunk; the budget deletes the oldest file', async () => {
    const rig = await startRig({ agentConfig: { record_budget_mb: 1 } });
    const dir = recordingsOf(rig.dir);
    // An older session's file, big enough that this one pushes the total past 1 MB.
    const old = join(dir, '2000-01-01T00-00-00-000Z.mcap');
    writeFileSync(old, Buffer.alloc(1000 * 1024));
    const lines = Array.from({ length: 400 }, (_, i) => `X${(i % 100) - 50},Y${i % 7},H${i % 30}`);
    for (let i = 0; i < lines.length; i += 20) {
      await Promise.all(lines.slice(i, i + 20).map((line) => rig.ui.sendCommand(line, { via: 'neck_command' })));
    }
    await rig.agent.kill();

    const files = mcapFiles(dir);
    expect(files).toHaveLength(1);
    expect(files).not.toContain(old);
    const contents = readMcap(files[0]);
    expect(contents.complete).toBe(false);
    expect(contents.chunks).toBeGreaterThan(0);
    const commands = (contents.messages.get('/neck/command') ?? []).map((m) => m.data.text);
    expect(commands.length).toBeGreaterThan(0);
    // What survived is a prefix of what was sent, nothing garbled.
    expect(commands).toEqual(lines.slice(0, commands.length));
    expect(statSync(files[0]).size).toBeGreaterThan(64 * 1024);
  });

  // Adversary: an observer after the session's commands, and a download that garbles or truncates bytes.
  it('neck recordings lists and downloads through the hub (built CLI); an observer is refused', async () => {
    const rig = await startRig();
    for (let i = 0; i < 300; i += 1) await rig.ui.sendCommand(`X${i % 50},Y${i % 9}`, { via: 'neck_command' });
    const configDir = join(rig.dir, 'cli-config');
    mkdirSync(configDir);
    const at = { configDir, hubUrl: `http://127.0.0.1:${rig.hubPort}`, password: PASSWORD };

    const list = startNeck(['recordings', '--json'], at);
    expect((await list.exit()).code).toBe(0);
    const listed = JSON.parse(list.output.join('\n')) as {
      neck: string;
      recordings: { id: string; current: boolean; commands: number }[];
    };
    expect(listed.neck).toBe(AGENT_UUID);
    expect(listed.recordings).toHaveLength(1);
    const [recording] = listed.recordings;
    expect(recording.current).toBe(true);
    expect(recording.commands).toBeGreaterThan(0);

    const out = join(rig.dir, 'copy.mcap');
    const get = startNeck(['recordings', 'get', recording.id, '-o', out], at);
    expect((await get.exit(60_000)).code).toBe(0);
    expect(get.output.join('\n')).toMatch(/100%/);
    const copy = readFileSync(out);
    const original = readFileSync(join(recordingsOf(rig.dir), `${recording.id}.mcap`));
    // The file being written is copied as it was when the download began: a prefix of it, byte for byte.
    expect(copy.length).toBeGreaterThan(8 * 1024);
    expect(original.subarray(0, copy.length).equals(copy)).toBe(true);
    expect((readMcap(out).messages.get('/neck/command') ?? []).length).toBeGreaterThan(0);

    const missing = startNeck(['recordings', 'get', 'no-such-recording'], at);
    expect((await missing.exit()).code).toBe(1);
    expect(missing.output.join('\n')).toMatch(/no recording no-such-recording.*UNKNOWN_RECORDING/);

    const observer = new HubClient({
      url: `http://127.0.0.1:${rig.hubPort}`,
      password: PASSWORD,
      uuid: 'watcher',
      role: 'observer',
    });
    track(() => observer.close());
    await observer.connect();
    const neck = observer.peers().find((peer) => peer.uuid === AGENT_UUID);
    expect(neck).toBeDefined();
    const refused = new RecordingsRequester(observer, neck?.id ?? '', 5_000).list();
    await expect(refused).rejects.toBeInstanceOf(HubError);
    await expect(refused).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
