import { ClassConstructor, plainToInstance } from 'class-transformer';
import { MetadataStorage, ValidationArguments, ValidationTypes, getMetadataStorage } from 'class-validator';
import { Validated, isPlainData, payloadBoundRefusal, validatePayload } from './validate';

type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];

/** A payload check compiled once from a DTO class: `validatePayload`'s verdict and messages, at a fraction of its cost. */
export type PayloadValidator<T> = (payload: unknown) => Validated<T>;

type Check = (value: unknown) => boolean;

/**
 * Compiles a DTO class into a validator. The DTO stays the one definition: the plan is read from
 * class-validator's own metadata and each rule runs class-validator's own constraint, so a payload passes
 * exactly when `validatePayload` (class-transformer + `validateSync` with whitelist and forbidNonWhitelisted)
 * lets it through — without building instances and error trees for every message. A payload the fast check
 * refuses goes through `validatePayload` for its message (a refusal costs what it always did). A decorator
 * the compiler does not know makes compiling throw, at start-up: it never lets through what it cannot check.
 * Payloads nested deeper than MAX_PAYLOAD_DEPTH or holding more than MAX_PAYLOAD_NODES values are refused first,
 * before anything walks them (as `validatePayload` does). The one place it is stricter: `__proto__` and `constructor` keys, which class-transformer silently drops, send
 * the payload to `validatePayload`, whose value is the clean instance (so they are never relayed).
 */
export function compileValidator<T extends object>(dto: ClassConstructor<T>): PayloadValidator<T> {
  const check = compilePayloadCheck(dto);
  return (payload) => {
    // First, so that neither check walks a hostile nesting (both would recurse into it).
    const tooBig = payloadBoundRefusal(payload);
    if (tooBig !== undefined) return { ok: false, message: tooBig };
    if (check(payload)) return { ok: true, value: payload as T };
    return validatePayload(dto, payload);
  };
}

/** The fast check alone: true exactly when `validatePayload` would accept the payload. */
export function compilePayloadCheck(dto: ClassConstructor<object>): (payload: unknown) => boolean {
  return compileClass(dto, new Map());
}

/** Memoised per class, so that nested and recursive DTOs compile once. */
function compileClass(dto: ClassConstructor<object>, compiled: Map<ClassConstructor<object>, Check>): Check {
  const known = compiled.get(dto);
  if (known) return known;
  let plan: Check = () => false;
  const check: Check = (value) => plan(value);
  compiled.set(dto, check);

  const storage = getMetadataStorage();
  const byProperty = storage.groupByPropertyName(storage.getTargetValidationMetadatas(dto, '', true, false));
  if (Object.keys(byProperty).length === 0) throw new Error(`${dto.name} has no validation metadata to compile`);
  const properties = Object.entries(byProperty).map(([name, metadatas]) =>
    compileProperty(dto, name, metadatas, compiled),
  );
  const allowed = new Set(Object.keys(byProperty));
  plan = (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !isPlainData(value)) return false;
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) if (!allowed.has(key)) return false;
    for (const property of properties) if (!property(object)) return false;
    return true;
  };
  return check;
}

function compileProperty(
  dto: ClassConstructor<object>,
  name: string,
  metadatas: ValidationMetadata[],
  compiled: Map<ClassConstructor<object>, Check>,
): (object: Record<string, unknown>) => boolean {
  const conditions: ((object: object, value: unknown) => boolean)[] = [];
  const rules: ((object: Record<string, unknown>, value: unknown) => boolean)[] = [];
  let nested: Check | undefined;
  for (const metadata of metadatas) {
    switch (metadata.type) {
      case ValidationTypes.CONDITIONAL_VALIDATION:
        conditions.push(metadata.constraints[0] as (object: object, value: unknown) => boolean);
        break;
      case ValidationTypes.CUSTOM_VALIDATION:
        rules.push(compileConstraint(dto, name, metadata));
        break;
      case ValidationTypes.NESTED_VALIDATION:
        nested = compileNested(dto, name, compiled);
        break;
      default:
        throw new Error(`${dto.name}.${name}: cannot compile a ${metadata.type} rule; extend compileProperty`);
    }
  }
  const nestedCheck = nested;
  return (object) => {
    const value = object[name];
    for (const condition of conditions) if (!condition(object, value)) return true;
    for (const rule of rules) if (!rule(object, value)) return false;
    return nestedCheck === undefined || value === undefined || nestedCheck(value);
  };
}

/** One class-validator constraint (IsString, MaxLength…), run as class-validator runs it, `each` included. */
function compileConstraint(
  dto: ClassConstructor<object>,
  name: string,
  metadata: ValidationMetadata,
): (object: Record<string, unknown>, value: unknown) => boolean {
  const constraints = getMetadataStorage().getTargetValidatorConstraints(metadata.constraintCls);
  if (constraints.length === 0) throw new Error(`${dto.name}.${name}: constraint ${metadata.name ?? '?'} not found`);
  const validators = constraints.map((constraint) => {
    if (constraint.async) throw new Error(`${dto.name}.${name}: async constraints cannot be compiled`);
    const instance = constraint.instance as { validate(value: unknown, args: ValidationArguments): unknown };
    return (value: unknown, args: ValidationArguments) => instance.validate(value, args) === true;
  });
  // One arguments object per rule, filled in before each call: validation runs synchronously.
  const args: ValidationArguments = {
    targetName: dto.name,
    property: name,
    object: {},
    value: undefined,
    constraints: metadata.constraints,
  };
  return (object, value) => {
    args.object = object;
    args.value = value;
    const values = metadata.each && Array.isArray(value) ? (value as unknown[]) : [value];
    for (const validate of validators) {
      for (const item of values) if (!validate(item, args)) return false;
    }
    return true;
  };
}

/**
 * ValidateNested: class-transformer turns a nested object into the `@Type` class (found here by asking it to
 * transform an empty one) and class-validator checks it, or each element of an array; anything else fails.
 */
function compileNested(
  dto: ClassConstructor<object>,
  name: string,
  compiled: Map<ClassConstructor<object>, Check>,
): Check {
  const probe = plainToInstance(dto, { [name]: {} }) as Record<string, unknown>;
  const type = (probe[name] as object | undefined)?.constructor;
  if (type === undefined || type === Object) {
    throw new Error(`${dto.name}.${name}: @ValidateNested needs @Type(() => Class) to be compiled`);
  }
  const checkClass = compileClass(type as ClassConstructor<object>, compiled);
  const checkNested: Check = (value) => {
    if (Array.isArray(value)) return value.every(checkNested);
    return typeof value === 'object' && value !== null && checkClass(value);
  };
  return checkNested;
}
