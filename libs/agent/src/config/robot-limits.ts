import { DEFAULT_NECK_LIMITS, NeckLimits, Range } from '@neck-signal/protocol';

type RangeKey = Exclude<keyof NeckLimits, 'maxLineLength' | 'maxCompoundParts'>;
const RANGE_KEYS = Object.keys(DEFAULT_NECK_LIMITS).filter(
  (key): key is RangeKey => key !== 'maxLineLength' && key !== 'maxCompoundParts',
);

/**
 * Reads agent.json `limits`: each key a range that must lie within the firmware's own (a robot may narrow
 * them, never widen). Throws a message naming the key.
 */
export function parseLimits(file: string, raw: Record<string, unknown> | undefined): Partial<NeckLimits> {
  if (!raw) return {};
  const limits: Partial<Record<RangeKey, Range>> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!isRangeKey(key)) throw new Error(`${file}: limits.${key} is not a limit; use one of ${RANGE_KEYS.join(', ')}`);
    const firmware = DEFAULT_NECK_LIMITS[key];
    if (!isRange(value) || value.min > value.max || value.min < firmware.min || value.max > firmware.max) {
      const from = firmware.minExclusive ? `above ${firmware.min}` : `${firmware.min}`;
      throw new Error(
        `${file}: limits.${key} must be {"min": …, "max": …} within the firmware's ${from}…${firmware.max}`,
      );
    }
    // A range that starts where the firmware's does keeps the firmware's exclusive bound (S and A above 0).
    const minExclusive = firmware.minExclusive === true && value.min === firmware.min;
    limits[key] = { min: value.min, max: value.max, ...(minExclusive ? { minExclusive } : {}) };
  }
  return limits;
}

function isRangeKey(key: string): key is RangeKey {
  return (RANGE_KEYS as string[]).includes(key);
}

function isRange(value: unknown): value is Range {
  return (
    typeof value === 'object' &&
    value !== null &&
    'min' in value &&
    'max' in value &&
    typeof value.min === 'number' &&
    typeof value.max === 'number'
  );
}
