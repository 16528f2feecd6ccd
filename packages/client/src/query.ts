/**
 * A typed query builder that writes RQL, the query language of `GET /aps/2/resources`
 * (docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql/). Property paths are checked by TypeScript against
 * the class (`quotaMb`, `contact.email`, `aps.status`), values against the property's type. It
 * builds core's parsed form of a query (`RqlQuery`) and writes it with core's `formatRql`, the
 * writer the controller's parser is tested against, so every value is percent-encoded as the
 * parser reads it back (the spec's reserved characters, and `*`/`?` outside `like()`).
 *
 * A query is immutable: each call answers a new one. That is what lets `or`/`and`/`not` take
 * queries built from the same `q`: `q.or(q.eq('plan', 'pro'), q.gt('quotaMb', 1000))`.
 */
import {
  formatRql,
  RQL_DEFAULT_LIMIT,
  rqlValue,
  type RqlComparison,
  type RqlCondition,
  type RqlLikePart,
  type RqlLimit,
  type RqlProperty,
  type RqlQuery,
  type RqlSortKey,
} from '@apskit/core';
import type { DataKeys, IsObject, RelationKeys } from './types';

/** The scalars a query compares with. */
export type RqlScalar = string | number | boolean;

/** Depth of structure paths the types follow (`a.b.c.d` at most): deep enough, cheap to check. */
type Depth = [never, 0, 1, 2, 3];

/** The `aps` fields a query may name, and what they hold. */
export interface ApsQueryFields {
  readonly 'aps.id': string;
  readonly 'aps.type': string;
  readonly 'aps.status': string;
  readonly 'aps.revision': number;
  readonly 'aps.modified': string | Date;
}

type PathsOf<T, D extends number> = [D] extends [never]
  ? never
  : {
      [K in DataKeys<T>]:
        K | (IsObject<NonNullable<T[K]>> extends true ? `${K}.${PathsOf<NonNullable<T[K]>, Depth[D]>}` : never);
    }[DataKeys<T>];

/** A property path of T a query may name: a property, a field of a structure, or an `aps` field. */
export type QueryPath<T> = PathsOf<T, 4> | keyof ApsQueryFields;

/** The type of the value at a path. */
export type PathValue<T, P extends string> = P extends keyof ApsQueryFields
  ? ApsQueryFields[P]
  : P extends keyof T
    ? NonNullable<T[P]>
    : P extends `${infer K}.${infer Rest}`
      ? K extends keyof T
        ? PathValue<NonNullable<T[K]>, Rest>
        : never
      : never;

/** What a comparison takes for a value of type V: V's scalars, a date as a Date, and null ("not set"). */
export type QueryValueOf<V> = (V extends Date ? Date | string : V extends RqlScalar ? V : never) | null;

/** Paths whose value is a string: what `like` matches. */
export type TextPath<T> = { [P in QueryPath<T>]: PathValue<T, P> extends string ? P : never }[QueryPath<T>];

/** `sort` keys: a path, ascending unless it starts with `-` (`+` says ascending explicitly). */
export type SortKey<T> = QueryPath<T> | `+${QueryPath<T>}` | `-${QueryPath<T>}`;

/** A sub-query for `and`, `or` and `not`: a query, or a function that builds one from an empty one. */
export type SubQuery<T> = Query<T> | ((q: Query<T>) => Query<T>);

interface QueryParts {
  readonly conditions: readonly RqlCondition[];
  readonly select: readonly RqlProperty[];
  readonly sort: readonly RqlSortKey[];
  readonly limit?: RqlLimit;
}

const EMPTY: QueryParts = { conditions: [], select: [], sort: [] };

/**
 * The conditions, selection, sort and page of a query on resources of type T. `toString()` is its
 * RQL: the conditions `&`-joined, then `sort()`, `limit()` and `select()`. The resource client puts
 * the type's `implementing()` first.
 */
export class Query<T> {
  private constructor(private readonly parts: QueryParts) {}

  /** An empty query. */
  static create<T>(): Query<T> {
    return new Query<T>(EMPTY);
  }

  /** `eq(path,value)`: equal; `eq(path,null)` (written `null()`): not set. */
  eq<P extends QueryPath<T>>(path: P, value: QueryValueOf<PathValue<T, P>>): Query<T> {
    return this.compare('eq', path, value);
  }

  /** `ne(path,value)`: not equal; `ne(path,null)`: set. */
  ne<P extends QueryPath<T>>(path: P, value: QueryValueOf<PathValue<T, P>>): Query<T> {
    return this.compare('ne', path, value);
  }

  lt<P extends QueryPath<T>>(path: P, value: QueryValueOf<PathValue<T, P>>): Query<T> {
    return this.compare('lt', path, value);
  }

  le<P extends QueryPath<T>>(path: P, value: QueryValueOf<PathValue<T, P>>): Query<T> {
    return this.compare('le', path, value);
  }

  gt<P extends QueryPath<T>>(path: P, value: QueryValueOf<PathValue<T, P>>): Query<T> {
    return this.compare('gt', path, value);
  }

  ge<P extends QueryPath<T>>(path: P, value: QueryValueOf<PathValue<T, P>>): Query<T> {
    return this.compare('ge', path, value);
  }

  /**
   * `like(path,pattern)`: `*` in the pattern matches any run of characters, `?` any one character;
   * every other character is matched as it is (written percent-encoded where RQL reserves it).
   */
  like(path: TextPath<T>, pattern: string): Query<T> {
    const parts: RqlLikePart[] = pattern
      .split(/([*?])/)
      .filter((piece) => piece !== '')
      .map((piece) => (piece === '*' || piece === '?' ? { wildcard: piece } : piece));
    if (parts.length === 0) throw new TypeError('like() needs a pattern');
    return this.where({ op: 'like', property: propertyOf(path), pattern: parts });
  }

  /** `in(path,(v1,v2,…))`: the value is one of these. */
  in<P extends QueryPath<T>>(path: P, values: ReadonlyArray<QueryValueOf<PathValue<T, P>>>): Query<T> {
    return this.where({ op: 'in', property: propertyOf(path), values: valuesOf('in', values) });
  }

  /** `out(path,(v1,v2,…))`: the value is none of these. */
  out<P extends QueryPath<T>>(path: P, values: ReadonlyArray<QueryValueOf<PathValue<T, P>>>): Query<T> {
    return this.where({ op: 'out', property: propertyOf(path), values: valuesOf('out', values) });
  }

  /** `and(…)`: every sub-query holds. Conditions chained on one query are already and-ed. */
  and(...queries: ReadonlyArray<SubQuery<T>>): Query<T> {
    return this.where({ op: 'and', of: this.subConditions('and', queries) });
  }

  /** `or(…)`: at least one sub-query holds. */
  or(...queries: ReadonlyArray<SubQuery<T>>): Query<T> {
    return this.where({ op: 'or', of: this.subConditions('or', queries) });
  }

  /** `not(…)`: the sub-query does not hold. */
  not(query: SubQuery<T>): Query<T> {
    return this.where({ op: 'not', of: this.subConditions('not', [query])[0] as RqlCondition });
  }

  /** `linkedWith(id)`: resources linked with that resource, through any relation, either way. */
  linkedWith(resource: string | { readonly aps: { readonly id: string } }): Query<T> {
    const id = typeof resource === 'string' ? resource : resource.aps.id;
    if (id === '') throw new TypeError('linkedWith() needs a resource id');
    return this.where({ op: 'linkedWith', id });
  }

  /** `select(rel,…)`: the resources come with the links of these relations (a list leaves links out). */
  select(...relations: ReadonlyArray<RelationKeys<T>>): Query<T> {
    return new Query<T>({ ...this.parts, select: [...this.parts.select, ...relations.map(propertyOf)] });
  }

  /** `sort(+a,-b)`: ascending unless a key starts with `-`; later keys order what earlier ones tie. */
  sort(...keys: ReadonlyArray<SortKey<T>>): Query<T> {
    const more = keys.map((k): RqlSortKey => {
      const signed = k.startsWith('-') || k.startsWith('+');
      return { property: propertyOf(signed ? k.slice(1) : k), descending: k.startsWith('-') };
    });
    return new Query<T>({ ...this.parts, sort: [...this.parts.sort, ...more] });
  }

  /** `limit(start,count)`: `count` resources from position `start`; 1000 when `count` is left out, as the spec says. */
  limit(start: number, count: number = RQL_DEFAULT_LIMIT): Query<T> {
    for (const [name, n] of [
      ['start', start],
      ['count', count],
    ] as const)
      if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`limit(): ${name} must be an integer ≥ 0, not ${n}`);
    return new Query<T>({ ...this.parts, limit: { start, count } });
  }

  /** The query as core's parsed form, conditions and-ed after `first` (the type's `implementing()`, say). */
  toRql(...first: readonly RqlCondition[]): RqlQuery {
    const { conditions, select, sort, limit } = this.parts;
    const all = [...first, ...conditions];
    return {
      where: all.length === 0 ? undefined : all.length === 1 ? all[0] : { op: 'and', of: all },
      sort: sort.length > 0 ? sort : undefined,
      limit,
      select: select.length > 0 ? select : undefined,
    };
  }

  /** The RQL text (empty for an empty query). */
  toString(): string {
    return formatRql(this.toRql());
  }

  /** Whether the query has conditions only (no `select`, `sort` or `limit`): what a sub-query may have. */
  private get isConditionOnly(): boolean {
    return this.parts.select.length === 0 && this.parts.sort.length === 0 && this.parts.limit === undefined;
  }

  private compare(op: RqlComparison, path: string, value: RqlScalar | Date | null): Query<T> {
    return this.where({ op, property: propertyOf(path), value: valueOf(op, value) });
  }

  private where(condition: RqlCondition): Query<T> {
    return new Query<T>({ ...this.parts, conditions: [...this.parts.conditions, condition] });
  }

  /** Each sub-query's conditions as one condition (several are and-ed). */
  private subConditions(op: string, queries: ReadonlyArray<SubQuery<T>>): RqlCondition[] {
    if (queries.length === 0) throw new TypeError(`${op}() needs at least one condition`);
    return queries.map((sub) => {
      const q = typeof sub === 'function' ? sub(Query.create<T>()) : sub;
      if (!q.isConditionOnly)
        throw new TypeError(`${op}(): a sub-query has conditions only, not select, sort or limit`);
      const { conditions } = q.parts;
      if (conditions.length === 0) throw new TypeError(`${op}(): a sub-query has no condition`);
      return conditions.length === 1 ? (conditions[0] as RqlCondition) : { op: 'and', of: conditions };
    });
  }
}

function propertyOf(path: string): RqlProperty {
  const names = path.split('.');
  if (names.some((name) => name === '')) throw new TypeError(`"${path}" is not a property path (names joined by dots)`);
  return { path: names };
}

function valueOf(op: string, value: RqlScalar | Date | null): ReturnType<typeof rqlValue> {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`${op}(): RQL has no value ${value}`);
  if (value instanceof Date && Number.isNaN(value.getTime()))
    throw new RangeError(`${op}(): RQL has no value for an invalid Date`);
  return rqlValue(value);
}

function valuesOf(op: string, values: ReadonlyArray<RqlScalar | Date | null>): ReturnType<typeof rqlValue>[] {
  if (values.length === 0) throw new TypeError(`${op}() needs at least one value`);
  return values.map((v) => valueOf(op, v));
}
