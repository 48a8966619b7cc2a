/**
 * How the ESP32 firmware turns text into numbers: Arduino's `String.toFloat()` is newlib's `atof` rounded to a
 * 32-bit float, `String.toInt()` is `atol` (32-bit long), and assigning a float to an `int` truncates. None of
 * them ever fails: text that is not a number reads as 0, trailing junk is ignored.
 */

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

const WHITESPACE = /^[ \t\n\v\f\r]*/;
const SIGN = /^[+-]?/;
const INFINITY = /^inf(?:inity)?/i;
const NAN = /^nan(?:\([0-9A-Za-z_]*\))?/i;
const HEX = /^0x(?:([0-9a-f]+)(?:\.([0-9a-f]*))?|\.([0-9a-f]+))(?:p([+-]?\d+))?/i;
const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?/i;

/** C's `atof` (newlib `strtod`): the longest numeric prefix after leading whitespace, else 0. */
export function atof(text: string): number {
  let rest = text.replace(WHITESPACE, '');
  const sign = SIGN.exec(rest)?.[0] === '-' ? -1 : 1;
  rest = rest.replace(SIGN, '');
  if (INFINITY.test(rest)) return sign * Infinity;
  if (NAN.test(rest)) return NaN;
  const hex = HEX.exec(rest);
  if (hex) return sign * hexFloat(hex[1] ?? '', hex[2] ?? hex[3] ?? '', hex[4] ?? '0');
  const decimal = DECIMAL.exec(rest);
  return decimal ? sign * Number(decimal[0]) : 0;
}

/** Arduino's `String.toFloat()`: `atof` rounded to a 32-bit float. */
export function toFloat(text: string): number {
  return Math.fround(atof(text));
}

/** Arduino's `String.toInt()`: C's `atol` with a 32-bit long, saturating as newlib's `strtol` does. */
export function toInt(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(text);
  if (!match) return 0;
  return saturate(Number(`${match[1]}${match[2]}`));
}

/**
 * A number assigned to a C `int`: truncated toward zero. Out-of-range and NaN are undefined behaviour in C;
 * simulated as saturation and 0.
 */
export function toInt32(value: number): number {
  if (Number.isNaN(value)) return 0;
  return saturate(Math.trunc(value));
}

function saturate(value: number): number {
  const clamped = Math.min(INT32_MAX, Math.max(INT32_MIN, value));
  return clamped === 0 ? 0 : clamped;
}

function hexFloat(whole: string, fraction: string, exponent: string): number {
  const mantissa = parseInt(`${whole}${fraction}` || '0', 16);
  return mantissa * 2 ** (Number(exponent) - 4 * fraction.length);
}
