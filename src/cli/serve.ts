import { createApi } from '../api/app.js';
import { apiListen, type ApiServer } from '../api/server.js';
import { controlTokenGenerate } from '../auth/control-token.js';
import { tokenCount, tokenCreate } from '../auth/token.js';
import type { Config } from '../config/config.js';
import { apiOptionsFromConfig, cleanerOptionsFromConfig, consoleCleanupOptionsFromConfig, healthPassOptionsFromConfig, workerOptionsFromConfig } from '../config/options.js';
import type { Worker } from '../delivery/worker.js';
import type { Hookyard } from '../hookyard.js';
import { createLogger, type Logger } from '../log.js';
import { maintenanceStart } from '../maintenance/schedule.js';
import { folderLockAnnounce } from '../store/folder-lock.js';
import { hookyardOpen } from './open.js';
import { explained, listenErrorLine } from './startup-error.js';

export { hookyardOptions } from './open.js';

/**
 * Embedded mode has no other way in, so a start with no live token makes an
 * admin token and prints it (on stdout, never in a log line). It runs once the
 * API listens: a start that fails before then (a busy port) makes none, and
 * the next start makes it. PostgreSQL deployments make tokens deliberately,
 * with `hookyard token create`.
 */
async function firstToken(hookyard: Hookyard, log: Logger): Promise<string | undefined> {
  if ((await tokenCount(hookyard.storage)) > 0) return undefined;
  if (hookyard.storage.capabilities.embedded) return (await tokenCreate(hookyard.storage, 'admin', 'admin')).token;
  log.warn(`no API tokens yet: create one with \`${cliCommand()} token create <name> --admin\``);
  return undefined;
}

/**
 * How a user runs this CLI: `npx hookyard` where Hookyard is an installed package (its bin is
 * linked); in a clone of the repository, which links no bin of its own, `npm run hookyard --`.
 */
export function cliCommand(moduleUrl: string = import.meta.url): string {
  return moduleUrl.includes('/node_modules/') ? 'npx hookyard' : 'npm run hookyard --';
}

/** The banner on stdout; the token appears once. */
function banner(version: string, url: string, token: string | undefined): string {
  const cli = cliCommand();
  const lines = [`\nHookyard ${version} is listening on ${url}`, `  console: ${url}/   API reference: ${url}/docs`];
  if (token) {
    lines.push(
      `\nAdmin API token, shown only this once; keep it safe (it signs you in to the console too):\n\n  ${token}\n`,
      `Try it:  export HOOKYARD_TOKEN=<the token above>`,
      `         curl -H "Authorization: Bearer $HOOKYARD_TOKEN" ${url}/api/v1/app`,
      `More tokens, while this runs:  ${cli} token create <name> [--admin]\n`,
    );
  } else {
    lines.push(`  a token for the console or the API: ${cli} token create <name> [--admin]\n`);
  }
  return lines.join('\n');
}

/** Where the CLI reaches this server: a wildcard address is reached on loopback. */
function controlUrl(url: string): string {
  return url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
}

export interface Running {
  api?: ApiServer | undefined;
  hookyard: Hookyard;
  stop(): Promise<void>;
}

/** Starts the roles the configuration asks for; `stop` drains them within the grace time. */
export async function serveStart(config: Config, version: string, log: Logger = createLogger(config.logLevel)): Promise<Running> {
  const hookyard = await hookyardOpen(config, { log });
  let api: ApiServer | undefined;
  let worker: Worker | undefined;
  // Every process runs the maintenance tasks, whatever its role: the retention cleaner, the endpoint health pass
  // (disabling endpoints that keep failing), the console cleanup and the resumption of background tasks a stopped
  // process left running, each soon after start and then on its cadence.
  const maintenance = maintenanceStart(
    { storage: hookyard.storage, now: () => new Date() },
    { cleaner: cleanerOptionsFromConfig(config), health: healthPassOptionsFromConfig(config), console: consoleCleanupOptionsFromConfig(config), tasks: hookyard.tasks },
    log,
  );
  try {
    if (config.role === 'api' || config.role === 'all') {
      // Embedded: the CLI manages tokens through this process (see auth/control-token.ts).
      const folder = config.databaseUrl ? undefined : config.dataDir;
      const controlToken = folder ? controlTokenGenerate() : undefined;
      const created = createApi(hookyard, { log, version, ...apiOptionsFromConfig(config), ...(controlToken ? { controlToken } : {}) });
      api = await apiListen(created, { host: config.host, port: config.port }).catch((error: unknown) => {
        throw explained(error, listenErrorLine(error, config));
      });
      if (folder && controlToken) await folderLockAnnounce(folder, { url: controlUrl(api.url), token: controlToken });
      log.info({ url: api.url, storage: hookyard.storage.kind, role: config.role }, 'api listening');
      console.log(banner(version, api.url, await firstToken(hookyard, log)));
    }
    if (config.role === 'worker' || config.role === 'all') {
      worker = hookyard.startWorker(workerOptionsFromConfig(config), log.child({ role: 'worker' }));
    }
  } catch (error) {
    await maintenance.stop();
    await api?.close(0);
    await hookyard.close();
    throw error;
  }
  return {
    api,
    hookyard,
    async stop() {
      // All three drain at once, each within the grace time; the database closes last.
      await Promise.all([api?.close(config.shutdownGraceMs), worker?.stop(config.shutdownGraceMs), maintenance.stop()]);
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
