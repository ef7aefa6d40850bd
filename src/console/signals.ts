import type { Completion } from '../delivery/model.js';
import type { Rollups } from './rollups.js';

/**
 * What the core tells the console as work happens (wired by openHookyard):
 * messages created and delivery results written, turned into counters.
 */
export function consoleSignals(counters: Rollups) {
  return {
    onMessagesCreated(messages: { id: string; appId: string }[]): void {
      counters.add('message.published', '', messages.length);
    },
    onCompleted(batch: Completion[]): void {
      for (const c of batch) {
        const attempt = c.attempt;
        if (!attempt) continue;
        const outcome = attempt.succeeded ? 'succeeded' : c.state === 'pending' ? 'retrying' : 'failed';
        counters.add('delivery.attempt', outcome);
        counters.latency(attempt.durationMs);
        if (!attempt.succeeded) counters.add('endpoint.failed', attempt.endpointId);
      }
    },
  };
}
