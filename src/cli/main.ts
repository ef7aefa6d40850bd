#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { configHelp, configLoad } from '../config/load.js';
import { HookyardError } from '../errors.js';
import { migrate } from '../store/migrate.js';
import { storageOpen } from './open.js';
import { secretKeyCommand } from './secret-key.js';
import { serve } from './serve.js';
import { tokenCommand } from './token.js';

const USAGE = `hookyard — self-hosted webhooks

Usage: hookyard <command> [options]

Commands:
  serve                    run the API and the delivery workers (--role api|worker|all);
                           embedded PGlite in --data-dir, or PostgreSQL with DATABASE_URL
  migrate                  apply database migrations and exit
  token create [name]      create an API token and print it (once); --admin for one that may
                           also manage tokens. Works while serve runs (through its API)
  token list               list tokens (id, display prefix, name, scope, revoked)
  token revoke <selector>  revoke a token by id, display prefix, name, or the token itself
  secret-key rotate        re-encrypt every stored secret under a new key
                           (HOOKYARD_NEW_SECRET_KEY; embedded mode makes one); stop Hookyard first
  version                  print the version

Options (flags override environment variables):
${configHelp()}`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

// Set once the configuration is read: --log-level debug shows the cause of a start-up error.
let debug = false;

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
  const switches = command === 'token' ? ['admin'] : command === 'secret-key' ? ['force'] : [];
  const { config, help, positionals, switches: on } = configLoad(rest, process.env, switches);
  debug = config.logLevel === 'debug' || config.logLevel === 'trace';
  if (help) {
    console.log(USAGE);
    return 0;
  }
  switch (command) {
    case 'serve':
      await serve(config, version());
      return 0;
    case 'token':
      return tokenCommand(config, positionals, { admin: on.admin === true });
    case 'secret-key':
      return secretKeyCommand(config, positionals, { force: on.force === true });
    case 'migrate': {
      const storage = await storageOpen(config);
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
    if (error instanceof HookyardError) {
      // A mistake to fix: one line; its cause (a driver's error, a stack) only at debug level.
      console.error(`hookyard: ${error.message}`);
      if (debug && error.cause !== undefined) console.error(inspect(error.cause, { depth: 4 }));
    } else {
      // Anything else is a bug: its stack, for a report.
      console.error('hookyard: unexpected error; please report it with what follows');
      console.error(error);
    }
    process.exit(1);
  },
);
