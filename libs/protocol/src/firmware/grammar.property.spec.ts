import fc from 'fast-check';
import {
  ACTUATOR_IDS,
  HEAD_AXES,
  HOME_KEYWORDS,
  HEALTH_KEYWORDS,
  INTEGER_AXES,
  NeckCommand,
  QUATERNION_EXTRA_AXES,
  SimpleCommand,
} from './command';
import { formatNeckCommand } from './format';
import { firmwareAccel, firmwareSpeedHz } from './kinematics';
import { DEFAULT_NECK_LIMITS, Range } from './neck-limits';
import { DECIMAL_PLACES } from './numbers';
import { parseNeckCommand } from './parse';

const SCALE = 10 ** DECIMAL_PLACES;
const integerIn = (range: Range) => fc.integer({ min: range.min, max: range.max });
const decimalIn = (range: Range) =>
  fc
    .integer({ min: Math.round(range.min * SCALE) + (range.minExclusive ? 1 : 0), max: Math.round(range.max * SCALE) })
    .map((units) => units / SCALE + 0);
/** S and A the stepper driver takes: not so small that 48000 × S or 36000 × A truncates to 0. */
const STEPPER_ACCEPTS: Partial<Record<(typeof HEAD_AXES)[number], (value: number) => boolean>> = {
  S: (value) => firmwareSpeedHz(value) > 0,
  A: (value) => firmwareAccel(value) > 0,
};
const axisValue = (axis: (typeof HEAD_AXES)[number]) =>
  INTEGER_AXES.has(axis)
    ? integerIn(DEFAULT_NECK_LIMITS[axis])
    : decimalIn(DEFAULT_NECK_LIMITS[axis]).filter(STEPPER_ACCEPTS[axis] ?? (() => true));
/** Pitch within 1° of ±90° is refused (the firmware computes NaN there). */
const pitchIsSafe = (q: { w: number; x: number; y: number; z: number }) =>
  Math.abs((2 * (q.w * q.y - q.x * q.z)) / (q.w ** 2 + q.x ** 2 + q.y ** 2 + q.z ** 2)) <=
  Math.sin((89 * Math.PI) / 180);

const home = fc.constantFrom(...HOME_KEYWORDS).map((keyword) => ({ kind: 'home' as const, keyword }));
const health = fc.constantFrom(...HEALTH_KEYWORDS).map((keyword) => ({ kind: 'health' as const, keyword }));
const actuators = fc
  .shuffledSubarray([...ACTUATOR_IDS], { minLength: 1 })
  .chain((ids) => fc.tuple(...ids.map((id) => decimalIn(DEFAULT_NECK_LIMITS.actuatorMm).map((mm) => ({ id, mm })))))
  .map((targets) => ({ kind: 'actuators' as const, targets }));
const head = fc
  .record(Object.fromEntries(HEAD_AXES.map((axis) => [axis, axisValue(axis)])), { requiredKeys: [] })
  .filter((axes) => Object.keys(axes).length > 0)
  .map((axes) => ({ kind: 'head' as const, axes }));
const quaternion = fc
  .record({
    w: decimalIn({ min: -2, max: 2 }),
    x: decimalIn({ min: -2, max: 2 }),
    y: decimalIn({ min: -2, max: 2 }),
    z: decimalIn({ min: -2, max: 2 }),
    extras: fc
      .record(Object.fromEntries(QUATERNION_EXTRA_AXES.map((axis) => [axis, axisValue(axis)])), {
        requiredKeys: [],
      })
      // The firmware reads at most six values after Q:, so two of H, S, A.
      .filter((extras) => Object.keys(extras).length <= 2),
  })
  .filter((q) => (q.w !== 0 || q.x !== 0 || q.y !== 0 || q.z !== 0) && pitchIsSafe(q))
  .map((q) => ({ kind: 'quaternion' as const, ...q }));

const simple: fc.Arbitrary<SimpleCommand> = fc.oneof(home, health, actuators, head, quaternion);
const compound = fc
  .array(simple, { minLength: 2, maxLength: DEFAULT_NECK_LIMITS.maxCompoundParts })
  .map((parts) => ({ kind: 'compound' as const, parts }));
const command: fc.Arbitrary<NeckCommand> = fc.oneof(simple, compound);

describe('firmware grammar properties', () => {
  it('parse(format(c)) gives back c for every valid command whose line fits', () => {
    fc.assert(
      fc.property(command, (generated) => {
        const line = formatNeckCommand(generated);
        fc.pre(line.length <= DEFAULT_NECK_LIMITS.maxLineLength);
        const parsed = parseNeckCommand(line);
        expect(parsed).toEqual({ ok: true, command: generated, line });
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts the same command typed in lower case with spaces around tokens', () => {
    fc.assert(
      fc.property(command, fc.constantFrom('', ' ', '  '), (generated, pad) => {
        const line = formatNeckCommand(generated);
        const sloppy = line
          .toLowerCase()
          .split('|')
          .map((part) =>
            part
              .split(',')
              .map((token) => `${pad}${token}${pad}`)
              .join(','),
          )
          .join('|');
        fc.pre(sloppy.length <= DEFAULT_NECK_LIMITS.maxLineLength);
        const parsed = parseNeckCommand(sloppy);
        expect(parsed.ok && parsed.line).toBe(line);
      }),
      { numRuns: 1000 },
    );
  });

  const printableLine = /^[\x20-\x7e]{1,128}$/;

  it('never throws for any string, and every accepted line is at most 128 printable ASCII characters', () => {
    const anyText = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ unit: fc.constantFrom(...'HOMESQXYZARP_:|,.-+0123456789 \n\r\t'.split('')), maxLength: 140 }),
    );
    fc.assert(
      fc.property(anyText, (text) => {
        const result = parseNeckCommand(text);
        if (result.ok) {
          expect(result.line).toMatch(printableLine);
          expect(result.line).not.toMatch(/[\r\n]/);
        } else {
          expect(typeof result.error.message).toBe('string');
          expect(result.error.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('accepted lines are canonical: parsing a line again gives the same line', () => {
    const grammarish = fc.string({
      unit: fc.constantFrom(...'homesqxyzarpHQX_:|,.-+0123456789 '.split('')),
      maxLength: 60,
    });
    fc.assert(
      fc.property(grammarish, (text) => {
        const first = parseNeckCommand(text);
        fc.pre(first.ok);
        if (!first.ok) return;
        const again = parseNeckCommand(first.line);
        expect(again).toEqual(first);
        expect(first.line).toMatch(printableLine);
      }),
      { numRuns: 5000 },
    );
  });
});
