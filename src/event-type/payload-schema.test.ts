import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventType } from './model.js';
import { payloadValidators } from './payload-schema.js';
import { SCHEMA_LIMITS } from './schema-limits.js';

let version = 0;
const typeWith = (schema: unknown): EventType => ({
  name: 'e.t', description: '', schemas: { '1': schema as object }, archived: false, deprecated: false,
  featureFlag: null, groupName: null, createdAt: new Date(0), updatedAt: new Date(++version),
});
const refusal = (schema: unknown) => {
  try {
    payloadValidators().check({ '1': schema });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

test('ordinary schemas compile and validate as before', () => {
  const v = payloadValidators();
  const type = typeWith({ type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^inv_[0-9]+$' }, tags: { type: 'array', uniqueItems: true }, email: { type: 'string', format: 'email' } } });
  v.check(type.schemas!);
  assert.equal(v.validate(type, { id: 'inv_42', tags: [{ a: 1, b: 2 }, { b: 2, a: 3 }] }), undefined);
  assert.match(v.validate(type, { id: 'nope' }) ?? '', /^\/id must match pattern/);
  assert.match(v.validate(type, { id: 'inv_1', tags: [{ a: 1, b: 2 }, { b: 2, a: 1 }] }) ?? '', /duplicate items/, 'key order does not make items different');
  assert.match(v.validate(type, {}) ?? '', /must have required property 'id'/);
  assert.match(v.validate(type, { id: 'inv_1', email: 'not-an-email' }) ?? '', /format "email"/);
});

test('a backtracking pattern runs in linear time: (a+)+$ against "a"×N + "!"', () => {
  const v = payloadValidators();
  const type = typeWith({ type: 'object', properties: { s: { type: 'string', pattern: '(a+)+$' } } });
  v.check(type.schemas!);
  const started = performance.now();
  // With a backtracking engine N = 28 took 2.5 s and N = 40 never finished; here N = 100,000 is quick.
  for (const n of [24, 28, 40, 100_000]) assert.equal(v.validate(type, { s: 'a'.repeat(n) + '!' }), '/s must match pattern "(a+)+$"');
  assert.equal(v.validate(type, { s: 'a'.repeat(100_000) }), undefined);
  assert.ok(performance.now() - started < 5_000, `${Math.round(performance.now() - started)} ms`);
  const props = typeWith({ type: 'object', patternProperties: { '^(a|a)*$': { type: 'number' } } });
  v.check(props.schemas!);
  assert.match(v.validate(props, { ['a'.repeat(5_000)]: 'x' }) ?? '', /must be number/);
});

test('refused at creation: self-referring $ref, patterns RE2 cannot run, oversized and over-deep schemas', () => {
  assert.match(refusal({ $ref: '#' }) ?? '', /loops: # refers back to #/);
  assert.match(refusal({ allOf: [{ $ref: '#' }] }) ?? '', /loops/);
  assert.match(refusal({ definitions: { a: { $ref: '#/definitions/b' }, b: { anyOf: [{ $ref: '#/definitions/a' }] } }, $ref: '#/definitions/a' }) ?? '', /loops/);
  // Descending into the payload ends: a tree schema is fine.
  assert.equal(refusal({ type: 'object', properties: { children: { type: 'array', items: { $ref: '#' } } } }), undefined);
  assert.match(refusal({ type: 'string', pattern: '(?=a)b' }) ?? '', /RE2 syntax/);
  assert.match(refusal({ type: 'string', pattern: '(a)\\1' }) ?? '', /RE2 syntax/);
  assert.match(refusal({ patternProperties: { '(?<!x)y': {} } }) ?? '', /RE2 syntax/);
  assert.match(refusal({ type: 'no-such-type' }) ?? '', /not a valid JSON Schema/);
  assert.match(refusal({ $ref: 'https://schemas.example/remote.json' }) ?? '', /not a valid JSON Schema/);

  const started = performance.now();
  const bigEnum = { enum: Array.from({ length: 100_000 }, (_, i) => `value-${i}`) };
  assert.match(refusal(bigEnum) ?? '', /bytes; at most/);
  assert.ok(performance.now() - started < 1_000, 'refused before compiling');
  const manyValues = { enum: Array.from({ length: SCHEMA_LIMITS.maxValues }, (_, i) => i) };
  assert.match(refusal(manyValues) ?? '', /more than 4000 values/);
  let deep: object = { type: 'string' };
  for (let i = 0; i < 40; i++) deep = { properties: { a: deep } };
  assert.match(refusal(deep) ?? '', /nested more than 32 levels/);
  assert.match(refusal([1]) ?? '', /must be a JSON Schema object/);
});

test('a compile over its budget is refused at creation', () => {
  const props = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`p${i}`, { type: 'string' }]));
  assert.doesNotThrow(() => payloadValidators().check({ '1': { properties: props } }));
  assert.throws(() => payloadValidators({ compileBudgetMs: 0 }).check({ '1': { properties: props } }), /ms to compile; at most 0 ms/);
});

test('a schema stored before the checks existed cannot break a publish: validate answers why instead', () => {
  const v = payloadValidators();
  assert.match(v.validate(typeWith({ $ref: '#' }), {}) ?? '', /^the event type's schema cannot be used: it loops/);
  assert.match(v.validate(typeWith({ type: 'string', pattern: '(?=x)' }), 'x') ?? '', /cannot be used: a pattern is not supported/);
  // A recursive schema on a very deep payload: the stack limit becomes an answer, not a crash.
  let payload: object = {};
  for (let i = 0; i < 20_000; i++) payload = { a: payload };
  assert.equal(v.validate(typeWith({ type: 'object', properties: { a: { $ref: '#' } } }), payload), 'the schema recursed too deeply on this payload');
});

test('validation stops within its budget per event-loop turn, and the budget renews on the next turn', async () => {
  const v = payloadValidators({ budgetMs: 50 });
  // Slow but allowed: 300 alternatives tried for each of 100,000 items.
  const slow = typeWith({ type: 'object', properties: { items: { type: 'array', items: { anyOf: Array.from({ length: 300 }, (_, i) => ({ const: `v${i}` })) } } } });
  v.check(slow.schemas!);
  // Compiled on first use (not counted against the budget), then a turn later the slow payload.
  assert.equal(v.validate(slow, { items: ['v0'] }), undefined);
  await new Promise((resolve) => setImmediate(resolve));
  const payload = { items: Array.from({ length: 100_000 }, () => 'v299') };
  const started = performance.now();
  assert.match(v.validate(slow, payload) ?? '', /took longer than 50 ms/);
  const spent = performance.now() - started;
  // Without the budget this takes seconds; the margin is for a shared, loaded machine.
  assert.ok(spent < 1_500, `stopped after ${Math.round(spent)} ms`);
  // Within the same turn the budget is spent; a small payload still gets a fair try next turn.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(v.validate(slow, { items: ['v1', 'v2'] }), undefined);
});
