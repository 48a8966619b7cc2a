import { parseNeckCommand } from './parse';
import { printedBytesOf } from './timing';

function printed(text: string): number {
  const parsed = parseNeckCommand(text);
  if (!parsed.ok) throw new Error(`${text} does not parse`);
  return printedBytesOf(parsed.command);
}

describe('printedBytesOf: what the firmware prints for a command, at most', () => {
  it('counts the HEALTH answer with the longest uptime, a quaternion’s debug line and a homing’s announcement', () => {
    const answer =
      'HEALTH|DEVICE=NECK|ROLE=STEWART_NECK|PROTO=1|UPTIME_MS=4294967295|BAUD=115200|BT_NAME=NECK_BT|MOTORS=6|SPEED_HZ=48000|ACCEL=36000|BYPASS_CLAMP=0';
    expect(printed('HEALTH')).toBe(answer.length + 2);
    expect(printed('STATUS')).toBe(answer.length + 2);
    expect(printed('Q:0.9239,0,0.3827,0')).toBe(
      'Quaternion command received. Euler angles (deg): Yaw=-180, Pitch=-89, Roll=-180\r\n'.length,
    );
    expect(printed('HOME_SOFT')).toBe('Executing HOME_BRUTE command...\r\n'.length);
  });

  it('prints nothing for moves, and sums the parts of a compound', () => {
    expect(printed('X10,Y5')).toBe(0);
    expect(printed('1:20,2:30')).toBe(0);
    expect(printed('HOME|HEALTH|X5')).toBe(printed('HOME') + printed('HEALTH'));
  });
});
