/**
 * RQL on types (`GET /aps/2/types`, docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql/): an application
 * serves a handful of types, so the query runs in memory over their published schemas.
 * `implementing(T)` keeps T and the types that implement it (through `implements`, transitively;
 * every type implements the core resource type); `composing(T)` keeps T and the types it
 * implements; `eq`, `ne`, `in`, `out`, `like` and `sort` read `id` (also `aps.id`), `name` and
 * `apsVersion`; `and`, `or`, `not` combine them. The order is the schemas' own unless `sort()`
 * says otherwise. `select()` and `linkedWith()` ask for links, which types have not: a 400.
 */
import {
  CoreTypes,
  parseRql,
  RqlSyntaxError,
  type ApsSchema,
  type RqlCondition,
  type RqlLikePart,
  type RqlLimit,
  type RqlProperty,
} from '@apskit/core';

export interface TypeQueryResult {
  /** The schemas that match, in the order asked (all of them: the page is the caller's to cut). */
  readonly items: ApsSchema[];
  /** The page `limit()` asks for, if it does (see ./list-page for how it meets a Range header). */
  readonly limit?: RqlLimit;
}

type TypeField = 'id' | 'name' | 'apsVersion';

function fieldOf(property: RqlProperty): TypeField {
  const path = property.path.join('.');
  if (path === 'id' || path === 'aps.id') return 'id';
  if (path === 'name' || path === 'apsVersion') return path;
  throw new RqlSyntaxError(
    property.position ?? 0,
    `unknown property "${path}": a type query reads id (or aps.id), name and apsVersion`,
  );
}

function likeRegExp(parts: readonly RqlLikePart[]): RegExp {
  const body = parts
    .map((p) =>
      typeof p === 'string' ? p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : p.wildcard === '*' ? '[^]*' : '[^]',
    )
    .join('');
  return new RegExp(`^${body}$`, 'u');
}

/** The type IDs each type implements, itself included, followed through the schemas given. */
function ancestry(schemas: readonly ApsSchema[]): Map<string, Set<string>> {
  const byId = new Map(schemas.map((s) => [s.id, s]));
  const result = new Map<string, Set<string>>();
  for (const schema of schemas) {
    const seen = new Set<string>();
    const todo = [schema.id];
    for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
      if (seen.has(id)) continue;
      seen.add(id);
      todo.push(...(byId.get(id)?.implements ?? []));
    }
    seen.add(CoreTypes.resource);
    result.set(schema.id, seen);
  }
  return result;
}

/** The schemas an RQL query selects; a malformed query or one types cannot answer is a 400 with its position. */
export function queryTypes(schemas: readonly ApsSchema[], rql: string): TypeQueryResult {
  const query = parseRql(rql);
  if (query.select) throw new RqlSyntaxError(query.selectPosition ?? 0, 'select() asks for links, and types have none');
  const implemented = ancestry(schemas);
  const matches = (s: ApsSchema, c: RqlCondition): boolean => {
    switch (c.op) {
      case 'and':
        return c.of.every((x) => matches(s, x));
      case 'or':
        return c.of.some((x) => matches(s, x));
      case 'not':
        return !matches(s, c.of);
      case 'implementing':
        return implemented.get(s.id)?.has(c.type) ?? false;
      case 'composing':
        return implemented.get(c.type)?.has(s.id) ?? s.id === c.type;
      case 'linkedWith':
        throw new RqlSyntaxError(c.position ?? 0, 'linkedWith() asks for links, and types have none');
      case 'like':
        return likeRegExp(c.pattern).test(s[fieldOf(c.property)]);
      case 'in':
      case 'out': {
        const v = s[fieldOf(c.property)];
        return c.values.some((x) => x.text === v) === (c.op === 'in');
      }
      default: {
        const a = s[fieldOf(c.property)];
        const b = c.value.text;
        if (c.value.special === 'null') return c.op === 'ne';
        switch (c.op) {
          case 'eq':
            return a === b;
          case 'ne':
            return a !== b;
          case 'lt':
            return a < b;
          case 'le':
            return a <= b;
          case 'gt':
            return a > b;
          default:
            return a >= b;
        }
      }
    }
  };
  const where = query.where;
  // Checked once up front, so that an unknown property is a 400 even when no type is served.
  if (where) checkFields(where);
  const items = where ? schemas.filter((s) => matches(s, where)) : [...schemas];
  const keys = (query.sort ?? []).map((k) => ({ field: fieldOf(k.property), sign: k.descending ? -1 : 1 }));
  if (keys.length > 0) {
    items.sort((x, y) => {
      for (const { field, sign } of keys) {
        if (x[field] !== y[field]) return x[field] < y[field] ? -sign : sign;
      }
      return 0;
    });
  }
  return { items, ...(query.limit && { limit: query.limit }) };
}

function checkFields(c: RqlCondition): void {
  switch (c.op) {
    case 'and':
    case 'or':
      c.of.forEach(checkFields);
      return;
    case 'not':
      checkFields(c.of);
      return;
    case 'implementing':
    case 'composing':
      return;
    case 'linkedWith':
      throw new RqlSyntaxError(c.position ?? 0, 'linkedWith() asks for links, and types have none');
    default:
      fieldOf(c.property);
  }
}
