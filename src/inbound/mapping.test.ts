import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HookyardError } from '../errors.js';
import { MAPPING_FIELDS_MAX, mappingPathCheck, payloadMap, payloadMappingParse } from './mapping.js';

const push = {
  ref: 'refs/heads/main',
  head_commit: { id: 'abc', author: { name: 'Ada', email: 'ada@example.com' } },
  commits: [{ id: 'c1', added: ['a.ts'] }, { id: 'c2', added: [] }],
  'repo name': 'hookyard',
};

test('payloadMap reshapes a payload: definite paths give a value or null, others every match', () => {
  // Parsed from JSON, as a request body is, so __proto__ is a key and not the prototype.
  const mapping = payloadMappingParse(
    JSON.parse(`{
      "branch": "$.ref",
      "author": "$.head_commit.author.name",
      "first": "$.commits[0].id",
      "last": "$.commits[-1:]",
      "ids": "$.commits[*].id",
      "allIds": "$..id",
      "repo": "$['repo name']",
      "missing": "$.head_commit.committer.name"
    }`),
  );
  const out = payloadMap(mapping, push);
  assert.deepEqual(Object.keys(out), ['branch', 'author', 'first', 'last', 'ids', 'allIds', 'repo', 'missing']);
  assert.equal(out.branch, 'refs/heads/main');
  assert.equal(out.author, 'Ada');
  assert.equal(out.first, 'c1');
  assert.deepEqual(out.last, [{ id: 'c2', added: [] }]);
  assert.deepEqual(out.ids, ['c1', 'c2']);
  assert.deepEqual(out.allIds, ['abc', 'c1', 'c2']);
  assert.equal(out.repo, 'hookyard');
  assert.equal(out.missing, null);
  // payloadMap itself keeps such a field an own property, were one to reach it.
  const own = payloadMap(JSON.parse('{"__proto__":"$.ref"}'), push);
  assert.equal(Object.getPrototypeOf(own), Object.prototype);
  assert.equal(JSON.parse(JSON.stringify(own)).__proto__, 'refs/heads/main');
  assert.deepEqual(payloadMap({ a: '$.x' }, 'not an object'), { a: null });
});

test('filter and script expressions are refused at creation, and never run', () => {
  let ran = false;
  (globalThis as Record<string, unknown>).hookyardMappingProbe = () => (ran = true);
  for (const path of ['$.commits[?(@.id=="c1")]', '$.commits[(@.length-1)]', '$..[?(@.constructor.constructor("return process")())]', '$.commits[ ?(@.id)]', '$[?(hookyardMappingProbe())]']) {
    const check = mappingPathCheck(path);
    assert.ok('error' in check && /filter and script/.test(check.error), path);
    assert.throws(() => payloadMappingParse({ a: path }), HookyardError);
    // Even a map that skipped the check cannot run it.
    assert.deepEqual(payloadMap({ a: path }, push), { a: null });
  }
  assert.equal(ran, false);
  delete (globalThis as Record<string, unknown>).hookyardMappingProbe;
});

test('payloadMappingParse names the bad field, refuses extensions and junk, and bounds the map', () => {
  const refusal = (input: unknown) => {
    try {
      payloadMappingParse(input);
    } catch (error) {
      assert.ok(error instanceof HookyardError && error.status === 422);
      return error;
    }
    assert.fail('expected a refusal');
  };
  assert.deepEqual(refusal({ ok: '$.ref', bad: 'ref' }).fields?.[0]?.loc, ['body', 'mapping', 'bad']);
  for (const path of ['ref', '$[', '$.', '$.a~', '$.a^', '@.a', '$.`a', "$['a','b']", '$.commits[0,1]', '$..*', '$..[*]', "$['*']", '$.' + 'a'.repeat(300), '$.a b']) {
    assert.ok('error' in mappingPathCheck(path), path);
  }
  refusal({ a: 1 });
  refusal([]);
  refusal({ '': '$.a' });
  assert.match(refusal(JSON.parse('{"__proto__":"$.ref"}')).message, /__proto__/);
  const many = Object.fromEntries(Array.from({ length: MAPPING_FIELDS_MAX + 1 }, (_, i) => [`f${i}`, '$.ref']));
  assert.match(refusal(many).message, /at most 32 fields/);
  const atLimit = Object.fromEntries(Array.from({ length: MAPPING_FIELDS_MAX }, (_, i) => [`f${i}`, '$.ref']));
  assert.equal(Object.keys(payloadMappingParse(atLimit)).length, MAPPING_FIELDS_MAX);
});
