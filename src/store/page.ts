/**
 * Svix-style cursor pagination over a time-sortable id column. `iterator` is
 * the last id of the previous page; an iterator starting with "-" walks
 * backwards from that id (this is what `prevIterator` holds).
 */
export type Ordering = 'ascending' | 'descending';

export interface PageQuery {
  limit?: number;
  iterator?: string | null;
  order?: Ordering;
}

export interface Page<T> {
  data: T[];
  iterator: string | null;
  prevIterator: string | null;
  done: boolean;
}

export const PAGE_LIMIT_MAX = 250;
export const PAGE_LIMIT_DEFAULT = 50;

export interface PagePlan {
  /** SQL fragment for the cursor condition, using parameter `$n`, or 'true'. */
  where: string;
  orderBy: string;
  /** Rows to fetch: one more than the limit, to learn whether more exist. */
  fetch: number;
  cursor: string | undefined;
  backwards: boolean;
  limit: number;
  order: Ordering;
}

/** Plans the cursor part of a list query. `column` is trusted code, never input. */
export function pagePlan(query: PageQuery, column: string, param: number, defaultOrder: Ordering = 'ascending'): PagePlan {
  const limit = Math.min(Math.max(query.limit ?? PAGE_LIMIT_DEFAULT, 1), PAGE_LIMIT_MAX);
  const order = query.order ?? defaultOrder;
  const backwards = query.iterator?.startsWith('-') ?? false;
  const cursor = query.iterator ? (backwards ? query.iterator.slice(1) : query.iterator) : undefined;
  // Walking backwards flips the comparison and the sort; pageFinish flips rows back.
  const ascending = (order === 'ascending') !== backwards;
  return {
    where: cursor === undefined ? 'true' : `${column} ${ascending ? '>' : '<'} $${param}`,
    orderBy: `${column} ${ascending ? 'asc' : 'desc'}`,
    fetch: limit + 1,
    cursor,
    backwards,
    limit,
    order,
  };
}

export function pageFinish<R, T>(plan: PagePlan, rows: R[], idOf: (row: R) => string, map: (row: R) => T): Page<T> {
  const more = rows.length > plan.limit;
  const kept = rows.slice(0, plan.limit);
  if (plan.backwards) kept.reverse();
  const first = kept[0];
  const last = kept.at(-1);
  return {
    data: kept.map(map),
    iterator: last ? idOf(last) : plan.backwards ? (plan.cursor ?? null) : null,
    prevIterator: first ? `-${idOf(first)}` : plan.cursor ? `-${plan.cursor}` : null,
    done: !more,
  };
}
