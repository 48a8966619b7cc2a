import {
  ACTUATOR_IDS,
  ActuatorCommand,
  ActuatorId,
  ActuatorTarget,
  HEAD_AXES,
  HEALTH_KEYWORDS,
  HOME_KEYWORDS,
  HeadAxis,
  HeadCommand,
  HeadPose,
  HealthKeyword,
  HomeKeyword,
  INTEGER_AXES,
  NeckCommand,
  QUATERNION_EXTRA_AXES,
  QuaternionCommand,
  QuaternionExtraAxis,
  SimpleCommand,
} from './command';
import { CommandError, CommandErrorCode } from './errors';
import { formatNeckCommand } from './format';
import { firmwareAccel, firmwareSpeedHz, isAcceptedAccel, isAcceptedSpeedHz, MAX_SPEED_HZ } from './kinematics';
import { DEFAULT_NECK_LIMITS, NeckLimits, Range, resolveNeckLimits } from './neck-limits';
import { formatNumber, parseDecimal, parseInteger } from './numbers';

export type ParseResult<T = NeckCommand> =
  | { readonly ok: true; readonly command: T; readonly line: string }
  | { readonly ok: false; readonly error: CommandError };

type Step<T> = { ok: true; value: T } | { ok: false; error: CommandError };

const EXAMPLES = 'HOME, HOME_SOFT, HEALTH, 1:55,2:60, X50,Y-20,H30 or Q:1,0,0,0';
/** The firmware reads at most six values after `Q:`: w, x, y, z and two of H, S, A. */
const QUATERNION_MAX_EXTRAS = 2;
/** A quaternion whose pitch is within 1° of ±90° makes the firmware's `asin` overflow into NaN. */
const MAX_QUATERNION_PITCH_DEG = 89;
const SIN_MAX_PITCH = Math.sin((MAX_QUATERNION_PITCH_DEG * Math.PI) / 180);

/**
 * Parses one command as a person or a program would type it (lower case and spaces around tokens are
 * fine) into a typed command and its canonical firmware line (upper case, no spaces, shortest numbers,
 * no newline). Never throws: anything the firmware should not see comes back as `{ ok: false, error }`
 * naming the offending token.
 */
export function parseNeckCommand(text: string, limits?: Partial<NeckLimits>): ParseResult {
  try {
    return parseChecked(text, resolveNeckLimits(limits));
  } catch (cause) {
    // Defensive: the grammar has no throwing paths, but the robot must never see an exception as a command.
    return fail('NOT_TEXT', `command could not be read (${String(cause)})`);
  }
}

function parseChecked(text: unknown, limits: NeckLimits): ParseResult {
  if (typeof text !== 'string') return fail('NOT_TEXT', 'a command must be a string of text');
  const charError = checkCharacters(text, limits);
  if (charError) return { ok: false, error: charError };
  const trimmed = text.trim();
  if (trimmed === '') return fail('EMPTY', `empty command; try ${EXAMPLES}`);

  const pieces = trimmed.split('|').map((piece) => piece.trim());
  if (pieces.length > limits.maxCompoundParts) {
    return fail(
      'TOO_MANY_PARTS',
      `${pieces.length} commands joined with |; the firmware runs at most ${limits.maxCompoundParts} in one line`,
    );
  }
  const parts: SimpleCommand[] = [];
  for (const piece of pieces) {
    if (piece === '') return fail('EMPTY', 'empty command between | separators', trimmed);
    const part = parseSimple(piece, limits);
    if (!part.ok) return part;
    parts.push(part.value);
  }
  const command: NeckCommand = parts.length === 1 ? parts[0] : { kind: 'compound', parts };
  const line = formatNeckCommand(command);
  if (line.length > limits.maxLineLength) {
    return fail(
      'TOO_LONG',
      `the firmware line would be ${line.length} characters; the firmware takes at most ${limits.maxLineLength}`,
    );
  }
  return { ok: true, command, line };
}

function checkCharacters(text: string, limits: NeckLimits): CommandError | undefined {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10 || code === 13) {
      return error('CONTROL_CHARACTER', 'line breaks are not allowed inside a command; send one command per message');
    }
    if (code < 32 || code === 127) {
      const hex = code.toString(16).padStart(2, '0');
      return error('CONTROL_CHARACTER', `control character 0x${hex} at position ${i + 1}; commands are plain text`);
    }
    if (code > 127) {
      return error(
        'NON_ASCII',
        `non-ASCII character ${JSON.stringify(text[i])} at position ${i + 1}; the firmware reads ASCII only`,
        text[i],
      );
    }
  }
  if (text.length > limits.maxLineLength) {
    return error(
      'TOO_LONG',
      `command is ${text.length} characters; the firmware takes at most ${limits.maxLineLength}`,
    );
  }
  return undefined;
}

function parseSimple(piece: string, limits: NeckLimits): Step<SimpleCommand> {
  const upper = piece.toUpperCase();
  if ((HOME_KEYWORDS as readonly string[]).includes(upper)) {
    return { ok: true, value: { kind: 'home', keyword: upper as HomeKeyword } };
  }
  if ((HEALTH_KEYWORDS as readonly string[]).includes(upper)) {
    return { ok: true, value: { kind: 'health', keyword: upper as HealthKeyword } };
  }
  if (/^Q\s*:/.test(upper)) return parseQuaternion(piece, limits);

  const tokens = piece.split(',').map((token) => token.trim());
  const empty = tokens.findIndex((token) => token === '');
  if (empty >= 0) return stepFail('EMPTY', 'empty value between commas', piece);
  if (/^[0-9]/.test(tokens[0])) return parseActuators(tokens, limits);
  return parseHead(tokens, limits);
}

function parseHead(tokens: string[], limits: NeckLimits): Step<HeadCommand> {
  const axes: Partial<HeadPose> = {};
  for (const token of tokens) {
    const letter = token[0].toUpperCase();
    if (/^[0-9]/.test(token)) {
      return stepFail(
        'MIXED_FORMS',
        `${token}: actuator targets cannot be mixed with head axes; join the two with |`,
        token,
      );
    }
    if (!isHeadAxis(letter) || /^[A-Za-z_]{2}/.test(token)) return unknownToken(token);
    if (axes[letter] !== undefined) {
      return stepFail('DUPLICATE_AXIS', `${token}: ${letter} is given twice; each axis at most once`, token);
    }
    const value = parseAxisValue(token, letter, token.slice(1).trim(), limits[letter]);
    if (!value.ok) return value;
    axes[letter] = value.value;
  }
  return { ok: true, value: { kind: 'head', axes } };
}

function parseActuators(tokens: string[], limits: NeckLimits): Step<ActuatorCommand> {
  const targets: ActuatorTarget[] = [];
  const seen = new Set<number>();
  const range = limits.actuatorMm;
  for (const token of tokens) {
    const match = /^([0-9]+)\s*:\s*(.*)$/.exec(token);
    if (!match) {
      if (/^[A-Za-z]/.test(token)) {
        return stepFail(
          'MIXED_FORMS',
          `${token}: head axes cannot be mixed with actuator targets; join the two with |`,
          token,
        );
      }
      return stepFail('BAD_ACTUATOR', `${token}: actuator targets look like 1:55 (id 1 to 6, then mm)`, token);
    }
    const id = Number(match[1]);
    if (!isActuatorId(id)) return stepFail('BAD_ACTUATOR', `${token}: actuator id must be 1 to 6`, token);
    if (seen.has(id)) return stepFail('DUPLICATE_AXIS', `${token}: actuator ${id} is given twice`, token);
    seen.add(id);
    const mm = parseDecimal(match[2].trim());
    const rule = `actuator ${id} takes a length in mm from ${range.min} to ${range.max}`;
    if (!mm.ok) return stepFail('NOT_A_NUMBER', `${token}: ${rule}`, token);
    if (!inRange(mm.value, range)) return stepFail('OUT_OF_RANGE', `${token}: ${rule}`, token);
    targets.push({ id, mm: mm.value });
  }
  return { ok: true, value: { kind: 'actuators', targets } };
}

function parseQuaternion(piece: string, limits: NeckLimits): Step<QuaternionCommand> {
  const body = piece.slice(piece.indexOf(':') + 1);
  const tokens = body.split(',').map((token) => token.trim());
  const components: number[] = [];
  const range = limits.quaternion;
  for (const token of tokens.slice(0, 4)) {
    if (token === '' || /^[A-Za-z]/.test(token)) break;
    const value = parseDecimal(token);
    if (!value.ok || !inRange(value.value, range)) {
      return stepFail(
        value.ok ? 'OUT_OF_RANGE' : 'NOT_A_NUMBER',
        `${token}: quaternion components w,x,y,z are numbers from ${range.min} to ${range.max}`,
        token,
      );
    }
    components.push(value.value);
  }
  if (components.length < 4) {
    return stepFail('QUATERNION_ARITY', `${piece.trim()}: a quaternion needs four numbers, Q:w,x,y,z`, piece.trim());
  }
  const [w, x, y, z] = components;
  if (w === 0 && x === 0 && y === 0 && z === 0) {
    return stepFail(
      'QUATERNION_ZERO',
      `${piece.trim()}: the quaternion is all zeros and has no direction`,
      piece.trim(),
    );
  }
  const sinPitch = (2 * (w * y - x * z)) / (w * w + x * x + y * y + z * z);
  if (Math.abs(sinPitch) > SIN_MAX_PITCH) {
    const pitch = formatNumber(Math.round((Math.asin(Math.max(-1, Math.min(1, sinPitch))) * 1800) / Math.PI) / 10);
    return stepFail(
      'QUATERNION_PITCH',
      `${piece.trim()}: pitch ${pitch}° is within 1° of ±90°, where the neck's firmware computes NaN for every ` +
        `actuator; keep the pitch between -${MAX_QUATERNION_PITCH_DEG}° and ${MAX_QUATERNION_PITCH_DEG}°`,
      piece.trim(),
    );
  }
  const extras: Partial<Record<QuaternionExtraAxis, number>> = {};
  for (const token of tokens.slice(4)) {
    if (token === '') return stepFail('EMPTY', 'empty value between commas', piece.trim());
    const letter = token[0].toUpperCase();
    if (!isQuaternionExtra(letter) || /^[A-Za-z_]{2}/.test(token)) {
      return stepFail('UNKNOWN_AXIS', `${token}: after w,x,y,z a quaternion takes only H, S and A`, token);
    }
    if (extras[letter] !== undefined) {
      return stepFail('DUPLICATE_AXIS', `${token}: ${letter} is given twice; each axis at most once`, token);
    }
    if (Object.keys(extras).length >= QUATERNION_MAX_EXTRAS) {
      return stepFail(
        'QUATERNION_EXTRAS',
        `${token}: the neck's firmware reads at most six values after Q:, so only two of H, S and A can follow w,x,y,z`,
        token,
      );
    }
    const value = parseAxisValue(token, letter, token.slice(1).trim(), limits[letter]);
    if (!value.ok) return value;
    extras[letter] = value.value;
  }
  return { ok: true, value: { kind: 'quaternion', w, x, y, z, extras } };
}

function parseAxisValue(token: string, axis: HeadAxis, text: string, range: Range): Step<number> {
  const integer = INTEGER_AXES.has(axis);
  const bounds = range.minExclusive
    ? `above ${range.min} and at most ${range.max}`
    : `from ${range.min} to ${range.max}`;
  const rule = `${axis} must be ${integer ? 'an integer' : 'a number'} ${bounds}`;
  const parsed = integer ? parseInteger(text) : parseDecimal(text);
  if (!parsed.ok) {
    const code: CommandErrorCode = parsed.reason === 'not-an-integer' ? 'NOT_AN_INTEGER' : 'NOT_A_NUMBER';
    return stepFail(code, `${token}: ${rule}`, token);
  }
  const refused = stepperRefusal(axis, parsed.value);
  if (refused) return stepFail('OUT_OF_RANGE', `${token}: ${refused}`, token);
  if (!inRange(parsed.value, range)) return stepFail('OUT_OF_RANGE', `${token}: ${rule}`, token);
  return { ok: true, value: parsed.value };
}

/**
 * Why the firmware's stepper driver would refuse S or A (it keeps the old speed or acceleration without a
 * word), in its own terms; undefined when it takes the value.
 */
function stepperRefusal(axis: HeadAxis, value: number): string | undefined {
  if (axis === 'S') {
    const maxS = DEFAULT_NECK_LIMITS.S.max;
    if (value > maxS || firmwareSpeedHz(value) > MAX_SPEED_HZ) {
      return `speed above ${maxS} is refused by the neck's stepper driver (48000 Hz × S ≤ ${Math.floor(MAX_SPEED_HZ / 1000)} kHz)`;
    }
    if (!isAcceptedSpeedHz(firmwareSpeedHz(value))) {
      return `speed ${formatNumber(value)} comes out at ${firmwareSpeedHz(value)} Hz (48000 Hz × S, in whole Hz), which the neck's stepper driver refuses; S must be above 0`;
    }
  }
  if (axis === 'A' && !isAcceptedAccel(firmwareAccel(value))) {
    return `acceleration ${formatNumber(value)} comes out at ${firmwareAccel(value)} steps/s² (36000 × A, whole steps), which the neck's stepper driver refuses; A must be above 0`;
  }
  return undefined;
}

function unknownToken(token: string): Step<never> {
  if (/^[A-Za-z]\s*[-+.0-9]/.test(token)) {
    return stepFail('UNKNOWN_AXIS', `${token}: unknown axis ${token[0]}; head axes are ${HEAD_AXES.join(' ')}`, token);
  }
  return stepFail('UNKNOWN_COMMAND', `${token}: unknown command; try ${EXAMPLES}`, token);
}

function isHeadAxis(letter: string): letter is HeadAxis {
  return (HEAD_AXES as readonly string[]).includes(letter);
}

function isQuaternionExtra(letter: string): letter is QuaternionExtraAxis {
  return (QUATERNION_EXTRA_AXES as readonly string[]).includes(letter);
}

function isActuatorId(id: number): id is ActuatorId {
  return (ACTUATOR_IDS as readonly number[]).includes(id);
}

function inRange(value: number, range: Range): boolean {
  const aboveMin = range.minExclusive ? value > range.min : value >= range.min;
  return Number.isFinite(value) && aboveMin && value <= range.max;
}

function error(code: CommandErrorCode, message: string, token?: string): CommandError {
  return token === undefined ? { code, message } : { code, message, token };
}

function fail(code: CommandErrorCode, message: string, token?: string): ParseResult {
  return { ok: false, error: error(code, message, token) };
}

function stepFail(code: CommandErrorCode, message: string, token?: string): { ok: false; error: CommandError } {
  return { ok: false, error: error(code, message, token) };
}
