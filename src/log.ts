import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Anything that could carry a secret is redacted by
 * path, as a second line of defence: the code does not log secrets at all.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'hookyard' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['secret', 'key', 'token', 'authorization', '*.secret', '*.key', '*.token', '*.authorization', 'headers.authorization', 'req.headers.authorization', 'databaseUrl', 'config.databaseUrl', 'listenDatabaseUrl', 'config.listenDatabaseUrl', 'config.secretKey', 'config.newSecretKey'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
