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
 * A float or double assigned to a C `int`: truncated toward zero. Out-of-range and NaN are undefined behaviour
 * in C; the ESP32 saturates, and turns NaN into INT_MAX (its FPU's `trunc.s`, and libgcc's Xtensa `__fixdfsi`
 * "Translate NaN to +maxint"): never NaN.
 */
export function toInt32(value: number): number {
  if (Number.isNaN(value)) return INT32_MAX;
  return saturate(Math.trunc(value));
}

/** C's `int + int` on a 32-bit two's-complement machine: it wraps (`X-200000000,H5000000` sums past 2³¹). */
export function addInt32(a: number, b: number): number {
  return (a + b) | 0;
}

/** C's `round`: half away from zero (JavaScript's `Math.round` rounds −2.5 to −2, C to −3). */
export function cRound(value: number): number {
  const rounded = Math.sign(value) * Math.round(Math.abs(value));
  return rounded === 0 ? 0 : rounded;
}

/**
 * Arduino-ESP32's `String::indexOf(char, from)`: `strchr` from `from`, so the search ends at the first NUL
 * byte (`X10\0,Y20` holds no comma as far as it can see); -1 when not found.
 */
export function arduinoIndexOf(text: string, char: string, from = 0): number {
  if (from >= text.length) return -1;
  const nul = text.indexOf('\0', from);
  const found = text.indexOf(char, from);
  return found < 0 || (nul >= 0 && nul < found) ? -1 : found;
}

function saturate(value: number): number {
  const clamped = Math.min(INT32_MAX, Math.max(INT32_MIN, value));
  return clamped === 0 ? 0 : clamped;
}

function hexFloat(whole: string, fraction: string, exponent: string): number {
  const mantissa = parseInt(`${whole}${fraction}` || '0', 16);
  return mantissa * 2 ** (Number(exponent) - 4 * fraction.length);
}
