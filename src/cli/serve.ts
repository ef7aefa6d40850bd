import { createApi } from '../api/app.js';
import { apiListen, type ApiServer } from '../api/server.js';
import { tokenCount, tokenCreate } from '../auth/token.js';
import type { Config } from '../config/config.js';
import { apiOptionsFromConfig, cleanerOptionsFromConfig, hookyardOptionsFromConfig, workerOptionsFromConfig } from '../config/options.js';
import type { Worker } from '../delivery/worker.js';
import { openHookyard, type Hookyard } from '../hookyard.js';
import { createLogger, type Logger } from '../log.js';
import { cleanerStart } from '../maintenance/schedule.js';

/** Options for openHookyard that the configuration implies. */
export const hookyardOptions = hookyardOptionsFromConfig;

/**
 * Embedded mode has no other way in, so the first start makes an admin token
 * and prints it (on stdout, never in a log line). PostgreSQL deployments make
 * tokens deliberately, with `hookyard token create`.
 */
async function firstToken(hookyard: Hookyard, log: Logger): Promise<string | undefined> {
  if ((await tokenCount(hookyard.storage)) > 0) return undefined;
  if (hookyard.storage.capabilities.embedded) return (await tokenCreate(hookyard.storage, 'admin')).token;
  log.warn('no API tokens yet: create one with `hookyard token create <name>`');
  return undefined;
}

export interface Running {
  api?: ApiServer | undefined;
  hookyard: Hookyard;
  stop(): Promise<void>;
}

/** Starts the roles the configuration asks for; `stop` drains them within the grace time. */
export async function serveStart(config: Config, version: string, log: Logger = createLogger(config.logLevel)): Promise<Running> {
  const hookyard = await openHookyard(hookyardOptions(config));
  let api: ApiServer | undefined;
  // Every process runs the retention cleaner, whatever its role, soon after start and then hourly.
  const cleaner = cleanerStart({ storage: hookyard.storage, now: () => new Date() }, cleanerOptionsFromConfig(config), log);
  if (config.role === 'api' || config.role === 'all') {
    const token = await firstToken(hookyard, log);
    const created = createApi(hookyard, { log, version, ...apiOptionsFromConfig(config) });
    api = await apiListen(created, { host: config.host, port: config.port });
    log.info({ url: api.url, storage: hookyard.storage.kind, role: config.role }, 'api listening');
    console.log(`\nHookyard ${version} is listening on ${api.url}  (API reference: ${api.url}/docs)`);
    if (token) {
      console.log(`\nAdmin API token, shown only this once; keep it safe:\n\n  ${token}\n`);
      console.log(`Try it:  curl -H "Authorization: Bearer ${token}" ${api.url}/api/v1/app`);
      console.log('More tokens: stop Hookyard, then run  npx hookyard token create <name>\n');
    }
  }
  let worker: Worker | undefined;
  if (config.role === 'worker' || config.role === 'all') {
    worker = hookyard.startWorker(workerOptionsFromConfig(config), log.child({ role: 'worker' }));
  }
  return {
    api,
    hookyard,
    async stop() {
      // All three drain at once, each within the grace time; the database closes last.
      await Promise.all([api?.close(config.shutdownGraceMs), worker?.stop(config.shutdownGraceMs), cleaner.stop()]);
      await hookyard.close();
    },
  };
}

/** `hookyard serve`: runs until SIGTERM or SIGINT, then shuts down gracefully. */
export async function serve(config: Config, version: string): Promise<void> {
  const log = createLogger(config.logLevel);
  const running = await serveStart(config, version, log);
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
  // A second signal means "now".
  const force = () => process.exit(1);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  await running.stop();
  log.info('stopped');
}
