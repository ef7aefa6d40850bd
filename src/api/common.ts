import { z } from 'zod';
import { rateLimitSchema } from '../schema-parts.js';
import { PAGE_LIMIT_MAX, type Page } from '../store/page.js';
import { JsonBody } from './route.js';

/** Shapes every resource's routes share. */

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_LIMIT_MAX).optional(),
  iterator: z.string().max(512).optional(),
  order: z.enum(['ascending', 'descending']).optional(),
});

/** A `ListResponse*Out` written as JSON text, each item already JSON (a stored payload spliced in as it was sent). */
export function listText<T>(page: Page<T>, itemText: (item: T) => string): JsonBody {
  const tail = JSON.stringify({ iterator: page.iterator, prevIterator: page.prevIterator, done: page.done });
  return new JsonBody(`{"data":[${page.data.map(itemText).join(',')}],${tail.slice(1)}`);
}

/** Svix's `ListResponse*Out`. */
export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), iterator: z.string().nullable(), prevIterator: z.string().nullable(), done: z.boolean() });

/** Timestamps travel as ISO 8601 text. */
export const timestamp = z.iso.datetime();

export const iso = (d: Date) => d.toISOString();

/** Query booleans: `true`/`false` as Svix's SDK writes them. */
export const queryBool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const queryDate = z.iso.datetime({ offset: true }).transform((v) => new Date(v));

/** Comma-separated lists, as the SDK sends arrays in a query. */
export const queryList = z.string().transform((v) => v.split(',').filter(Boolean));

export const errorSchema = z.object({ code: z.string(), detail: z.string() });
export const validationErrorSchema = z.object({
  detail: z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() })),
});

/** Svix's newer name for `rateLimit`; the SDK sends it when a caller sets it. */
export const throttleRateField = { throttleRate: rateLimitSchema.nullish() };

/** Folds `throttleRate` into `rateLimit` (an explicit `rateLimit` wins). */
export function throttleRateFold<T extends { throttleRate?: number | null | undefined; rateLimit?: number | null | undefined }>(body: T): Omit<T, 'throttleRate'> {
  const { throttleRate, ...rest } = body;
  return throttleRate !== undefined && rest.rateLimit === undefined ? { ...rest, rateLimit: throttleRate } : rest;
}
