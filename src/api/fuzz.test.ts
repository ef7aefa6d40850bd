import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testApi, type TestApi } from '../test/api.js';
import { snapshot, VALID_BODY } from '../test/bad-input.js';
import { describeEachStorage } from '../test/storages.js';

/**
 * A fuzz pass over every operation in the OpenAPI document: NUL in each path
 * id, query value and body string, wrong types, huge values, deep nesting,
 * bad JSON and unknown fields. Every request must get a 4xx, and the database
 * must be left exactly as it was. The cases are generated, not random, so a
 * failure repeats; their number is bounded (see MAX_REQUESTS).
 */
const MAX_REQUESTS = 6_000;
const DEEP = 3_000;

type Json = Record<string, unknown>;
interface Operation { method: string; path: string; pathParams: string[]; queryParams: string[]; body: string | undefined }

function operations(openapi: Json): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(openapi.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? []) as { name: string; in: string }[];
      const ref = (op.requestBody as { content: { 'application/json': { schema: { $ref: string } } } } | undefined)?.content['application/json'].schema.$ref;
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        body: ref?.split('/').at(-1),
      });
    }
  }
  return ops;
}

const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);

/** Values that no field of any body accepts in place of a value of this type. */
function wrongValues(valid: unknown, key: string | number | undefined): unknown[] {
  // A payload is any object, and what is inside it is the publish path's to judge: only non-objects here.
  if (key === 'payload') return ['x', '\u0000', 5, [], true];
  if (typeof valid === 'string') return ['\u0000', 'a\u0000b', 'x'.repeat(70_000), 12345, 1e308, true, [], {}, ['x']];
  if (typeof valid === 'number') return ['12', 'x', '\u0000', [], {}, 1e308, -1e308, 2 ** 64];
  if (typeof valid === 'boolean') return ['true', 1, '\u0000', []];
  if (Array.isArray(valid)) return ['x', '\u0000', 5, {}, [12345], ['\u0000']];
  return ['x', '\u0000', 5, [], { '\u0000': 'x' }, { 'a\u0000': 1 }];
}

/** Every (path in the body, replacement) pair for one valid body. */
function bodyMutations(valid: unknown): { where: string; body: string }[] {
  const out: { where: string; body: string }[] = [];
  const walk = (value: unknown, path: (string | number)[]) => {
    if (path.length > 0) {
      for (const wrong of wrongValues(value, path.at(-1))) out.push({ where: path.join('.'), body: JSON.stringify(setAt(valid, path, wrong)) });
      // Deep nesting, spliced in as text so building it costs nothing.
      const marker = '"__deep__"';
      out.push({ where: `${path.join('.')} (deep)`, body: JSON.stringify(setAt(valid, path, '__deep__')).replace(marker, deepArray(DEEP)) });
    }
    if (path.at(-1) === 'payload') return;
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...path, i]));
    else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
      out.push({ where: `${path.join('.')}.{unknown}`, body: JSON.stringify(setAt(valid, [...path, 'surprise'], 1)) });
      out.push({ where: `${path.join('.')}.{NUL key}`, body: JSON.stringify(setAt(valid, [...path, 'k\u0000'], 'v')) });
    }
  };
  walk(valid, []);
  for (const text of ['{"oops"', '{"a":1}x', '[1,]', 'NaN', '{"a":}', '{"a":1,"a":2}', 'null', '"\u0000"', deepArray(DEEP), '{"a":' .repeat(DEEP) + '1' + '}'.repeat(DEEP)]) {
    out.push({ where: `whole body ${JSON.stringify(text.slice(0, 12))}`, body: text });
  }
  return out;
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(root) as Json;
  let at: Json = copy;
  for (const key of path.slice(0, -1)) at = at[key as string] as Json;
  at[path.at(-1) as string] = value;
  return copy;
}

const QUERY_VALUES = ['%00', 'a%00b', 'abc', '-1', '1e309', '99999999999999999999', 'x'.repeat(5_000), '%FF%FE', '[]', ''];
const PATH_VALUES = ['%00', 'a%00b', 'x'.repeat(5_000), '%E0%A4%A', '%FF', '..%2F..%2Fetc', '%20', "'%3B%20drop%20table%20x%3B--"];

describeEachStorage('fuzzing every route of the OpenAPI document', (env) => {
  let t: TestApi;
  const ids: Record<string, string> = {};
  before(async () => {
    const { hookyard } = env();
    t = await testApi(hookyard);
    const app = await hookyard.applications.create({ name: 'fuzz', uid: 'fuzz' });
    await hookyard.endpoints.create(app.id, { url: 'http://127.0.0.1:9/x', uid: 'ep' });
    await hookyard.eventTypes.create({ name: 'x.y', description: 'd', schemas: { '1': { type: 'object' } } });
    const { message } = await hookyard.messages.publish(app.id, { eventType: 'x.y', payload: { a: 1 } });
    Object.assign(ids, { app_id: 'fuzz', endpoint_id: 'ep', event_type_name: 'x.y', msg_id: message.id, attempt_id: 'atmpt_unknown' });
  });
  after(() => t.close());

  test('every malformed request gets a 4xx and the database is unchanged', { timeout: 240_000 }, async () => {
    const db = env().storage;
    const before = await snapshot(db);
    const ops = operations(t.api.openapi);
    assert.ok(ops.length >= 30, `the document lists ${ops.length} operations`);
    const fill = (path: string, over: Record<string, string> = {}) => path.replace(/\{([a-z_]+)\}/g, (_, name: string) => over[name] ?? ids[name] ?? `unknown_${name}`);
    const requests: { op: Operation; url: string; body: string | undefined; where: string }[] = [];
    for (const op of ops) {
      const valid = op.body === undefined ? undefined : JSON.stringify(VALID_BODY[op.body]);
      if (op.body !== undefined) assert.ok(op.body in VALID_BODY, `add a valid ${op.body} to src/test/bad-input.ts`);
      for (const name of op.pathParams) {
        for (const value of PATH_VALUES) requests.push({ op, url: fill(op.path, { [name]: value }), body: valid, where: `path ${name}=${value.slice(0, 12)}` });
      }
      for (const name of op.queryParams) {
        for (const value of QUERY_VALUES) {
          // GETs change nothing, so any value will do; elsewhere only values the parameter refuses are sent.
          if (op.method !== 'GET' && ['abc', '', '[]'].includes(value) === false && !value.includes('%')) continue;
          requests.push({ op, url: `${fill(op.path)}?${name}=${value}`, body: valid, where: `query ${name}=${value.slice(0, 12)}` });
        }
        requests.push({ op, url: `${fill(op.path)}?${name}=1&${name}=%00`, body: valid, where: `query ${name} repeated` });
      }
      requests.push({ op, url: `${fill(op.path)}?unknown%00=1`, body: valid, where: 'query NUL name' });
      if (op.body !== undefined) {
        for (const m of bodyMutations(VALID_BODY[op.body])) requests.push({ op, url: fill(op.path), body: m.body, where: `body ${m.where}` });
      }
    }
    assert.ok(requests.length <= MAX_REQUESTS, `${requests.length} requests`);

    const server5xx: string[] = [];
    const statuses = new Map<number, number>();
    for (const { op, url, body, where } of requests) {
      // GETs with a sane query are allowed to succeed; everything else must be refused.
      const res = await fetch(t.url + url, { method: op.method, headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body }) });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) server5xx.push(`${res.status} ${op.method} ${op.path} ${where}`);
      if (op.method !== 'GET' && res.status < 400) server5xx.push(`${res.status} (accepted) ${op.method} ${op.path} ${where}`);
    }
    assert.deepEqual(server5xx, [], `${server5xx.length} of ${requests.length} requests were not refused with a 4xx`);
    assert.equal(await snapshot(db), before, 'a malformed request changed the database');
    assert.ok((statuses.get(422) ?? 0) > requests.length / 2, `mostly 422s: ${JSON.stringify([...statuses])}`);
  });
});
