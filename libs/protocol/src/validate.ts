import { ClassConstructor, plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';

export type Validated<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Checks a plain payload against a DTO class: unknown properties are refused, and the message names every
 * property that failed. For Nest code, ValidationPipe does the same with the same DTOs.
 */
export function validatePayload<T extends object>(dto: ClassConstructor<T>, payload: unknown): Validated<T> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { ok: false, message: 'payload must be a JSON object' };
  }
  const value = plainToInstance(dto, payload);
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) return { ok: false, message: describeValidationErrors(errors) };
  return { ok: true, value };
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
