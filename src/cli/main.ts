#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { configHelp, configLoad } from '../config/load.js';
import { HookyardError } from '../errors.js';
import { migrate } from '../store/migrate.js';
import { openStorage } from '../store/open.js';
import { serve } from './serve.js';
import { tokenCommand } from './token.js';

const USAGE = `hookyard — self-hosted webhooks

Usage: hookyard <command> [options]

Commands:
  serve                    run the API and the delivery workers (--role api|worker|all);
                           embedded PGlite in --data-dir, or PostgreSQL with DATABASE_URL
  migrate                  apply database migrations and exit
  token create [name]      create an API token and print it (once)
  token list               list tokens (id, display prefix, name, revoked)
  token revoke <id|prefix> revoke a token
  version                  print the version

Options (flags override environment variables):
${configHelp()}`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
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
  const { config, help, positionals } = configLoad(rest);
  if (help) {
    console.log(USAGE);
    return 0;
  }
  switch (command) {
    case 'serve':
      await serve(config, version());
      return 0;
    case 'token':
      return tokenCommand(config, positionals);
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
