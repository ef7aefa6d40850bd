// `npm run bench [-- scenario...]` — runs benchmark scenarios and prints what
// they measured and how. Each scenario is its own file; register it here.
import { apiBench } from './api.js';
import { compareBench } from './compare.js';
import { deliveryBench } from './delivery.js';
import { middlewareBench } from './middleware.js';
import { ingestBench } from './ingest.js';
import { isolationBench } from './isolation.js';
import { latencyBench } from './latency.js';
import { publishBench } from './publish.js';
import { queueBench } from './queue.js';

export interface BenchContext {
  /** PostgreSQL URL to benchmark against; PGlite always runs. */
  databaseUrl: string | undefined;
  /** Scale factor from --quick (smaller N for a smoke run). */
  quick: boolean;
  /** Storages to run on, from --storage=pglite,postgres (default: both). */
  storages: Set<string>;
}

const SCENARIOS: Record<string, (ctx: BenchContext) => Promise<void>> = {
  compare: compareBench,
  middleware: middlewareBench,
  publish: publishBench,
  api: apiBench,
  deliver: deliveryBench,
  queue: queueBench,
  isolation: isolationBench,
  latency: latencyBench,
  ingest: ingestBench,
};

// ^C and SIGTERM exit through process.exit, so that child processes are stopped with the bench.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const storageFlag = args.find((a) => a.startsWith('--storage='))?.slice('--storage='.length);
const storages = new Set(storageFlag ? storageFlag.split(',') : ['pglite', 'postgres']);
const unknownStorage = [...storages].filter((s) => s !== 'pglite' && s !== 'postgres');
if (unknownStorage.length) {
  console.error(`unknown storage(s): ${unknownStorage.join(', ')}; known: pglite, postgres`);
  process.exit(2);
}
const names = args.filter((a) => !a.startsWith('--'));
const selected = names.length ? names : Object.keys(SCENARIOS);
const unknown = selected.filter((n) => !SCENARIOS[n]);
if (unknown.length) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}
const databaseUrl = process.env.HOOKYARD_BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
console.log(`hookyard bench: ${selected.join(', ')} | node ${process.version} | ${quick ? 'quick' : 'full'} | postgres ${databaseUrl.replace(/\/\/[^@]*@/, '//')}`);
for (const name of selected) await SCENARIOS[name]!({ databaseUrl, quick, storages });
process.exit(0);
