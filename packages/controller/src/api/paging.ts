/**
 * Paging of the API's lists (issue 15 #6): every list answers one page, never everything. A request
 * names its page with `Range: items=<first>-<last>` (APS's way; `/apskit/tasks` also takes
 * `?offset=&limit=`), or gets the default page; either way no page is longer than the maximum, nor
 * (past its first item) larger than the byte budget, and `Content-Range: items <first>-<last>/<total>`
 * says which part of the list it is.
 */
import type { Response } from 'express';
import { BadRequestError } from '@apskit/core';

/** APS's own default count of `limit(start,count)`: a client written for the platform expects it. */
export const DEFAULT_PAGE_SIZE = 1000;
export const MAX_PAGE_SIZE = 1000;
/** Past it, a page ends early: 8 concurrent reads of big resources stay within some 64 MB. */
export const DEFAULT_MAX_PAGE_BYTES = 8 * 1024 * 1024;

export interface PageLimits {
  readonly defaultSize: number;
  readonly maxSize: number;
  readonly maxBytes: number;
}

export interface PageLimitOptions {
  readonly pageSize?: { readonly default?: number; readonly max?: number };
  readonly maxPageBytes?: number;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1, not ${value}`);
  return n;
}

/** The limits from options, checked: a wrong one is a mistake of the caller, said at start. */
export function pageLimits(options: PageLimitOptions): PageLimits {
  const maxSize = positive('pageSize.max', options.pageSize?.max, MAX_PAGE_SIZE);
  const defaultSize = positive('pageSize.default', options.pageSize?.default, Math.min(DEFAULT_PAGE_SIZE, maxSize));
  if (defaultSize > maxSize)
    throw new Error(`pageSize.default (${defaultSize}) must not be larger than pageSize.max (${maxSize})`);
  return { defaultSize, maxSize, maxBytes: positive('maxPageBytes', options.maxPageBytes, DEFAULT_MAX_PAGE_BYTES) };
}

export interface Page {
  readonly offset: number;
  readonly limit: number;
}

/** Digits that make a safe integer: anything longer or larger is refused before it reaches a database. */
function safeIndex(text: string): number | undefined {
  if (!/^\d{1,16}$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The page a `Range` header asks for, shortened to the maximum; the default page without one. A
 * malformed range (another unit, not numbers, last before first, numbers past 2^53) is a 400 that
 * names the header.
 */
export function pageOfRange(header: string | undefined, limits: PageLimits): Page {
  if (header === undefined) return { offset: 0, limit: limits.defaultSize };
  const m = /^items=(\d+)-(\d+)$/.exec(header.trim());
  const first = m ? safeIndex(m[1] as string) : undefined;
  const last = m ? safeIndex(m[2] as string) : undefined;
  if (first === undefined || last === undefined || last < first) {
    throw new BadRequestError(
      `Invalid Range header "${header.slice(0, 100)}": expected items=<first>-<last>, two whole numbers ` +
        `from 0 to ${Number.MAX_SAFE_INTEGER} with first <= last`,
      [{ field: 'Range', message: 'is not items=<first>-<last>' }],
    );
  }
  return { offset: first, limit: Math.min(last - first + 1, limits.maxSize) };
}

/** `?offset=&limit=` when either is given (each a whole number; limit at least 1), else undefined. */
export function pageOfQuery(query: Record<string, unknown>, limits: PageLimits): Page | undefined {
  const { offset, limit } = query;
  if (offset === undefined && limit === undefined) return undefined;
  const o = offset === undefined ? 0 : typeof offset === 'string' ? safeIndex(offset) : undefined;
  if (o === undefined)
    throw new BadRequestError(`Invalid offset: expected a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`, [
      { field: 'offset', message: 'is not a whole number' },
    ]);
  const l = limit === undefined ? limits.defaultSize : typeof limit === 'string' ? safeIndex(limit) : undefined;
  if (l === undefined || l < 1)
    throw new BadRequestError(
      `Invalid limit: expected a whole number of at least 1 (at most ${limits.maxSize} apply)`,
      [{ field: 'limit', message: 'is not a whole number of at least 1' }],
    );
  return { offset: o, limit: Math.min(l, limits.maxSize) };
}

/** The first chunk read from the store; each next one doubles, so small items cost few queries. */
const FIRST_CHUNK = 10;

/**
 * Reads a page from the store in growing chunks, each item rendered to JSON as it comes, and stops
 * at the page's end, the list's end, or the byte budget: an item that would take the page past
 * `maxBytes` is left for the next page (unless it is the first), so the memory a page takes is the
 * budget and one chunk, whatever the list holds.
 */
export async function readPage<T>(
  page: Page,
  maxBytes: number,
  read: (offset: number, limit: number) => Promise<readonly T[]>,
  render: (item: T) => unknown,
): Promise<string[]> {
  const texts: string[] = [];
  let bytes = 2;
  let chunk = FIRST_CHUNK;
  while (texts.length < page.limit) {
    const want = Math.min(chunk, page.limit - texts.length);
    const items = await read(page.offset + texts.length, want);
    for (const item of items) {
      const text = JSON.stringify(render(item));
      const size = Buffer.byteLength(text) + 1;
      if (texts.length > 0 && bytes + size > maxBytes) return texts;
      texts.push(text);
      bytes += size;
    }
    if (items.length < want) break;
    chunk *= 2;
  }
  return texts;
}

/** Sends a page: its items (already JSON) as an array, with its Content-Range. */
export function sendPage(res: Response, offset: number, texts: readonly string[], total: number): void {
  res.setHeader(
    'Content-Range',
    texts.length > 0 ? `items ${offset}-${offset + texts.length - 1}/${total}` : `items */${total}`,
  );
  const body = `[${texts.join(',')}]`;
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
