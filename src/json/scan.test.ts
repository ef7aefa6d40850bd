import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonDepth, jsonElementMemberTexts, jsonMemberText } from './scan.js';

// A small deterministic generator, so a failure can be replayed.
function random(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const STRINGS = ['', 'a', 'quote " inside', 'back\\slash', 'brace } and ] and ,', 'ü ñ 😀', 'nul \u0000 tab \t', '\\"', '{"not":"json"}'];
const NUMBERS = ['0', '-1', '1234567890123456789', '12.50', '1e2', '-0.000001E-7', '3.14159265358979323846264338327950288'];

/** Random JSON text with random spacing; numbers are written as text so they survive exactly. */
function jsonText(rand: () => number, depth: number): string {
  const space = () => [' ', '', '\n  ', '\t'][Math.floor(rand() * 4)]!;
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const r = rand();
  if (depth <= 0 || r < 0.3) return pick([JSON.stringify(pick(STRINGS)), pick(NUMBERS), 'true', 'false', 'null']);
  const n = Math.floor(rand() * 4);
  if (r < 0.65) {
    const members = Array.from({ length: n }, () => `${space()}${JSON.stringify(pick(STRINGS))}${space()}:${space()}${jsonText(rand, depth - 1)}${space()}`);
    return `{${members.join(',')}}`;
  }
  return `[${Array.from({ length: n }, () => `${space()}${jsonText(rand, depth - 1)}${space()}`).join(',')}]`;
}

test('jsonDepth counts nesting outside strings only, and stops past the limit', () => {
  assert.equal(jsonDepth('1'), 0);
  assert.equal(jsonDepth('{}'), 1);
  assert.equal(jsonDepth('{"a":[1,{"b":[]}]}'), 4);
  assert.equal(jsonDepth('{"a":"[[[{{{\\"]]]"}'), 1, 'brackets and escaped quotes inside a string do not count');
  assert.equal(jsonDepth('[[[[[[[[[[', 3), 4, 'stops at limit + 1');
  const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
  assert.equal(jsonDepth(deep), 1_000_000, 'a million levels: no recursion');
  assert.equal(jsonDepth('{"a":"unterminated'), 1, 'invalid text does not throw');
});

test('member texts are exact slices: numbers, escapes and spacing as written', () => {
  const body = '{ "eventType" : "a.b", "payload" : {"id":1234567890123456789,"amount":12.50,"exp":1e2, "s":"\\u0000\\"}"} , "x":1}';
  assert.equal(jsonMemberText(body, 'payload'), '{"id":1234567890123456789,"amount":12.50,"exp":1e2, "s":"\\u0000\\"}"}');
  assert.equal(jsonMemberText(body, 'missing'), undefined);
  assert.equal(jsonMemberText('{"payload":1,"payload":{"last":true}}', 'payload'), '{"last":true}', 'the last of a repeated key, as JSON.parse');
  assert.equal(jsonMemberText('{"pay\\u006coad":[1,2]}', 'payload'), '[1,2]', 'an escaped key is compared decoded');
  assert.equal(jsonMemberText('[1]', 'payload'), undefined);
  const batch = '{"messages":[{"payload":{"n":1.0}},{"eventType":"x"},7,{"payload":{"n":2e0},"payload":{"n":3E+0}}]}';
  assert.deepEqual(jsonElementMemberTexts(batch, 'messages', 'payload'), ['{"n":1.0}', undefined, undefined, '{"n":3E+0}']);
});

test('member texts agree with JSON.parse on random documents', () => {
  const rand = random(20_26);
  for (let round = 0; round < 2_000; round++) {
    const payload = `{${jsonText(rand, 4).length % 2 ? '' : ' '}"v":${jsonText(rand, 5)}}`;
    const body = `{"a":${jsonText(rand, 3)}, "payload" :${payload} ,"b":${jsonText(rand, 3)}}`;
    const parsed = JSON.parse(body) as { payload: unknown };
    const text = jsonMemberText(body, 'payload');
    assert.equal(text, payload, body);
    assert.deepEqual(JSON.parse(text!), parsed.payload);
    const batch = `{"messages":[${body},${jsonText(rand, 2)},${body}]}`;
    // The middle element is never an object with a "payload" key (no generated key is).
    assert.deepEqual(jsonElementMemberTexts(batch, 'messages', 'payload'), [payload, undefined, payload]);
  }
});
