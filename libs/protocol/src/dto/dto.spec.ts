import { validatePayload } from '../validate';
import { LoginRequestDto } from './login.dto';
import { BroadcastMessageDto, ErrorMessageDto, PeerMessageRequestDto } from './message.dto';
import { MAX_ID_LENGTH, MAX_MESSAGE_LENGTH, UUID_RULE } from './payload-limits';
import { NeckAckReportDto, NeckCommandRequestDto, NeckOutputDto, NeckStatusDto } from './neck.dto';
import { PeerInfoDto } from './peer.dto';

function message(result: { ok: boolean; message?: string }): string {
  return result.ok ? 'valid' : (result.message ?? '');
}

describe('DTO validation', () => {
  describe('LoginRequestDto', () => {
    it.each([
      { password: 'hunter2' },
      { password: 'hunter2', uuid: '50da-3e29-a2f4-eae4' },
      { password: 'x', uuid: 'robot_1.lab:2', role: 'neck' },
      { password: 'x', role: 'observer' },
    ])('accepts %j', (body) => {
      expect(message(validatePayload(LoginRequestDto, body))).toBe('valid');
    });

    it.each([
      [{}, 'password must be a string'],
      [{ password: '' }, 'password must be longer than or equal to 1 characters'],
      [{ password: 5 }, 'password must be a string'],
      [{ password: 'x', role: 'admin' }, 'role must be one of the following values: ui, neck, observer'],
      [{ password: 'x', uuid: 'bad\nuuid' }, UUID_RULE],
      [{ password: 'x', uuid: 'a'.repeat(65) }, 'uuid must be shorter than or equal to 64 characters'],
      [{ password: 'x', extra: 1 }, 'property extra should not exist'],
    ])('rejects %j', (body, expected) => {
      expect(message(validatePayload(LoginRequestDto, body))).toContain(expected);
    });
  });

  it('caps message length', () => {
    expect(message(validatePayload(BroadcastMessageDto, { message: 'x'.repeat(MAX_MESSAGE_LENGTH) }))).toBe('valid');
    expect(message(validatePayload(BroadcastMessageDto, { message: 'x'.repeat(MAX_MESSAGE_LENGTH + 1) }))).toContain(
      `message must be shorter than or equal to ${MAX_MESSAGE_LENGTH} characters`,
    );
  });

  it('requires a target on a directed peer-message', () => {
    expect(message(validatePayload(PeerMessageRequestDto, { target: 'abc', message: 'X30' }))).toBe('valid');
    expect(message(validatePayload(PeerMessageRequestDto, { message: 'X30' }))).toContain('target must be a string');
  });

  it('accepts the seed agent ack (command only) and a full ack, and rejects an unknown status', () => {
    expect(message(validatePayload(NeckAckReportDto, { command: 'X30' }))).toBe('valid');
    expect(
      message(
        validatePayload(NeckAckReportDto, {
          command: 'X30',
          status: 'rejected',
          to: 'sid1',
          id: 'c1',
          error: { code: 'OUT_OF_RANGE', message: 'X9999: …', token: 'X9999' },
        }),
      ),
    ).toBe('valid');
    expect(message(validatePayload(NeckAckReportDto, { command: 'X30', status: 'done' }))).toContain(
      'status must be one of the following values',
    );
    expect(
      message(validatePayload(NeckAckReportDto, { command: 'X30', error: { code: 'NOPE', message: 'x' } })),
    ).toContain('error.code must be one of the following values');
  });

  it('validates neck_command and neck_output', () => {
    expect(message(validatePayload(NeckCommandRequestDto, { command: 'HOME', target: 's', id: '1' }))).toBe('valid');
    expect(message(validatePayload(NeckCommandRequestDto, { command: ['HOME'] }))).toContain(
      'command must be a string',
    );
    expect(message(validatePayload(NeckOutputDto, { line: 'Executing HOME_BRUTE command...' }))).toBe('valid');
    expect(message(validatePayload(NeckOutputDto, {}))).toContain('line must be a string');
  });

  it('validates a full neck_status and names nested failures', () => {
    const status = {
      serial: { state: 'open', path: '/dev/ttyUSB0', baud: 115200 },
      firmware: { state: 'homing', answersHealth: true },
      control: { holder: { uuid: 'alice', sid: 'sid-a' }, leaseMs: 2000, stopped: false, stoppedBy: null },
      pose: { X: 0, Y: 0, Z: 0, H: 0, S: 1, A: 1, R: 0, P: 0 },
      actuatorsMm: [0, 0, 0, 0, 0, 0],
      queueDepth: 0,
      health: null,
    };
    expect(message(validatePayload(NeckStatusDto, status))).toBe('valid');
    expect(
      message(
        validatePayload(NeckStatusDto, { ...status, serial: { state: 'down', path: null, baud: 115200 }, pose: null }),
      ),
    ).toBe('valid');
    expect(
      message(validatePayload(NeckStatusDto, { ...status, serial: { state: 'weird', path: null, baud: 1 } })),
    ).toContain('serial.state must be one of the following values');
    expect(message(validatePayload(NeckStatusDto, { ...status, pose: { ...status.pose, X: 'a' } }))).toContain(
      'pose.X must be a number',
    );
    expect(message(validatePayload(NeckStatusDto, { ...status, queueDepth: -1 }))).toContain(
      'queueDepth must not be less than 0',
    );
    expect(
      message(validatePayload(NeckStatusDto, { ...status, firmware: { state: 'asleep', answersHealth: null } })),
    ).toContain('firmware.state must be one of the following values: booting, homing, ready, down');
    expect(message(validatePayload(NeckStatusDto, { ...status, firmware: undefined }))).toContain('firmware');
    expect(
      message(validatePayload(NeckStatusDto, { ...status, control: { ...status.control, holder: { uuid: '' } } })),
    ).toContain('control.holder');
  });

  it('validates peer info and error messages', () => {
    expect(message(validatePayload(PeerInfoDto, { id: 'sid', uuid: 'u-1', roles: ['ui'] }))).toBe('valid');
    expect(message(validatePayload(PeerInfoDto, { id: 'sid', uuid: 'u-1', roles: ['root'] }))).toContain(
      'each value in roles must be one of the following values',
    );
    expect(message(validatePayload(ErrorMessageDto, { code: 'UNKNOWN_TARGET', message: 'no peer abc' }))).toBe('valid');
  });

  it('takes the id of the command an error-message answers, validated as every other id', () => {
    const error = { code: 'NO_NECK', message: 'no neck is connected to the hub' };
    expect(message(validatePayload(ErrorMessageDto, { ...error, id: 'x1' }))).toBe('valid');
    expect(message(validatePayload(ErrorMessageDto, { ...error, id: 'x'.repeat(MAX_ID_LENGTH) }))).toBe('valid');
    expect(message(validatePayload(ErrorMessageDto, { ...error, id: '' }))).toContain(
      'id must be longer than or equal to 1 characters',
    );
    expect(message(validatePayload(ErrorMessageDto, { ...error, id: 'x'.repeat(MAX_ID_LENGTH + 1) }))).toContain(
      `id must be shorter than or equal to ${MAX_ID_LENGTH} characters`,
    );
    expect(message(validatePayload(ErrorMessageDto, { ...error, id: 7 }))).toContain('id must be a string');
  });

  it.each([null, 'HOME', 42, ['HOME']])('refuses a payload that is not an object (%p)', (payload) => {
    expect(message(validatePayload(BroadcastMessageDto, payload))).toBe('payload must be a JSON object');
  });
});
