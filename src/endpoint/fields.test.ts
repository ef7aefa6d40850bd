import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENDPOINT_UPDATE_FIELDS } from './fields.js';
import { endpointPatchSchema, endpointUpdateSchema } from './model.js';

test('ENDPOINT_UPDATE_FIELDS names exactly the fields EndpointUpdate and EndpointPatch accept', () => {
  const sorted = [...ENDPOINT_UPDATE_FIELDS].sort();
  assert.deepEqual(Object.keys(endpointUpdateSchema.shape).sort(), sorted);
  assert.deepEqual(Object.keys(endpointPatchSchema.shape).sort(), sorted);
});

test('the read-only fields of EndpointOut are not among them', () => {
  for (const name of ['id', 'createdAt', 'updatedAt', 'tlsWarning', 'consecutiveFailures', 'failingSince', 'disabledAt', 'lastSuccessAt', 'lastFailureAt', 'disabledReason']) {
    assert.ok(!(ENDPOINT_UPDATE_FIELDS as readonly string[]).includes(name), name);
    assert.equal(endpointPatchSchema.safeParse({ [name]: null }).success, false, `${name} is refused by the patch`);
  }
});
