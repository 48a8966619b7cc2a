import { isNeckHealth, parseHealthLine } from './health';

describe('parseHealthLine', () => {
  const line =
    'HEALTH|DEVICE=NECK|ROLE=STEWART_NECK|PROTO=1|UPTIME_MS=12345|BAUD=115200|BT_NAME=NECK_BT|MOTORS=6|SPEED_HZ=48000|ACCEL=36000|BYPASS_CLAMP=0';

  it('reads every field of the firmware health line', () => {
    const health = parseHealthLine(line);
    expect(health).toMatchObject({
      device: 'NECK',
      role: 'STEWART_NECK',
      proto: 1,
      uptimeMs: 12345,
      baud: 115200,
      btName: 'NECK_BT',
      motors: 6,
      speedHz: 48000,
      accel: 36000,
      bypassClamp: false,
    });
    expect(health?.fields.BT_NAME).toBe('NECK_BT');
    expect(isNeckHealth(health)).toBe(true);
  });

  it('keeps unknown fields and tolerates a trailing CR', () => {
    const health = parseHealthLine('HEALTH|DEVICE=ARM|NEW_FIELD=x|BYPASS_CLAMP=1\r');
    expect(health?.fields.NEW_FIELD).toBe('x');
    expect(health?.bypassClamp).toBe(true);
    expect(health?.uptimeMs).toBeNull();
    expect(isNeckHealth(health)).toBe(false);
  });

  it.each(['', 'HEALTH', 'Executing HOME_BRUTE command...', 'HEALTH|garbage', 'HEALTH|ROLE=X', 'STATUS|DEVICE=NECK'])(
    'gives null for %j',
    (text) => {
      expect(parseHealthLine(text)).toBeNull();
    },
  );
});
