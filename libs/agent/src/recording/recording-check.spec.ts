import { McapWriter, TempBuffer } from '@mcap/core';
import { checkRecording } from './recording-check';
import { RECORDING_CHANNELS } from './recording-channels';

const encoder = new TextEncoder();

/** An MCAP file with one channel (`topic`, schema `schema`) holding `lines` as `{ line }` messages 20 ms apart. */
async function mcapOf(
  lines: unknown[],
  topic: string = RECORDING_CHANNELS.write.topic,
  schema: string = RECORDING_CHANNELS.write.schema,
) {
  const buffer = new TempBuffer();
  const writer = new McapWriter({ writable: buffer });
  await writer.start({ profile: '', library: 'test' });
  const schemaId = await writer.registerSchema({ name: schema, encoding: 'jsonschema', data: encoder.encode('{}') });
  const channelId = await writer.registerChannel({ schemaId, topic, messageEncoding: 'json', metadata: new Map() });
  for (const [i, line] of lines.entries()) {
    const time = BigInt(1_000_000_000 + i * 20_000_000);
    await writer.addMessage({
      channelId,
      sequence: i,
      logTime: time,
      publishTime: time,
      data: encoder.encode(JSON.stringify({ line })),
    });
  }
  await writer.end();
  return buffer.get();
}

describe('checkRecording (what an uploaded file must be before a replay plays it)', () => {
  it('reads the lines written with their times from a whole recording', async () => {
    const check = checkRecording(await mcapOf(['X10,Y0,Z0,H0,S1,A1,R0,P0', 'X20,Y0,Z0,H0,S1,A1,R0,P0']));
    expect(check).toEqual({
      ok: true,
      writes: [
        { atMs: 0, line: 'X10,Y0,Z0,H0,S1,A1,R0,P0' },
        { atMs: 20, line: 'X20,Y0,Z0,H0,S1,A1,R0,P0' },
      ],
    });
  });

  // Adversary: a hostile file, well-formed MCAP, that would smuggle a line the firmware should never see.
  it.each([
    ['a line outside the firmware grammar', ['X10\nHOME'], /no firmware line/],
    ['a message without a line', [{ nope: 1 }], /holds no line/],
    ['no line at all', [], /nothing to replay/],
  ])('refuses %s', async (_what, lines, message) => {
    expect(checkRecording(await mcapOf(lines))).toMatchObject({ ok: false, message: expect.stringMatching(message) });
  });

  // Adversary: someone else's MCAP (a rosbag), a truncated file, and bytes that are no MCAP at all.
  it('refuses another schema, a cut file and garbage', async () => {
    const foreign = await mcapOf(['X10'], '/neck/write', 'std_msgs/String');
    expect(checkRecording(foreign)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/no \/neck\/write channel/),
    });
    const whole = await mcapOf(['X10,Y0', 'X20,Y0']);
    expect(checkRecording(whole.subarray(0, whole.length - 40))).toMatchObject({ ok: false });
    expect(checkRecording(encoder.encode('not an mcap file'))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/not a readable MCAP/),
    });
  });
});
