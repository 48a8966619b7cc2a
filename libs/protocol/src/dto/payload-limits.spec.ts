import { validatePayload } from '../validate';
import { LoginRequestDto } from './login.dto';
import { MAX_UUID_LENGTH, UUID_PATTERN } from './payload-limits';
import { PeerInfoDto } from './peer.dto';

describe('uuids', () => {
  // The original hub took any string: an original Python client with `robot neck` looped for ever on our 400.
  it.each(['robot neck', 'robot_1.lab:2', 'Tête 3', 'arm #2 (left)', '机器人', 'emoji 🤖', ' padded '])(
    'take printable text such as %j, at login and in peer lists',
    (uuid) => {
      expect(UUID_PATTERN.test(uuid)).toBe(true);
      expect(validatePayload(LoginRequestDto, { uuid, password: 'x' }).ok).toBe(true);
      expect(validatePayload(PeerInfoDto, { id: 'sid', uuid, roles: ['ui'] }).ok).toBe(true);
    },
  );

  // Adversary: a uuid that breaks or disguises a log line or a list: a line break, a control or bidi character.
  it.each([
    ['a line break', 'robot\nneck'],
    ['a carriage return', 'robot\rneck'],
    ['a tab', 'robot\tneck'],
    ['an escape sequence', 'robot\u001b[2Jneck'],
    ['DEL', 'robot\u007f'],
    ['a C1 control', 'robot\u0085neck'],
    ['a line separator', 'robot\u2028neck'],
    ['a bidi override', 'robot\u202eneck'],
    ['a zero-width space', 'robot\u200bneck'],
    ['a lone surrogate', 'robot\ud800'],
    ['only spaces', '   '],
    ['nothing', ''],
    ['`*`, every device in revocations', '*'],
  ])('refuse %s', (_what, uuid) => {
    expect(UUID_PATTERN.test(uuid)).toBe(false);
    expect(validatePayload(LoginRequestDto, { uuid, password: 'x' }).ok).toBe(false);
  });

  it(`are at most ${MAX_UUID_LENGTH} characters`, () => {
    expect(validatePayload(LoginRequestDto, { uuid: 'a'.repeat(MAX_UUID_LENGTH), password: 'x' }).ok).toBe(true);
    expect(validatePayload(LoginRequestDto, { uuid: 'a'.repeat(MAX_UUID_LENGTH + 1), password: 'x' })).toEqual({
      ok: false,
      message: `uuid must be shorter than or equal to ${MAX_UUID_LENGTH} characters`,
    });
  });
});
