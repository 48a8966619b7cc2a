import { atof, toFloat, toInt, toInt32 } from './arduino-numbers';

describe('atof (newlib strtod)', () => {
  it.each([
    ['12.5', 12.5],
    ['  -3', -3],
    ['+7', 7],
    ['12.5abc', 12.5],
    ['.5', 0.5],
    ['5.', 5],
    ['-.5e1', -5],
    ['1e3', 1000],
    ['1e', 1],
    ['1e+', 1],
    ['0x1A', 26],
    ['0x1.8p1', 3],
    ['0xg', 0],
    ['abc', 0],
    ['', 0],
    ['-', 0],
    ['\t\n 42', 42],
  ])('reads %j as %d', (text, value) => {
    expect(atof(text)).toBe(value);
  });

  it('reads infinities and NaN', () => {
    expect(atof('inf')).toBe(Infinity);
    expect(atof('-Infinity')).toBe(-Infinity);
    expect(atof('nan(1)')).toBeNaN();
  });

  it('does not skip a no-break space (not C whitespace)', () => {
    expect(atof('\u00a05')).toBe(0);
  });
});

describe('toFloat', () => {
  it('rounds to a 32-bit float', () => {
    expect(toFloat('0.1')).toBe(Math.fround(0.1));
    expect(toFloat('0.1')).not.toBe(0.1);
    expect(toFloat('1e39')).toBe(Infinity);
  });
});

describe('toInt (atol)', () => {
  it.each([
    ['42abc', 42],
    [' -7', -7],
    ['3.9', 3],
    ['x', 0],
    ['1e3', 1],
    ['-0', 0],
    ['99999999999', 2 ** 31 - 1],
    ['-99999999999', -(2 ** 31)],
  ])('reads %j as %d', (text, value) => {
    expect(toInt(text)).toBe(value);
  });
});

describe('toInt32 (float assigned to int)', () => {
  it('truncates toward zero', () => {
    expect(toInt32(12.9)).toBe(12);
    expect(toInt32(-12.9)).toBe(-12);
    expect(Object.is(toInt32(-0.5), 0)).toBe(true);
  });

  it('saturates out-of-range values and turns NaN into INT_MAX, as the ESP32 does', () => {
    expect(toInt32(1e12)).toBe(2 ** 31 - 1);
    expect(toInt32(-Infinity)).toBe(-(2 ** 31));
    expect(toInt32(NaN)).toBe(2 ** 31 - 1);
  });
});
