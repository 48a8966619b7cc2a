import { easeAt, parseMotionCommand } from './motion-commands';

describe('parseMotionCommand', () => {
  it('reads GOTO, POSE and REPLAY in any case, with defaults, into one canonical line', () => {
    expect(parseMotionCommand('goto x50,y-20')).toMatchObject({
      ok: true,
      command: { kind: 'goto', durationMs: 1000, ease: 'minjerk', target: { kind: 'head', axes: { X: 50, Y: -20 } } },
      line: 'GOTO X50,Y-20 IN 1000 EASE MINJERK',
    });
    expect(
      parseMotionCommand('GOTO H30 IN 800 EASE linear')?.ok && parseMotionCommand('GOTO H30 IN 800 EASE linear'),
    ).toMatchObject({
      line: 'GOTO H30 IN 800 EASE LINEAR',
    });
    expect(parseMotionCommand('pose save look')).toMatchObject({ ok: true, line: 'POSE SAVE look' });
    expect(parseMotionCommand('POSE GO look IN 300')).toMatchObject({
      ok: true,
      line: 'POSE GO look IN 300 EASE MINJERK',
    });
    expect(parseMotionCommand('replay 2026-12-08T00-12-03-123Z speed 2 from 500 to 900')).toMatchObject({
      ok: true,
      command: { kind: 'replay', speed: 2, fromMs: 500, toMs: 900 },
    });
  });

  it('leaves firmware lines and directives alone', () => {
    expect(parseMotionCommand('X50')).toBeUndefined();
    expect(parseMotionCommand('STOP')).toBeUndefined();
    expect(parseMotionCommand('GOTOX')).toBeUndefined();
  });

  // Adversary: hostile or sloppy input that must be refused with the token named, never half-applied.
  it.each([
    ['GOTO HOME', /head pose/],
    ['GOTO X900', /X/],
    ['GOTO X10 IN -5', /IN needs a number/],
    ['GOTO X10 IN 70000', /IN is a whole number/],
    ['GOTO X10 IN 10.5', /IN is a whole number/],
    ['GOTO X10 EASE bounce', /EASE is minjerk or linear/],
    ['GOTO X10 IN 5 IN 6', /twice/],
    ['GOTO X10 FAST 1', /unknown option/],
    ['GOTO X10 IN', /needs a value/],
    ['POSE SAVE ../etc', /pose name/],
    ['POSE DROP look', /POSE SAVE NAME or POSE GO/],
    ['POSE SAVE look IN 5', /POSE SAVE NAME or POSE GO/],
    ['REPLAY ../x', /not a recording id/],
    ['REPLAY abc SPEED 50', /SPEED/],
    ['REPLAY abc FROM 900 TO 100', /TO must come after FROM/],
  ])('refuses %s', (text, message) => {
    const result = parseMotionCommand(text);
    expect(result?.ok).toBe(false);
    if (result && !result.ok) expect(result.error.message).toMatch(message);
  });
});

describe('easeAt', () => {
  it('is 10t³−15t⁴+6t⁵ for min-jerk, t for linear, clamped to 0…1', () => {
    for (const t of [0, 0.1, 0.25, 0.5, 0.9, 1]) {
      expect(easeAt('minjerk', t)).toBeCloseTo(10 * t ** 3 - 15 * t ** 4 + 6 * t ** 5, 12);
      expect(easeAt('linear', t)).toBe(t);
    }
    expect(easeAt('minjerk', -1)).toBe(0);
    expect(easeAt('minjerk', 2)).toBe(1);
  });
});
