#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { configHelp, configLoad } from '../config/load.js';
import type { Config } from '../config/config.js';
import { HookyardError } from '../errors.js';
import { openHookyard, type HookyardOptions } from '../hookyard.js';
import { createLogger } from '../log.js';
import { migrate } from '../store/migrate.js';
import { openStorage } from '../store/open.js';

const USAGE = `hookyard — self-hosted webhooks

Usage: hookyard <command> [options]

Commands:
  serve      run Hookyard (embedded PGlite in --data-dir, or PostgreSQL with DATABASE_URL)
  migrate    apply database migrations and exit
  version    print the version

Options (flags override environment variables):
${configHelp()}`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Options for openHookyard that the configuration implies. */
export function hookyardOptions(config: Config): HookyardOptions {
  return {
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir }),
    ...(config.secretKey ? { secretKey: config.secretKey } : {}),
    poolSize: config.poolSize,
    maxPayloadBytes: config.maxPayloadBytes,
  };
}

async function serve(config: Config): Promise<void> {
  const log = createLogger(config.logLevel);
  const hookyard = await openHookyard(hookyardOptions(config));
  log.info({ storage: hookyard.storage.kind, dataDir: config.databaseUrl ? undefined : config.dataDir }, 'hookyard started');
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await hookyard.close();
  log.info('stopped');
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (command === 'version' || command === '--version') {
    console.log(version());
    return 0;
  }
  const { config, help } = configLoad(rest);
  if (help) {
    console.log(USAGE);
    return 0;
  }
  switch (command) {
    case 'serve':
      await serve(config);
      return 0;
    case 'migrate': {
      const storage = await openStorage(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
      try {
        const result = await migrate(storage);
        console.log(result.applied.length ? `applied ${result.applied.join(', ')}` : `up to date (migration ${result.version})`);
      } finally {
        await storage.close();
      }
      return 0;
    }
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Known errors get their message; anything else its stack, for a bug report.
    console.error(error instanceof HookyardError ? `hookyard: ${error.message}` : error);
    process.exit(1);
  },
);
