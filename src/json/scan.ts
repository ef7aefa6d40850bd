/**
 * Scans of JSON text that build no values and never recurse, so a hostile document cannot
 * exhaust the stack or the heap here: how deeply it nests, and where a member's value starts
 * and ends, to keep that value's exact text (numbers are not rounded through a JS number,
 * escapes and spacing stay as written).
 *
 * `jsonDepth` tolerates any text. The member scans assume valid JSON: run them after
 * `JSON.parse` accepted the text.
 */

const QUOTE = 34; // "
const BACKSLASH = 92; // \
const STRUCTURE = /["[\]{}]/g;
const WHITESPACE = /[ \t\n\r]*/y;
const SCALAR_END = /[,\]} \t\n\r]|$/g;

/** Index just past the closing quote of the string that opens at `start` (text.length if unterminated). */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return text.length;
    let backslashes = 0;
    for (let i = quote - 1; text.charCodeAt(i) === BACKSLASH; i--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/**
 * How deeply objects and arrays nest in `text` (`{}` is 1, `{"a":[1]}` is 2). Counting stops
 * once it passes `limit`, so the answer is exact up to `limit + 1`.
 */
export function jsonDepth(text: string, limit = Number.MAX_SAFE_INTEGER): number {
  const structure = new RegExp(STRUCTURE.source, 'g');
  let depth = 0;
  let deepest = 0;
  for (let m = structure.exec(text); m; m = structure.exec(text)) {
    const c = text.charCodeAt(m.index);
    if (c === QUOTE) {
      structure.lastIndex = stringEnd(text, m.index);
    } else if (c === 91 || c === 123) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else {
      depth--;
    }
  }
  return deepest;
}

function skipWhitespace(text: string, at: number): number {
  WHITESPACE.lastIndex = at;
  WHITESPACE.exec(text);
  return WHITESPACE.lastIndex;
}

/** Index just past the value that starts at `at` (no leading whitespace). */
function valueEnd(text: string, at: number): number {
  const c = text.charCodeAt(at);
  if (c === QUOTE) return stringEnd(text, at);
  if (c !== 91 && c !== 123) {
    SCALAR_END.lastIndex = at;
    return SCALAR_END.exec(text)!.index;
  }
  const structure = new RegExp(STRUCTURE.source, 'g');
  structure.lastIndex = at;
  let depth = 0;
  for (let m = structure.exec(text); m; m = structure.exec(text)) {
    const ch = text.charCodeAt(m.index);
    if (ch === QUOTE) structure.lastIndex = stringEnd(text, m.index);
    else if (ch === 91 || ch === 123) depth++;
    else if (--depth === 0) return m.index + 1;
  }
  return text.length;
}

/**
 * Calls `onMember(key, valueStart, valueEnd)` for each member of the object that starts at
 * `at`, in order; returns the index just past the object. `onMember` may return the index past
 * the value itself (having scanned into it), or undefined to have it skipped.
 */
function eachMember(text: string, at: number, onMember: (key: string, start: number) => number | undefined): number {
  let i = skipWhitespace(text, at + 1);
  if (text.charCodeAt(i) === 125) return i + 1;
  for (;;) {
    const keyEnd = stringEnd(text, i);
    const raw = text.slice(i + 1, keyEnd - 1);
    const key = raw.includes('\\') ? (JSON.parse(text.slice(i, keyEnd)) as string) : raw;
    const start = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1); // past the ':'
    i = skipWhitespace(text, onMember(key, start) ?? valueEnd(text, start));
    if (text.charCodeAt(i) === 125) return i + 1;
    i = skipWhitespace(text, i + 1); // past the ','
  }
}

/** Calls `onElement(index, start)` for each element of the array that starts at `at`; like eachMember. */
function eachElement(text: string, at: number, onElement: (index: number, start: number) => number | undefined): number {
  let i = skipWhitespace(text, at + 1);
  if (text.charCodeAt(i) === 93) return i + 1;
  for (let index = 0; ; index++) {
    i = skipWhitespace(text, onElement(index, i) ?? valueEnd(text, i));
    if (text.charCodeAt(i) === 93) return i + 1;
    i = skipWhitespace(text, i + 1);
  }
}

const isObjectAt = (text: string, at: number) => text.charCodeAt(at) === 123;

/**
 * The exact text of member `key` of the top-level object, or undefined. When a key repeats,
 * the last one counts, as in `JSON.parse`.
 */
export function jsonMemberText(text: string, key: string): string | undefined {
  const at = skipWhitespace(text, 0);
  if (!isObjectAt(text, at)) return undefined;
  let found: string | undefined;
  eachMember(text, at, (k, start) => {
    if (k !== key) return undefined;
    const end = valueEnd(text, start);
    found = text.slice(start, end);
    return end;
  });
  return found;
}

/**
 * For the array in member `arrayKey` of the top-level object: the exact text of member `key`
 * of each element (undefined where an element has none or is not an object).
 */
export function jsonElementMemberTexts(text: string, arrayKey: string, key: string): (string | undefined)[] {
  const at = skipWhitespace(text, 0);
  if (!isObjectAt(text, at)) return [];
  let found: (string | undefined)[] = [];
  eachMember(text, at, (k, start) => {
    if (k !== arrayKey || text.charCodeAt(start) !== 91) return undefined;
    found = [];
    return eachElement(text, start, (index, elementStart) => {
      found[index] = undefined;
      if (!isObjectAt(text, elementStart)) return undefined;
      return eachMember(text, elementStart, (member, valueStart) => {
        if (member !== key) return undefined;
        const end = valueEnd(text, valueStart);
        found[index] = text.slice(valueStart, end);
        return end;
      });
    });
  });
  return found;
}
