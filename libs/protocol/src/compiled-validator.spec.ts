import 'reflect-metadata';
import { ClassConstructor } from 'class-transformer';
import { IsString, ValidateNested } from 'class-validator';
import fc from 'fast-check';
import { runInNewContext } from 'node:vm';
import { compilePayloadCheck, compileValidator } from './compiled-validator';
import { RenewTokenDto } from './dto/access.dto';
import { HubHealthDto } from './dto/health.dto';
import { LoginRequestDto } from './dto/login.dto';
import { BroadcastMessageDto, PeerMessageRequestDto } from './dto/message.dto';
import { NeckAckReportDto, NeckCommandRequestDto, NeckOutputDto, NeckStatusDto } from './dto/neck.dto';
import { MAX_PAYLOAD_DEPTH, MAX_PAYLOAD_NODES } from './dto/payload-limits';
import { payloadBoundRefusal, validatePayload } from './validate';

/** A valid payload of each DTO the hub receives (and two it sends), to mutate. */
const STATUS = {
  serial: { state: 'open', path: '/dev/ttyUSB0', baud: 115200 },
  firmware: { state: 'ready', answersHealth: true },
  control: { holder: { uuid: 'operator-1', sid: 'sid-1' }, leaseMs: 2000, stopped: false, stoppedBy: null },
  pose: { X: 50, Y: 0, Z: 0, H: 0, S: 1, A: 1, R: 0, P: 0 },
  actuatorsMm: [1, 2, 3, 4, 5, 6],
  queueDepth: 0,
  health: null,
};
const SAMPLES: [ClassConstructor<object>, Record<string, unknown>][] = [
  [BroadcastMessageDto, { message: 'X50', id: 'c-1', sentAt: 1_700_000_000_000, seq: 3 }],
  [PeerMessageRequestDto, { target: 'sid-1', message: 'HOME', id: 'c-2' }],
  [NeckCommandRequestDto, { command: 'X50', target: 'sid-9', id: 'c-3', sentAt: 12.5, seq: 0 }],
  [
    NeckAckReportDto,
    {
      command: 'X50,Y0,Z0,H0,S1,A1,R0,P0',
      status: 'rejected',
      to: 'sid-1',
      id: 'c-3',
      error: { code: 'STOPPED', message: 'x' },
    },
  ],
  [NeckOutputDto, { line: 'OK HOME' }],
  [NeckStatusDto, STATUS],
  [RenewTokenDto, { token: 'a.b.c' }],
  [LoginRequestDto, { uuid: 'robot-1', password: 'pw', role: 'neck', pair: true }],
  [
    HubHealthDto,
    {
      status: 'ok',
      version: '0.1.0',
      uptimeSeconds: 3,
      peers: 2,
      unauthenticated: 0,
      necks: [{ ...STATUS, peerId: 'sid-2', uuid: 'neck-1', updatedAt: '2026-12-01T00:00:00.000Z' }],
      tunnel: { state: 'disabled', url: null, consecutiveFailures: 0, lastError: null },
    },
  ],
];

/** Values of every JSON kind, and the edge ones the DTOs' rules care about. */
const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, undefined, '', 0, -1, 1.5, NaN, Infinity, true, 'x'.repeat(2000), [], {}),
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.array(tie('value'), { maxLength: 7 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 3 }),
  ),
})).value;

type Mutation = { path: string[]; op: 'delete' | 'set' | 'add'; value: unknown; key: string };

/** Every path to a property of the sample, nested ones included. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => [[...prefix, key], ...paths(child, [...prefix, key])]);
}

/** Whether a `__proto__` or `constructor` own key is anywhere in the value. */
function hasDroppedKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(
    ([key, child]) => key === '__proto__' || key === 'constructor' || hasDroppedKey(child),
  );
}

function mutate(sample: Record<string, unknown>, mutations: Mutation[]): unknown {
  const copy = structuredClone(sample);
  const all = paths(copy);
  for (const { path, op, value, key } of mutations) {
    const target = all.find((candidate) => candidate.join('.') === path.join('.')) ?? all[0] ?? [];
    let parent: Record<string, unknown> = copy;
    for (const step of target.slice(0, -1)) {
      const next = parent[step];
      if (typeof next !== 'object' || next === null) break;
      parent = next as Record<string, unknown>;
    }
    const leaf = target[target.length - 1] ?? key;
    if (op === 'delete') delete parent[leaf];
    else if (op === 'set') parent[leaf] = value;
    else parent[key] = value;
  }
  return copy;
}

describe('compileValidator', () => {
  it.each(SAMPLES)('accepts the valid %p sample, as validatePayload does', (dto, sample) => {
    expect(validatePayload(dto, sample)).toMatchObject({ ok: true });
    expect(compileValidator(dto)(sample)).toEqual({ ok: true, value: sample });
  });

  it.each(SAMPLES)('agrees with validatePayload on mutated %p payloads, with its messages', (dto, sample) => {
    const compiled = compileValidator(dto);
    const check = compilePayloadCheck(dto);
    const pathsOf = paths(sample);
    const mutation: fc.Arbitrary<Mutation> = fc.record({
      path: fc.constantFrom(...pathsOf),
      op: fc.constantFrom('delete', 'set', 'add'),
      value: anyValue,
      key: fc.constantFrom('extra', '__proto__', 'constructor', 'id', 'message', 'X'),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const payload = mutate(sample, mutations);
        const slow = validatePayload(dto, payload);
        // The fast check alone decides as class-validator does (no refusal left to the fallback), except for
        // the keys class-transformer drops: those go the slow way, which returns the instance without them.
        expect(check(payload)).toBe(slow.ok && !hasDroppedKey(payload));
        // …and the validator answers as validatePayload, messages included.
        const fast = compiled(payload);
        expect(fast.ok).toBe(slow.ok);
        if (!slow.ok && !fast.ok) expect(fast.message).toBe(slow.message);
        if (fast.ok) expect(hasDroppedKey(fast.value)).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  // Adversary: the counterexample of fast-check seed -560328149 (issue 21): `control` whose prototype a `__proto__`
  // assignment made an array. class-transformer threw `value.forEach is not a function` from validatePayload.
  it('refuses an object whose prototype is an array, without throwing (seed -560328149)', () => {
    const control: Record<string, unknown> = { ...STATUS.control };
    Object.setPrototypeOf(control, [true, { '': 1.5 }]);
    const payload = { ...STATUS, control };
    expect(validatePayload(NeckStatusDto, payload)).toEqual({ ok: false, message: 'payload must be plain JSON data' });
    expect(compileValidator(NeckStatusDto)(payload)).toEqual({ ok: false, message: 'payload must be plain JSON data' });
    expect(compilePayloadCheck(NeckStatusDto)(payload)).toBe(false);
  });

  // Adversary: a reader in another realm (a test runner's vm context, fetch's JSON) gets objects whose
  // Object.prototype is not this module's; they are plain data all the same. Class instances and functions are not.
  it('takes plain data from another realm, and refuses class instances, functions and odd prototypes', () => {
    const foreign = runInNewContext('({ command: "X1", id: "c-1", extra: undefined })') as Record<string, unknown>;
    delete foreign.extra;
    expect(validatePayload(NeckCommandRequestDto, foreign)).toEqual({ ok: true, value: expect.anything() });
    expect(compileValidator(NeckCommandRequestDto)(foreign)).toEqual({ ok: true, value: foreign });
    const nested = runInNewContext('({ line: "x", list: [[1], {a: [2]}] })') as object;
    expect(payloadBoundRefusal(nested)).toBeUndefined();
    class Sneaky {
      command = 'X1';
    }
    const arrayLike: Record<string, unknown> = { command: 'X1' };
    Object.setPrototypeOf(arrayLike, [1]);
    const fromFunction: Record<string, unknown> = { command: 'X1' };
    Object.setPrototypeOf(fromFunction, () => undefined);
    const nullArray: unknown[] = [];
    Object.setPrototypeOf(nullArray, null);
    for (const odd of [new Sneaky(), arrayLike, fromFunction, { command: 'X1', extra: nullArray }, new Map()]) {
      expect(payloadBoundRefusal(odd)).toBe('payload must be plain JSON data');
      expect(compileValidator(NeckCommandRequestDto)(odd)).toEqual({
        ok: false,
        message: 'payload must be plain JSON data',
      });
    }
  });

  it('replays seed -560328149 of the mutation property: no payload makes validatePayload throw', () => {
    const check = compilePayloadCheck(NeckStatusDto);
    const mutation: fc.Arbitrary<Mutation> = fc.record({
      path: fc.constantFrom(...paths(STATUS)),
      op: fc.constantFrom('delete', 'set', 'add'),
      value: anyValue,
      key: fc.constantFrom('extra', '__proto__', 'constructor', 'id', 'message', 'X'),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const payload = mutate(STATUS, mutations);
        const slow = validatePayload(NeckStatusDto, payload);
        expect(check(payload)).toBe(slow.ok && !hasDroppedKey(payload));
      }),
      { numRuns: 400, seed: -560328149 },
    );
  });

  // Adversary: a peer sending a 6 KB array 3,000 deep in any field (issue 17): class-transformer recursed until the
  // stack overflowed and the hub died. Both readers refuse it before walking it.
  it.each([
    ['an unknown field', (deep: unknown) => ({ command: 'X1', extra: deep })],
    ['a known field', (deep: unknown) => ({ command: deep })],
    ['the stamp', (deep: unknown) => ({ command: 'X1', sentAt: deep })],
  ])('refuses a 3,000-deep nesting in %s with a message, without throwing', (_, build) => {
    let deep: unknown = [];
    for (let level = 0; level < 3000; level++) deep = [deep];
    const payload = build(deep);
    const refusal = { ok: false, message: `payload is nested deeper than ${MAX_PAYLOAD_DEPTH} levels` };
    expect(validatePayload(NeckCommandRequestDto, payload)).toEqual(refusal);
    expect(compileValidator(NeckCommandRequestDto)(payload)).toEqual(refusal);
  });

  it('refuses a payload of more values than MAX_PAYLOAD_NODES, and takes one just within both bounds', () => {
    const wide = { command: 'X1', extra: Array.from({ length: MAX_PAYLOAD_NODES }, () => 0) };
    expect(validatePayload(NeckCommandRequestDto, wide)).toEqual({
      ok: false,
      message: `payload holds more than ${MAX_PAYLOAD_NODES} values`,
    });
    let deep: unknown = 'x';
    for (let level = 1; level < MAX_PAYLOAD_DEPTH; level++) deep = [deep];
    expect(payloadBoundRefusal({ deep })).toBeUndefined();
    expect(payloadBoundRefusal({ deep: [deep] })).toMatch(/deeper/);
  });

  it('agrees on payloads that are not objects at all', () => {
    const compiled = compileValidator(NeckCommandRequestDto);
    fc.assert(
      fc.property(anyValue, (payload) => {
        const slow = validatePayload(NeckCommandRequestDto, payload).ok;
        expect(compiled(payload).ok).toBe(slow);
        expect(compilePayloadCheck(NeckCommandRequestDto)(payload)).toBe(slow);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses to compile what it cannot check, rather than let it through', () => {
    class Untyped {
      @ValidateNested()
      child!: object;
    }
    class Empty {
      name!: string;
    }
    class Fine {
      @IsString()
      name!: string;
    }
    expect(() => compileValidator(Untyped)).toThrow(/needs @Type/);
    expect(() => compileValidator(Empty)).toThrow(/no validation metadata/);
    expect(compileValidator(Fine)({ name: 'x' }).ok).toBe(true);
  });
});
