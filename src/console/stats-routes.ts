import { z } from 'zod';
import { tokenList } from '../auth/token.js';
import { endpointDisabledSummary, endpointTroubleList } from '../endpoint/sql.js';
import { validationError } from '../errors.js';
import { OPERATIONAL_APP_ID } from '../operational/model.js';
import type { Queryable } from '../store/port.js';
import { iso, queryDate, timestamp } from '../api/common.js';
import { route, type Route } from '../api/route.js';
import { rollupHistogramRead, rollupRead } from './rollup-sql.js';
import type { Rollups } from './rollups.js';
import { statsBuild, statsStepMs } from './stats.js';

const DAY = 86_400_000;
const isoOrNull = (d: Date | null) => (d ? iso(d) : null);
const MAX_RANGE = 31 * DAY;

const series = z.array(z.number());
const outcomes = <T extends z.ZodType>(t: T) => z.object({ succeeded: t, retrying: t, failed: t });

export const statsOutSchema = z.object({
  since: timestamp,
  until: timestamp,
  stepSeconds: z.number().describe('Each entry of a series covers this many seconds, starting at the matching `time`'),
  time: z.array(timestamp),
  series: z.object({
    messagesPublished: series,
    deliveries: outcomes(series).describe('Attempts by outcome: succeeded, failed with a retry to come, failed for good'),
    latencyP50Ms: z.array(z.number().nullable()),
    latencyP99Ms: z.array(z.number().nullable()),
    failedAttempts: series.describe('Failed attempts, to any endpoint'),
    inbound: z.record(z.string(), series).describe('Inbound requests by outcome: accepted, duplicate, handshake, or the rejection reason (signature_invalid, rate_limited, unknown_key, …)'),
    apiRequests: series,
    apiErrors: series,
  }),
  totals: z.object({
    messagesPublished: z.number(),
    deliveries: outcomes(z.number()),
    successRate: z.number().nullable(),
    latencyP50Ms: z.number().nullable(),
    latencyP99Ms: z.number().nullable(),
    failingEndpoints: z.number().describe('Endpoints with a failed attempt in the range (counted by whole hours)'),
    inbound: z.record(z.string(), z.number()).describe('Inbound requests over the range, keyed as series.inbound'),
    apiRequests: z.number(),
    apiErrors: z.number(),
  }),
  tokens: z.array(z.object({ id: z.string(), name: z.string().nullable(), requests: z.number(), errors: z.number(), lastUsedAt: timestamp.nullable() })),
  endpoints: z.object({
    total: z.number(),
    disabled: z.number(),
    recentlyDisabled: z.array(z.object({ id: z.string(), appId: z.string(), reason: z.string().nullable(), updatedAt: timestamp })),
    troubled: z.array(z.object({
      id: z.string(),
      appId: z.string(),
      appName: z.string(),
      url: z.string(),
      disabled: z.boolean(),
      disabledReason: z.string().nullable(),
      disabledAt: timestamp.nullable(),
      failingSince: timestamp.nullable().describe('The first failed attempt since the last success'),
      consecutiveFailures: z.number().describe('Deliveries in a row that failed for good'),
      lastFailureAt: timestamp.nullable(),
    })).describe('Endpoints failing now (a failed attempt since their last success) or disabled, failing ones first, at most 50; operational endpoints left out'),
  }),
});

export function statsRoutes(db: Queryable, counters: Rollups, now: () => Date): Route[] {
  return [
    route({
      method: 'get', path: '/console/api/stats', operationId: 'console.stats.get', tag: 'Console',
      summary: "The dashboard's figures per minute (or coarser, at most 1,440 steps) from the rollups; default the last 24 hours (Hookyard extension)",
      query: z.object({ since: queryDate.optional(), until: queryDate.optional() }),
      status: 200,
      response: { name: 'ConsoleStatsOut', schema: statsOutSchema },
      handler: async ({ query }) => {
        const until = query.until ?? now();
        const since = query.since ?? new Date(until.getTime() - DAY);
        if (since >= until) throw validationError('must be before until', ['query', 'since']);
        if (until.getTime() - since.getTime() > MAX_RANGE) throw validationError('the range may cover 31 days at most', ['query', 'since']);
        // What this process has counted but not written yet shows too.
        await counters.flush();
        const stepMs = statsStepMs(since, until);
        const [rows, latency, tokens, endpoints, troubled] = await Promise.all([
          rollupRead(db, since, until, stepMs),
          rollupHistogramRead(db, 'delivery.latency', since, until, stepMs),
          tokenList(db),
          endpointDisabledSummary(db),
          // Now, not over the range: the endpoints an operator should look at.
          endpointTroubleList(db, OPERATIONAL_APP_ID),
        ]);
        const stats = statsBuild(rows, latency, { since, until, stepMs }, new Map(tokens.map((t) => [t.id, { name: t.name, lastUsedAt: t.lastUsedAt }])));
        return {
          ...stats,
          endpoints: {
            total: endpoints.total,
            disabled: endpoints.disabled,
            recentlyDisabled: endpoints.recent.map((e) => ({ ...e, updatedAt: iso(e.updatedAt) })),
            troubled: troubled.map((e) => ({ ...e, disabledAt: isoOrNull(e.disabledAt), failingSince: isoOrNull(e.failingSince), lastFailureAt: isoOrNull(e.lastFailureAt) })),
          },
        };
      },
    }),
  ];
}
