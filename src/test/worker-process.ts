// Test-only entry: a delivery worker in its own process, for crash and
// multi-process tests. DATABASE_URL names the database; the worker options
// come as JSON in HOOKYARD_WORKER_OPTIONS. Prints "ready" once started and
// stops gracefully on SIGTERM.
import { openHookyard } from '../hookyard.js';
import { startWorker } from '../delivery/worker.js';
import { createLogger } from '../log.js';
import { TEST_SECRET_KEY } from './storages.js';

const hookyard = await openHookyard({ databaseUrl: process.env.DATABASE_URL!, secretKey: TEST_SECRET_KEY, migrate: false, poolSize: 4 });
const worker = startWorker(hookyard, JSON.parse(process.env.HOOKYARD_WORKER_OPTIONS ?? '{}'), createLogger(process.env.HOOKYARD_TEST_LOG ?? 'silent'));
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void worker
    .stop(2_000)
    .then(() => hookyard.close())
    .then(() => process.exit(0));
});
