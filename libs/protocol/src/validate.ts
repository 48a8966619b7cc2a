import { ClassConstructor, plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { MAX_PAYLOAD_DEPTH, MAX_PAYLOAD_NODES } from './dto/payload-limits';

export type Validated<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Checks a plain payload against a DTO class: unknown properties are refused, and the message names every
 * property that failed. For Nest code, ValidationPipe does the same with the same DTOs.
 */
export function validatePayload<T extends object>(dto: ClassConstructor<T>, payload: unknown): Validated<T> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { ok: false, message: 'payload must be a JSON object' };
  }
  const tooBig = payloadBoundRefusal(payload);
  if (tooBig !== undefined) return { ok: false, message: tooBig };
  try {
    const value = plainToInstance(dto, payload);
    const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) return { ok: false, message: describeValidationErrors(errors) };
    return { ok: true, value };
  } catch {
    // Nothing known gets here (payloadBoundRefusal catches what did); a reader must still never crash on input.
    return { ok: false, message: 'payload must be plain JSON data' };
  }
}

/**
 * An object or array as JSON.parse makes them, in any realm (a test runner's or a worker's `Object.prototype` is
 * not this module's): an array whose prototype is an `Array.prototype`, an object whose prototype is an
 * `Object.prototype` or nothing. Not one whose prototype is an array, a class's, a function or anything else.
 */
export function isPlainData(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype === null) return !Array.isArray(value);
  const grand = Object.getPrototypeOf(prototype) as object | null;
  // An Object.prototype is the end of its chain.
  if (grand === null) return !Array.isArray(value);
  // An Array.prototype is an array whose prototype is an Object.prototype.
  return Array.isArray(value) && Array.isArray(prototype) && Object.getPrototypeOf(grand) === null;
}

/**
 * Why a payload cannot be walked safely, or undefined: nesting past MAX_PAYLOAD_DEPTH, more than MAX_PAYLOAD_NODES
 * values, or an object that is not plain data (its prototype set to an array or a class by a `__proto__`
 * assignment: class-transformer then calls array methods on it and throws — fast-check seed -560328149). JSON
 * never makes such an object, but a reader must refuse it, not crash. It walks with its own stack (no recursion)
 * and stops at the first excess, so a hostile payload costs at most MAX_PAYLOAD_NODES steps here.
 */
export function payloadBoundRefusal(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const pending: { value: object; depth: number }[] = [{ value: payload, depth: 1 }];
  let nodes = 1;
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next.depth > MAX_PAYLOAD_DEPTH) return `payload is nested deeper than ${MAX_PAYLOAD_DEPTH} levels`;
    if (!isPlainData(next.value)) return 'payload must be plain JSON data';
    const children: unknown[] = Array.isArray(next.value) ? next.value : Object.values(next.value);
    nodes += children.length;
    if (nodes > MAX_PAYLOAD_NODES) return `payload holds more than ${MAX_PAYLOAD_NODES} values`;
    for (const child of children) {
      if (typeof child === 'object' && child !== null) pending.push({ value: child, depth: next.depth + 1 });
    }
  }
  return undefined;
}

/** Constraints on a value's type: when one fails, the range and length messages say nothing useful. */
const TYPE_CONSTRAINTS = new Set(['isString', 'isInt', 'isNumber', 'isBoolean', 'isArray', 'isObject', 'isIn']);

/** One line naming each failed property and constraint, e.g. `message must be a string`. */
export function describeValidationErrors(errors: ValidationError[], parent = ''): string {
  return errors
    .flatMap((error) => {
      const path = parent ? `${parent}.${error.property}` : error.property;
      const constraints = Object.entries(error.constraints ?? {});
      const typeErrors = constraints.filter(([name]) => TYPE_CONSTRAINTS.has(name));
      const own = (typeErrors.length > 0 ? typeErrors : constraints).map(([, text]) =>
        text.replace(error.property, path),
      );
      const nested = error.children?.length ? [describeValidationErrors(error.children, path)] : [];
      return [...own, ...nested];
    })
    .join('; ');
}
