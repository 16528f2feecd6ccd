/**
 * The conditions and sort of a resource query as JavaScript: the definition the memory store runs
 * and the contract tests hold the SQL stores to (what each operator means is written in ../query).
 */
import type { LinkRecord, ResourceRecord } from '../records';
import type { FieldPath, QueryValue, ResourceCondition, SortKey } from '../query';
import { compareText } from './compare-text';

/** What a path reaches where it reaches nothing. */
export const MISSING: unique symbol = Symbol('missing');

/** The value at a field of a resource, or MISSING. */
export function valueAt(resource: ResourceRecord, field: FieldPath): unknown {
  if ('aps' in field) return resource[field.aps];
  let value: unknown = resource.properties;
  for (const segment of field.property) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return MISSING;
    if (!Object.prototype.hasOwnProperty.call(value, segment)) return MISSING;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

type Scalar = 'number' | 'string' | 'boolean';

/** The JSON type of a value a condition can compare, or undefined (missing, null, structure, array). */
function scalarKind(value: unknown): Scalar | undefined {
  const t = typeof value;
  return t === 'number' || t === 'string' || t === 'boolean' ? t : undefined;
}

const isNullish = (value: unknown): boolean => value === MISSING || value === null;

function equals(value: unknown, wanted: QueryValue): boolean {
  if (wanted === null) return isNullish(value);
  return scalarKind(value) === scalarKind(wanted) && value === wanted;
}

/** Two scalars of one kind, ordered. */
function compareScalars(a: number | string | boolean, b: number | string | boolean): number {
  if (typeof a === 'string') return compareText(a, b as string);
  if (typeof a === 'boolean') return Number(a) - Number(b as boolean);
  return a < (b as number) ? -1 : a > (b as number) ? 1 : 0;
}

/** A like pattern as its parts: the wildcards `*` and `?`, and literal characters (code points). */
export type LikeToken = { readonly wildcard: '*' | '?' } | { readonly literal: string };

/** Reads a like pattern (see the condition in ../query); a trailing lone backslash is itself. */
export function likeTokens(pattern: string, escaped = false): LikeToken[] {
  const tokens: LikeToken[] = [];
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (escaped && ch === '\\' && i + 1 < chars.length) tokens.push({ literal: chars[++i] });
    else if (ch === '*' || ch === '?') tokens.push({ wildcard: ch });
    else tokens.push({ literal: ch });
  }
  return tokens;
}

/** A like pattern as an anchored regular expression over code points. */
export function likeRegExp(pattern: string, escaped = false): RegExp {
  let source = '';
  for (const t of likeTokens(pattern, escaped)) {
    if ('wildcard' in t) source += t.wildcard === '*' ? '.*' : '.';
    else source += t.literal.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'su');
}

/** How the memory evaluator finds links (a store keeps them as it likes). */
export interface LinkLookup {
  /** Whether a link joins `a` and `b`, either way, through any relation. */
  joins(a: string, b: string): boolean;
  /** Whether `from` links to `to` through `relation`. */
  has(from: string, relation: string, to: string): boolean;
}

/** A LinkLookup over a list of links. */
export function linkLookupOf(links: readonly LinkRecord[]): LinkLookup {
  const key = (from: string, relation: string, to: string) => JSON.stringify([from, relation, to]);
  const stored = new Set(links.map((l) => key(l.from, l.relation, l.to)));
  const pairs = new Set(links.flatMap((l) => [JSON.stringify([l.from, l.to]), JSON.stringify([l.to, l.from])]));
  return {
    joins: (a, b) => pairs.has(JSON.stringify([a, b])),
    has: (from, relation, to) => stored.has(key(from, relation, to)),
  };
}

/** Whether a resource meets a condition. */
export function matchesCondition(resource: ResourceRecord, condition: ResourceCondition, links: LinkLookup): boolean {
  switch (condition.op) {
    case 'and':
      return condition.of.every((c) => matchesCondition(resource, c, links));
    case 'or':
      return condition.of.some((c) => matchesCondition(resource, c, links));
    case 'not':
      return !matchesCondition(resource, condition.of, links);
    case 'eq':
      return equals(valueAt(resource, condition.field), condition.value);
    case 'ne':
      return !equals(valueAt(resource, condition.field), condition.value);
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      const value = valueAt(resource, condition.field);
      const wanted = condition.value;
      if (wanted === null || scalarKind(value) === undefined || scalarKind(value) !== scalarKind(wanted)) return false;
      const c = compareScalars(value as number | string | boolean, wanted);
      return condition.op === 'lt' ? c < 0 : condition.op === 'le' ? c <= 0 : condition.op === 'gt' ? c > 0 : c >= 0;
    }
    case 'like': {
      const value = valueAt(resource, condition.field);
      return typeof value === 'string' && likeRegExp(condition.pattern, condition.escaped).test(value);
    }
    case 'in':
    case 'out': {
      const value = valueAt(resource, condition.field);
      const found = condition.values.some((v) => equals(value, v));
      return condition.op === 'in' ? found : !found;
    }
    case 'typeIn':
      return condition.types.includes(resource.type);
    case 'linkedWith':
      return links.joins(resource.id, condition.id);
    case 'linkedFrom':
      return links.has(condition.from, condition.relation, resource.id);
  }
}

/**
 * Where a value sorts among values of other kinds: missing and null first, then (an order of this
 * store's choosing, see ../query) booleans, numbers, strings, structures and arrays.
 */
function sortRank(value: unknown): number {
  if (isNullish(value)) return 0;
  const kind = scalarKind(value);
  return kind === 'boolean' ? 1 : kind === 'number' ? 2 : kind === 'string' ? 3 : 4;
}

function compareValues(a: unknown, b: unknown): number {
  const ra = sortRank(a);
  const rb = sortRank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return 0;
  if (ra === 4) return compareText(JSON.stringify(a), JSON.stringify(b));
  return compareScalars(a as number | string | boolean, b as number | string | boolean);
}

/**
 * How two resources compare under the sort keys (0 when they tie on every key): a stable sort of
 * resources in creation order with it gives the query's order (in reverse creation order when the
 * last key descends: see `sortedForQuery`).
 */
export function compareForSort(a: ResourceRecord, b: ResourceRecord, keys: readonly SortKey[]): number {
  for (const key of keys) {
    const c = compareValues(valueAt(a, key.field), valueAt(b, key.field));
    if (c !== 0) return key.descending ? -c : c;
  }
  return 0;
}

/**
 * Resources (given in creation order) in a query's order: ties keep creation order, reversed when
 * the last key descends, as the SQL stores' indexes give it.
 */
export function sortedForQuery(resources: readonly ResourceRecord[], keys: readonly SortKey[]): ResourceRecord[] {
  const list = [...resources];
  if (keys.length === 0) return list;
  if (keys[keys.length - 1].descending) list.reverse();
  return list.sort((a, b) => compareForSort(a, b, keys));
}
