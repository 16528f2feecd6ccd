/**
 * The page a list answers when a query may name one two ways: RQL's `limit(start,count)` and APS's
 * `Range: items=first-last` header. `limit()` wins when both are given: it is part of the query text
 * (what a client's query builder writes, what a link or a log line carries), while a Range header may
 * be a generic client's or a proxy's default. Either way the page size limits of ../api/paging apply.
 */
import type { RqlLimit } from '@apskit/core';
import { pageOfRange, type Page, type PageLimits } from '../api/paging';

export function listPage(limit: RqlLimit | undefined, range: string | undefined, limits: PageLimits): Page {
  if (!limit) return pageOfRange(range, limits);
  return { offset: limit.start, limit: Math.min(limit.count, limits.maxSize) };
}
