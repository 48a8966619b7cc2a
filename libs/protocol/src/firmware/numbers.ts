/** Decimals are kept to this many places; the firmware's float parsing needs no more. */
export const DECIMAL_PLACES = 6;
const SCALE = 10 ** DECIMAL_PLACES;

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const INTEGER = /^[+-]?\d+$/;

export type NumberParse = { ok: true; value: number } | { ok: false; reason: 'not-a-number' | 'not-an-integer' };

/** Parses a plain decimal (no exponent, no hex, no Infinity), rounded to DECIMAL_PLACES. */
export function parseDecimal(text: string): NumberParse {
  if (!DECIMAL.test(text)) return { ok: false, reason: 'not-a-number' };
  return { ok: true, value: roundDecimal(Number(text)) };
}

/** Parses a plain integer; a decimal point is refused even for `50.0`. */
export function parseInteger(text: string): NumberParse {
  if (INTEGER.test(text)) return { ok: true, value: normaliseZero(Number(text)) };
  return { ok: false, reason: DECIMAL.test(text) ? 'not-an-integer' : 'not-a-number' };
}

export function roundDecimal(value: number): number {
  return normaliseZero(Math.round(value * SCALE) / SCALE);
}

/** Shortest plain form: `1.50` → `1.5`, `-0` → `0`, never an exponent. */
export function formatNumber(value: number): string {
  const fixed = normaliseZero(roundDecimal(value)).toFixed(DECIMAL_PLACES);
  const trimmed = fixed.replace(/\.?0+$/, '');
  return trimmed === '-0' ? '0' : trimmed;
}

function normaliseZero(value: number): number {
  return value === 0 ? 0 : value;
}
