import { parseArgs } from 'node:util';
import { configParse, settingsFromEnv, SETTINGS, type Config, type RawSettings, type SettingName } from './config.js';
import { HookyardError } from '../errors.js';

/**
 * Loads the configuration once: defaults, then environment, then flags.
 * Returns the command's remaining positional arguments too, and the values of
 * `switches`: a command's own boolean flags (`token create --admin`), which are not settings.
 */
export function configLoad(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  switches: string[] = [],
): { config: Config; positionals: string[]; help: boolean; switches: Record<string, boolean> } {
  const options = Object.fromEntries(Object.values(SETTINGS).map((s) => [s.flag, { type: 'string' as const }]));
  const own = Object.fromEntries(switches.map((name) => [name, { type: 'boolean' as const }]));
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, ...own, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new HookyardError('config', `${argsErrorLine(cause as Error & { code?: string })}; see --help`, { cause });
  }
  const fromFlags: RawSettings = {};
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const value = parsed.values[s.flag];
    if (typeof value === 'string') fromFlags[name] = value;
  }
  const config = configParse({ ...settingsFromEnv(env), ...fromFlags });
  const given = Object.fromEntries(switches.map((name) => [name, parsed.values[name] === true]));
  return { config, positionals: parsed.positionals, help: parsed.values.help === true, switches: given };
}

/** parseArgs's errors in one short line: its unknown-option text runs on about positionals. */
function argsErrorLine(error: Error & { code?: string }): string {
  const option = /'([^']+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`;
  return error.message;
}

/** The settings table for `--help`. */
export function configHelp(): string {
  const width = Math.max(...Object.values(SETTINGS).map((s) => s.flag.length + s.env.length));
  return Object.values(SETTINGS)
    .map((s) => `  --${s.flag}, ${s.env}${' '.repeat(width - s.flag.length - s.env.length + 2)}${s.help}`)
    .join('\n');
}
