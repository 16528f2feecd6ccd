/**
 * RQL text from a parsed (or hand-built) query, every value percent-encoded so that it reads back
 * as the same value (docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql/, "Reserved Characters"). The
 * client's query builder writes its queries with these.
 */
import type { RqlCondition, RqlLikePart, RqlProperty, RqlQuery, RqlValue } from './ast';

/**
 * Percent-encodes text for any place in an RQL query: everything but letters, digits and `-_.~` is
 * encoded, which covers the spec's reserved characters (`(`, `)`, `,`, `=`, `&`, …) and `*` and `?`,
 * which only `like()` reads as wildcards.
 */
export function encodeRqlText(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** A value as RQL writes it: `null()`, `empty()` for '', `true`/`false`, a number, a date in ISO 8601, encoded text. */
export function encodeRqlValue(value: string | number | boolean | null | Date): string {
  if (value === null) return 'null()';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError('RQL cannot write an invalid Date');
    return encodeRqlText(value.toISOString());
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`RQL has no way to write the number ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  return value === '' ? 'empty()' : encodeRqlText(value);
}

/** A value of the parsed form as a value (see RqlValue). */
export function rqlValue(value: string | number | boolean | null | Date): RqlValue {
  if (value === null) return { text: '', value: null, special: 'null' };
  if (value === '') return { text: '', value: '', special: 'empty' };
  if (value instanceof Date) return { text: value.toISOString(), value: value.toISOString() };
  return { text: String(value), value };
}

/** A property path: `limits.diskMb`. */
export function formatRqlProperty(property: RqlProperty | string): string {
  const path = typeof property === 'string' ? property.split('.') : property.path;
  return path.map(encodeRqlText).join('.');
}

function formatValue(v: RqlValue): string {
  if (v.special) return `${v.special}()`;
  return v.text === '' ? 'empty()' : encodeRqlText(v.text);
}

function formatPattern(parts: readonly RqlLikePart[]): string {
  return parts.map((p) => (typeof p === 'string' ? encodeRqlText(p) : p.wildcard)).join('');
}

/** One condition in function form: `eq(quotaMb,10)`, `or(…)`, `like(name,Jo*)`. */
export function formatRqlCondition(c: RqlCondition): string {
  switch (c.op) {
    case 'and':
    case 'or':
      return `${c.op}(${c.of.map(formatRqlCondition).join(',')})`;
    case 'not':
      return `not(${formatRqlCondition(c.of)})`;
    case 'like':
      return `like(${formatRqlProperty(c.property)},${formatPattern(c.pattern)})`;
    case 'in':
    case 'out':
      return `${c.op}(${formatRqlProperty(c.property)},(${c.values.map(formatValue).join(',')}))`;
    case 'implementing':
    case 'composing':
      return `${c.op}(${encodeRqlText(c.type)})`;
    case 'linkedWith':
      return `linkedWith(${encodeRqlText(c.id)})`;
    default:
      return `${c.op}(${formatRqlProperty(c.property)},${formatValue(c.value)})`;
  }
}

/**
 * A whole query: its conditions (a top-level `and` as its parts joined by `&`), then `sort()`,
 * `limit()` and `select()`.
 */
export function formatRql(query: RqlQuery): string {
  const parts: string[] = [];
  const w = query.where;
  if (w) parts.push(...(w.op === 'and' ? w.of : [w]).map(formatRqlCondition));
  if (query.sort && query.sort.length > 0)
    parts.push(`sort(${query.sort.map((k) => (k.descending ? '-' : '+') + formatRqlProperty(k.property)).join(',')})`);
  if (query.limit) parts.push(`limit(${query.limit.start},${query.limit.count})`);
  if (query.select && query.select.length > 0) parts.push(`select(${query.select.map(formatRqlProperty).join(',')})`);
  return parts.join('&');
}
