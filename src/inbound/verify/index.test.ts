import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IngestSourceInSerializer } from 'svix/dist/models/ingestSourceIn.js';
import type { IngestSourceIn } from 'svix';
import { z } from 'zod';
import { HookyardError } from '../../errors.js';
import { inboundRequest } from '../../test/inbound-request.js';
import { SECRET_SOURCE_TYPES } from './console-types.js';
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
    { name: 'f', type: 'shopify', config: { secret: 'shpss_x' } },
    { name: 'g', type: 'slack', config: { secret: 'slack-signing-secret' } },
    { name: 'h', type: 'meta', config: { secret: 'app-secret', verifyToken: 'verify-me' } },
    { name: 'i', type: 'zoom', config: { secret: 'zoom-token' } },
    { name: 'j', type: 'tailscale', config: { secret: 'tskey-webhook-x' } },
    { name: 'j', type: 'tailscale', config: { secret: 'tskey-webhook-x', timestampGraceSeconds: 120 } },
    { name: 'k', type: 'docusign', config: { secret: 'hmac-key=' } },
    { name: 'k', type: 'docusign', config: {} },
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

test('failures of every type fail closed, and their detail never holds a secret', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const configs: Record<string, Record<string, unknown>> = {
    meta: { secret, verifyToken: secret + 'v' },
    'hookyard-basic-auth': { username: 'u', password: secret },
    'hookyard-header-token': { token: secret },
  };
  const now = new Date('2026-12-01T12:00:00Z');
  const ts = String(Math.floor(now.getTime() / 1000));
  // Requests that carry every header a type might look at, with (almost) the secret as the signature.
  const headers = Object.fromEntries(
    ['x-hub-signature-256', 'stripe-signature', 'tailscale-webhook-signature', 'x-docusign-signature-1', 'x-shopify-hmac-sha256', 'x-slack-signature', 'x-zm-signature', 'webhook-signature', 'x-webhook-signature', 'x-webhook-token', 'authorization'].map((h) => [h, secret + '0']),
  );
  Object.assign(headers, { 'x-slack-request-timestamp': ts, 'x-zm-request-timestamp': ts, 'webhook-timestamp': ts, 'webhook-id': 'msg_1' });
  for (const [type, spec] of Object.entries(sourceTypes)) {
    if (type === 'generic-webhook') continue;
    const config = sourceConfigParse(type, configs[type] ?? { secret }).config;
    for (const req of [inboundRequest('{}', headers), inboundRequest('{}', {}), inboundRequest('', {}, { method: 'GET', query: { 'hub.mode': 'subscribe', 'hub.challenge': '1' } })]) {
      const v = spec.verify(config, req, now);
      assert.equal(v.ok, false, type);
      if (!v.ok) assert.ok(!v.detail.includes(secret) && !v.detail.includes(secret.slice(6)), `${type}: ${v.detail}`);
    }
  }
});

test("the console's secret types are server types whose config is one secret", () => {
  for (const type of SECRET_SOURCE_TYPES) {
    assert.deepEqual(sourceTypes[type]?.secretFields, ['secret'], type);
    assert.doesNotThrow(() => sourceConfigParse(type, { secret: 'whsec_' + Buffer.alloc(24, 3).toString('base64') }), type);
  }
});
