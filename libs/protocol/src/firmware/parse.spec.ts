import { CommandErrorCode } from './errors';
import { DEFAULT_NECK_LIMITS } from './neck-limits';
import { parseNeckCommand } from './parse';

function lineOf(text: string): string {
  const result = parseNeckCommand(text);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(text)} to parse, got ${result.error.message}`);
  return result.line;
}

function rejection(text: string) {
  const result = parseNeckCommand(text);
  if (result.ok) throw new Error(`expected ${JSON.stringify(text)} to be rejected, got ${result.line}`);
  return result.error;
}

describe('parseNeckCommand: accepted forms', () => {
  it.each([
    ['HOME', 'HOME'],
    ['home', 'HOME'],
    ['  Home_Soft ', 'HOME_SOFT'],
    ['HOME_BRUTE', 'HOME_BRUTE'],
    ['health', 'HEALTH'],
    ['STATUS', 'STATUS'],
  ])('keyword %j → %s', (text, line) => {
    expect(lineOf(text)).toBe(line);
  });

  it('parses a keyword into a typed command', () => {
    expect(parseNeckCommand('home_soft')).toEqual({
      ok: true,
      command: { kind: 'home', keyword: 'HOME_SOFT' },
      line: 'HOME_SOFT',
    });
  });

  it.each([
    ['1:55,2:60.5', '1:55,2:60.5'],
    [' 3 : 0 , 6:80 ', '3:0,6:80'],
    ['4:12.50', '4:12.5'],
    ['5:.5', '5:0.5'],
  ])('actuators %j → %s', (text, line) => {
    expect(lineOf(text)).toBe(line);
  });

  it('keeps actuator order and values', () => {
    const result = parseNeckCommand('2:60.5,1:55');
    expect(result).toEqual({
      ok: true,
      command: {
        kind: 'actuators',
        targets: [
          { id: 2, mm: 60.5 },
          { id: 1, mm: 55 },
        ],
      },
      line: '2:60.5,1:55',
    });
  });

  it.each([
    ['X50,Y-20,H30,S1.5', 'X50,Y-20,H30,S1.5'],
    ['x50, s1.50', 'X50,S1.5'],
    ['A1.0', 'A1'],
    ['X-700,Y700,Z0,H70,S4.19,A10,R-700,P700', 'X-700,Y700,Z0,H70,S4.19,A10,R-700,P700'],
    ['S0.000021,A0.000028', 'S0.000021,A0.000028'],
    ['X+5', 'X5'],
    ['X-0', 'X0'],
    ['P 12', 'P12'],
    ['Y-20,X50', 'X50,Y-20'],
    ['S0.1234567', 'S0.123457'],
  ])('head %j → %s', (text, line) => {
    expect(lineOf(text)).toBe(line);
  });

  it('types a head command with only the axes given', () => {
    expect(parseNeckCommand('x50,s1.5')).toEqual({
      ok: true,
      command: { kind: 'head', axes: { X: 50, S: 1.5 } },
      line: 'X50,S1.5',
    });
  });

  it.each([
    ['Q:0.9239,0,0.3827,0,H30,S1', 'Q:0.9239,0,0.3827,0,H30,S1'],
    ['Q:0.7071,0,0,0.7071,S2,A1', 'Q:0.7071,0,0,0.7071,S2,A1'],
    // Pitch 88°: one degree short of the firmware's NaN zone is fine.
    ['Q:0.7193,0,0.6947,0', 'Q:0.7193,0,0.6947,0'],
    ['q: 1, 0, 0, 0', 'Q:1,0,0,0'],
    ['Q:1.000,-0.0,0,0,a2,h5', 'Q:1,0,0,0,H5,A2'],
    ['Q:16384,0,0,0', 'Q:16384,0,0,0'],
  ])('quaternion %j → %s', (text, line) => {
    expect(lineOf(text)).toBe(line);
  });

  it('types a quaternion', () => {
    expect(parseNeckCommand('Q:0.5,0.5,0.5,0.5,H10')).toEqual({
      ok: true,
      command: { kind: 'quaternion', w: 0.5, x: 0.5, y: 0.5, z: 0.5, extras: { H: 10 } },
      line: 'Q:0.5,0.5,0.5,0.5,H10',
    });
  });

  it.each([
    ['HOME_SOFT|X10', 'HOME_SOFT|X10'],
    ['home | x10,y5 | 1:20 | q:1,0,0,0 | health', 'HOME|X10,Y5|1:20|Q:1,0,0,0|HEALTH'],
    ['HOME|HOME|HOME|HOME|HOME|HOME|HOME|HOME', 'HOME|HOME|HOME|HOME|HOME|HOME|HOME|HOME'],
  ])('compound %j → %s', (text, line) => {
    expect(lineOf(text)).toBe(line);
  });

  it('types a compound command as its parts in order', () => {
    const result = parseNeckCommand('HOME_SOFT|X10');
    expect(result.ok && result.command).toEqual({
      kind: 'compound',
      parts: [
        { kind: 'home', keyword: 'HOME_SOFT' },
        { kind: 'head', axes: { X: 10 } },
      ],
    });
  });

  it('accepts exactly 128 characters', () => {
    const text = `HOME${'|HOME'.repeat(7)}`.padEnd(128, ' ');
    expect(text).toHaveLength(128);
    expect(lineOf(text)).toBe(`HOME${'|HOME'.repeat(7)}`);
  });

  it('applies narrowed limits from a robot config', () => {
    const limits = { X: { min: -100, max: 100 } };
    expect(parseNeckCommand('X100', limits).ok).toBe(true);
    const result = parseNeckCommand('X101', limits);
    expect(result.ok ? null : result.error.message).toBe('X101: X must be an integer from -100 to 100');
    expect(parseNeckCommand('X101').ok).toBe(true);
  });
});

describe('parseNeckCommand: rejections name the token and what is allowed', () => {
  it.each<[string, CommandErrorCode, unknown]>([
    ['X9999', 'OUT_OF_RANGE', 'X9999: X must be an integer from -700 to 700'],
    ['Y-701', 'OUT_OF_RANGE', 'Y-701: Y must be an integer from -700 to 700'],
    ['H71', 'OUT_OF_RANGE', 'H71: H must be an integer from 0 to 70'],
    ['H-1', 'OUT_OF_RANGE', 'H-1: H must be an integer from 0 to 70'],
    [
      'S10.5',
      'OUT_OF_RANGE',
      "S10.5: speed above 4.19 is refused by the neck's stepper driver (48000 Hz × S ≤ 201 kHz)",
    ],
    ['S5', 'OUT_OF_RANGE', "S5: speed above 4.19 is refused by the neck's stepper driver (48000 Hz × S ≤ 201 kHz)"],
    [
      'S4.191',
      'OUT_OF_RANGE',
      "S4.191: speed above 4.19 is refused by the neck's stepper driver (48000 Hz × S ≤ 201 kHz)",
    ],
    [
      'S0',
      'OUT_OF_RANGE',
      "S0: speed 0 comes out at 0 Hz (48000 Hz × S, in whole Hz), which the neck's stepper driver refuses; S must be above 0",
    ],
    [
      'S0.00002',
      'OUT_OF_RANGE',
      "S0.00002: speed 0.00002 comes out at 0 Hz (48000 Hz × S, in whole Hz), which the neck's stepper driver refuses; S must be above 0",
    ],
    [
      'S-1',
      'OUT_OF_RANGE',
      "S-1: speed -1 comes out at -48000 Hz (48000 Hz × S, in whole Hz), which the neck's stepper driver refuses; S must be above 0",
    ],
    [
      'A0',
      'OUT_OF_RANGE',
      "A0: acceleration 0 comes out at 0 steps/s² (36000 × A, whole steps), which the neck's stepper driver refuses; A must be above 0",
    ],
    [
      'A-0.1',
      'OUT_OF_RANGE',
      "A-0.1: acceleration -0.1 comes out at -3600 steps/s² (36000 × A, whole steps), which the neck's stepper driver refuses; A must be above 0",
    ],
    ['A10.5', 'OUT_OF_RANGE', 'A10.5: A must be a number above 0 and at most 10'],
    ['X50.5', 'NOT_AN_INTEGER', 'X50.5: X must be an integer from -700 to 700'],
    ['H30.0', 'NOT_AN_INTEGER', 'H30.0: H must be an integer from 0 to 70'],
    ['X', 'NOT_A_NUMBER', 'X: X must be an integer from -700 to 700'],
    [
      'Xabc',
      'UNKNOWN_COMMAND',
      'Xabc: unknown command; try HOME, HOME_SOFT, HEALTH, 1:55,2:60, X50,Y-20,H30 or Q:1,0,0,0',
    ],
    ['X5e2', 'NOT_A_NUMBER', 'X5e2: X must be an integer from -700 to 700'],
    ['S1e1', 'NOT_A_NUMBER', 'S1e1: S must be a number above 0 and at most 4.19'],
    ['SInfinity', 'UNKNOWN_COMMAND', expect.stringContaining('SInfinity: unknown command')],
    ['SNaN', 'UNKNOWN_COMMAND', expect.stringContaining('SNaN: unknown command')],
    ['S0x10', 'NOT_A_NUMBER', 'S0x10: S must be a number above 0 and at most 4.19'],
    ['X--5', 'NOT_A_NUMBER', 'X--5: X must be an integer from -700 to 700'],
    ['X10,X20', 'DUPLICATE_AXIS', 'X20: X is given twice; each axis at most once'],
    ['x10,Y2,x3', 'DUPLICATE_AXIS', 'x3: X is given twice; each axis at most once'],
    ['W5', 'UNKNOWN_AXIS', 'W5: unknown axis W; head axes are X Y Z H S A R P'],
    ['X5,W5', 'UNKNOWN_AXIS', 'W5: unknown axis W; head axes are X Y Z H S A R P'],
    ['HOMEX', 'UNKNOWN_COMMAND', expect.stringContaining('HOMEX: unknown command; try HOME')],
    ['REBOOT', 'UNKNOWN_COMMAND', expect.stringContaining('REBOOT: unknown command')],
    ['X5,,Y5', 'EMPTY', 'empty value between commas'],
    ['X5,', 'EMPTY', 'empty value between commas'],
    ['7:50', 'BAD_ACTUATOR', '7:50: actuator id must be 1 to 6'],
    ['0:50', 'BAD_ACTUATOR', '0:50: actuator id must be 1 to 6'],
    ['1:81', 'OUT_OF_RANGE', '1:81: actuator 1 takes a length in mm from 0 to 80'],
    ['1:-1', 'OUT_OF_RANGE', '1:-1: actuator 1 takes a length in mm from 0 to 80'],
    ['1:abc', 'NOT_A_NUMBER', '1:abc: actuator 1 takes a length in mm from 0 to 80'],
    ['1:', 'NOT_A_NUMBER', '1:: actuator 1 takes a length in mm from 0 to 80'],
    ['1:5,1:6', 'DUPLICATE_AXIS', '1:6: actuator 1 is given twice'],
    ['1:5,2', 'BAD_ACTUATOR', '2: actuator targets look like 1:55 (id 1 to 6, then mm)'],
    ['1:5,X5', 'MIXED_FORMS', 'X5: head axes cannot be mixed with actuator targets; join the two with |'],
    ['X5,1:5', 'MIXED_FORMS', '1:5: actuator targets cannot be mixed with head axes; join the two with |'],
    ['Q:1,0,0', 'QUATERNION_ARITY', 'Q:1,0,0: a quaternion needs four numbers, Q:w,x,y,z'],
    ['Q:1,0,0,H30', 'QUATERNION_ARITY', 'Q:1,0,0,H30: a quaternion needs four numbers, Q:w,x,y,z'],
    ['Q:', 'QUATERNION_ARITY', 'Q:: a quaternion needs four numbers, Q:w,x,y,z'],
    ['Q:0,0,0,0', 'QUATERNION_ZERO', 'Q:0,0,0,0: the quaternion is all zeros and has no direction'],
    ['Q:1,0,0,0,X5', 'UNKNOWN_AXIS', 'X5: after w,x,y,z a quaternion takes only H, S and A'],
    ['Q:1,0,0,0,5', 'UNKNOWN_AXIS', '5: after w,x,y,z a quaternion takes only H, S and A'],
    ['Q:1,0,0,0,H71', 'OUT_OF_RANGE', 'H71: H must be an integer from 0 to 70'],
    ['Q:1,0,0,0,H5,H6', 'DUPLICATE_AXIS', 'H6: H is given twice; each axis at most once'],
    [
      'Q:0.7071,0,0.7071,0',
      'QUATERNION_PITCH',
      "Q:0.7071,0,0.7071,0: pitch 90° is within 1° of ±90°, where the neck's firmware computes NaN for every actuator; keep the pitch between -89° and 89°",
    ],
    [
      'q:0.7071, 0, -0.7071, 0, H30',
      'QUATERNION_PITCH',
      "q:0.7071, 0, -0.7071, 0, H30: pitch -90° is within 1° of ±90°, where the neck's firmware computes NaN for every actuator; keep the pitch between -89° and 89°",
    ],
    [
      // Pitch 89.5°: inside the last degree.
      'Q:0.7102,0,0.7040,0',
      'QUATERNION_PITCH',
      "Q:0.7102,0,0.7040,0: pitch 89.5° is within 1° of ±90°, where the neck's firmware computes NaN for every actuator; keep the pitch between -89° and 89°",
    ],
    [
      'Q:1,0,0,0,H30,S1,A1',
      'QUATERNION_EXTRAS',
      "A1: the neck's firmware reads at most six values after Q:, so only two of H, S and A can follow w,x,y,z",
    ],
    [
      'Q:1,0,0,0,S5',
      'OUT_OF_RANGE',
      "S5: speed above 4.19 is refused by the neck's stepper driver (48000 Hz × S ≤ 201 kHz)",
    ],
    ['Q:1,x,0,0', 'QUATERNION_ARITY', 'Q:1,x,0,0: a quaternion needs four numbers, Q:w,x,y,z'],
    ['Q:1,2000000,0,0', 'OUT_OF_RANGE', '2000000: quaternion components w,x,y,z are numbers from -1000000 to 1000000'],
    ['Q:1,1e3,0,0', 'NOT_A_NUMBER', '1e3: quaternion components w,x,y,z are numbers from -1000000 to 1000000'],
    ['', 'EMPTY', expect.stringContaining('empty command')],
    ['   ', 'EMPTY', expect.stringContaining('empty command')],
    ['HOME|', 'EMPTY', 'empty command between | separators'],
    ['|HOME', 'EMPTY', 'empty command between | separators'],
    ['HOME||X5', 'EMPTY', 'empty command between | separators'],
    [
      'HOME|HOME|HOME|HOME|HOME|HOME|HOME|HOME|HOME',
      'TOO_MANY_PARTS',
      '9 commands joined with |; the firmware runs at most 8 in one line',
    ],
    ['X50\n', 'CONTROL_CHARACTER', 'line breaks are not allowed inside a command; send one command per message'],
    ['X50\rY5', 'CONTROL_CHARACTER', 'line breaks are not allowed inside a command; send one command per message'],
    ['HOME\nREBOOT', 'CONTROL_CHARACTER', 'line breaks are not allowed inside a command; send one command per message'],
    ['X5\t', 'CONTROL_CHARACTER', 'control character 0x09 at position 3; commands are plain text'],
    ['X5\u0000', 'CONTROL_CHARACTER', 'control character 0x00 at position 3; commands are plain text'],
    ['X5\u007f', 'CONTROL_CHARACTER', 'control character 0x7f at position 3; commands are plain text'],
    ['X5°', 'NON_ASCII', 'non-ASCII character "°" at position 3; the firmware reads ASCII only'],
    ['ＨＯＭＥ', 'NON_ASCII', 'non-ASCII character "Ｈ" at position 1; the firmware reads ASCII only'],
    ['X'.padEnd(129, '0'), 'TOO_LONG', 'command is 129 characters; the firmware takes at most 128'],
  ])('%j → %s', (text, code, message) => {
    const error = rejection(text);
    expect(error.code).toBe(code);
    expect(error.message).toEqual(message);
  });

  it('reports the offending token separately', () => {
    expect(rejection('X10,Y9999').token).toBe('Y9999');
    expect(rejection('x50,w1').token).toBe('w1');
  });

  it('rejects a canonical line that would exceed the limit even when the input fits', () => {
    // `.5` is written `0.5`, so the canonical line is longer than the input.
    const text = Array.from({ length: 6 }, (_, i) => `${i + 1}:.5`).join(',');
    const limits = { ...DEFAULT_NECK_LIMITS, maxLineLength: text.length };
    expect(text).toHaveLength(limits.maxLineLength);
    const result = parseNeckCommand(text, limits);
    expect(result.ok ? 'accepted' : result.error.code).toBe('TOO_LONG');
  });

  it.each([undefined, null, 42, {}, ['HOME'], Symbol('x')])(
    'returns an error for a non-string (%p)',
    (value: unknown) => {
      const result = parseNeckCommand(value as string);
      expect(result).toEqual({ ok: false, error: { code: 'NOT_TEXT', message: 'a command must be a string of text' } });
    },
  );
});
