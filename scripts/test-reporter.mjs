// The compact test report (scripts/test.mjs uses it unless --verbose): nothing for a passing
// test; each failure in full as it happens, named by its file and its suites; then the three
// slowest files and the runner's own totals, as Node's spec reporter prints them. A run of several
// minutes says how far it is, at most every PROGRESS_MS, so a quiet run is not taken for a hung one.
import { relative } from 'node:path';
import { inspect } from 'node:util';

const indent = (text) => text.replace(/^/gm, '    ');
const PROGRESS_MS = 30_000;

export default async function* compact(source) {
  // The names of the tests open at each nesting level. Events come in the order of the tree (as
  // Node's spec reporter assumes too); a suite's own file may differ from its tests' (a describe
  // made by a helper in another file), so the path is not kept per file.
  const path = [];
  const stderr = new Map(); // file → what it printed to stderr, shown if the file itself fails
  const fileMs = new Map();
  const totals = [];
  const started = Date.now();
  const fileCount = process.env.HOOKYARD_TEST_FILE_COUNT ?? '?';
  let progressAt = started;
  let failed = 0;
  for await (const { type, data } of source) {
    if (type === 'test:start') {
      path.length = data.nesting;
      path[data.nesting] = data.name;
    } else if (type === 'test:stderr') {
      stderr.set(data.file, (stderr.get(data.file) ?? '') + data.message);
    } else if (type === 'test:complete' && data.name === data.file) {
      fileMs.set(data.file, data.details.duration_ms);
      if (Date.now() - progressAt >= PROGRESS_MS) {
        progressAt = Date.now();
        yield `… ${fileMs.size} of ${fileCount} test files done, ${failed} failure(s), ${Math.round((progressAt - started) / 1000)} s\n`;
      }
    } else if (type === 'test:fail') {
      const error = data.details.error;
      // A suite that failed because a test in it did, or a test cancelled because its suite's hook failed,
      // adds nothing to the failure already shown.
      if (error?.failureType === 'subtestsFailed' || error?.failureType === 'cancelledByParent') continue;
      failed++;
      const file = data.file ? relative(process.cwd(), data.file) : '(no file)';
      const names = data.name === data.file ? [] : [...path.slice(0, data.nesting), data.name];
      yield `\n✖ ${[file, ...names].join(' › ')}\n${indent(inspect(error?.cause ?? error, { depth: 6 }))}\n`;
      if (data.name === data.file && stderr.get(data.file)) yield `  its stderr:\n${indent(stderr.get(data.file))}\n`;
    } else if (type === 'test:diagnostic' && data.nesting === 0 && !data.file) {
      totals.push(data.message);
    }
  }
  const slowest = [...fileMs].sort((a, b) => b[1] - a[1]).slice(0, 3);
  yield `\n${fileMs.size} test files; slowest: ${slowest.map(([f, ms]) => `${relative(process.cwd(), f)} ${(ms / 1000).toFixed(1)} s`).join(', ')}\n`;
  for (const line of totals) yield `ℹ ${line}\n`;
}
