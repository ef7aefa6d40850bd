import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IngestSourceInSerializer } from 'svix/dist/models/ingestSourceIn.js';
import type { IngestSourceIn } from 'svix';
import { z } from 'zod';
import { HookyardError } from '../../errors.js';
import { sourceConfigParse, sourceConfigRedact, sourceTypeInputSchema, sourceTypes } from './index.js';

const refusal = (type: unknown, config: unknown): HookyardError => {
  try {
    sourceConfigParse(type, config);
  } catch (error) {
    assert.ok(error instanceof HookyardError);
    assert.equal(error.status, 422);
    return error;
  }
  assert.fail('expected a refusal');
};

test('sourceConfigParse: unknown types, unknown fields and bad secrets are refused with the field named and no value echoed', () => {
  const unknown = refusal('gitlab', {});
  assert.deepEqual(unknown.fields?.[0]?.loc, ['body', 'type']);
  assert.match(unknown.message, /unknown source type; supported: .*github/);
  assert.equal(refusal('__proto__', {}).fields?.[0]?.loc.join('.'), 'body.type');
  assert.equal(refusal(undefined, {}).fields?.[0]?.loc.join('.'), 'body.type');

  const extra = refusal('stripe', { secret: 'whsec_abc', tolerance: 10 });
  assert.deepEqual(extra.fields?.[0], { loc: ['body', 'config', 'tolerance'], msg: 'extra fields not permitted', type: 'unrecognized_keys' });
  assert.deepEqual(refusal('stripe', {}).fields?.[0]?.loc, ['body', 'config', 'secret']);
  assert.deepEqual(refusal('generic-webhook', { secret: 'x' }).fields?.[0]?.loc, ['body', 'config', 'secret']);

  const badSecret = 'whsec_not*base64*at*all';
  const bad = refusal('svix', { secret: badSecret });
  assert.deepEqual(bad.fields?.[0]?.loc, ['body', 'config', 'secret']);
  assert.ok(!JSON.stringify({ message: bad.message, fields: bad.fields }).includes(badSecret));
});

test('sourceConfigParse accepts what the svix SDK serialises for each type it shares with Hookyard', () => {
  const sources: IngestSourceIn[] = [
    { name: 'a', type: 'generic-webhook', config: {} },
    { name: 'a', type: 'generic-webhook' },
    { name: 'b', type: 'github', config: { secret: 'gh-secret' } },
    { name: 'b', type: 'github', config: {} },
    { name: 'c', type: 'stripe', config: { secret: 'whsec_abc' } },
    { name: 'd', type: 'svix', config: { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } },
    { name: 'e', type: 'clerk', config: { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } },
  ];
  for (const source of sources) {
    // The SDK's JSON on the wire, as the source route receives it.
    const wire = JSON.parse(JSON.stringify(IngestSourceInSerializer._toJsonObject(source))) as { type: string; config: unknown };
    assert.ok(wire.type in sourceTypes, wire.type);
    assert.doesNotThrow(() => sourceConfigParse(wire.type, wire.config), wire.type);
  }
});

test('sourceTypeInputSchema: one strict union over every type, with the extra fields, representable in OpenAPI', () => {
  const schema = sourceTypeInputSchema({ name: z.string() });
  assert.equal(schema.safeParse({ name: 'n', type: 'stripe', config: { secret: 'whsec_x' } }).success, true);
  assert.equal(schema.safeParse({ name: 'n', type: 'generic-webhook' }).success, true);
  assert.equal(schema.safeParse({ name: 'n', type: 'stripe', config: { secret: 'whsec_x' }, extra: 1 }).success, false);
  assert.equal(schema.safeParse({ name: 'n', type: 'nope', config: {} }).success, false);
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { oneOf?: unknown[]; anyOf?: unknown[] };
  assert.equal((json.oneOf ?? json.anyOf)?.length, Object.keys(sourceTypes).length);
});

test('sourceConfigRedact drops or masks the secret fields, and everything of an unknown type', () => {
  assert.deepEqual(sourceConfigRedact('github', { secret: 's' }), {});
  assert.deepEqual(sourceConfigRedact('github', { secret: 's' }, '********'), { secret: '********' });
  assert.deepEqual(sourceConfigRedact('gone', { secret: 's', other: 1 }), {});
  for (const spec of Object.values(sourceTypes)) {
    const shape = (spec.config as z.ZodObject).shape as Record<string, unknown>;
    for (const field of spec.secretFields) assert.ok(field in shape, `${spec.type}.${field}`);
  }
});
