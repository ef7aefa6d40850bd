import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../log.js';

/** A real logger whose JSON lines are kept in memory, for tests that check what was logged. */
export function logCapture(level = 'info'): { log: Logger; lines: Record<string, unknown>[]; text: () => string } {
  const lines: Record<string, unknown>[] = [];
  let raw = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw += chunk.toString();
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger(level, stream), lines, text: () => raw };
}
