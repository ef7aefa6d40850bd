import type { Config } from '../config/config.js';
import { hookyardOptionsFromConfig } from '../config/options.js';
import { openHookyard, type Hookyard, type HookyardOptions } from '../hookyard.js';
import { openStorage } from '../store/open.js';
import { openPostgres } from '../store/postgres.js';
import type { Storage } from '../store/port.js';
import { databaseErrorLine, dataDirErrorLine, explained } from './startup-error.js';

/** Options for openHookyard that the configuration implies. */
export const hookyardOptions = hookyardOptionsFromConfig;

/** Why opening failed, in one line naming the setting, when it is a mistake rather than a bug. */
export function openErrorExplained(error: unknown, config: Config): unknown {
  return explained(error, config.databaseUrl ? databaseErrorLine(error, config.databaseUrl) : dataDirErrorLine(error, config.dataDir));
}

/** openHookyard for the CLI's commands: start-up mistakes come back as one clear line. */
export async function hookyardOpen(config: Config, extra: Partial<HookyardOptions> = {}): Promise<Hookyard> {
  try {
    return await openHookyard({ ...hookyardOptions(config), ...extra });
  } catch (error) {
    throw openErrorExplained(error, config);
  }
}

/** The storage alone (migrate, secret-key rotate); on PostgreSQL under a session name of its own. */
export async function storageOpen(config: Config, applicationName = 'hookyard'): Promise<Storage> {
  try {
    if (config.databaseUrl) return await openPostgres({ connectionString: config.databaseUrl, max: 2, applicationName });
    return await openStorage({ dataDir: config.dataDir });
  } catch (error) {
    throw openErrorExplained(error, config);
  }
}
