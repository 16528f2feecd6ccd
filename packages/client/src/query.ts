/**
 * A typed query builder that writes RQL, the query language of `GET /aps/2/resources`
 * (docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql/). Property paths are checked by TypeScript against
 * the class (`quotaMb`, `contact.email`, `aps.status`), values against the property's type; the
 * text it writes has every value percent-encoded where RQL reserves a character.
 *
 * A query is immutable: each call answers a new one. That is what lets `or`/`and`/`not` take
 * queries built from the same `q`: `q.or(q.eq('plan', 'pro'), q.gt('quotaMb', 1000))`.
 */
import type { DataKeys } from './types';
import { rqlValue, rqlLikePattern, rqlPath, type RqlScalar } from './rql-text';

type Primitive = string | number | boolean | bigint | symbol | null | undefined;
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

/** Whether V is a structure (an object that is neither an array nor a date): a path goes into it. */
type IsObject<V> = V extends Primitive | Date | ReadonlyArray<unknown> ? false : V extends object ? true : false;

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

/** The data properties of T whose value is an object or a list of objects: its relations among them. */
export type RelationKeys<T> = {
  [K in DataKeys<T>]: NonNullable<T[K]> extends ReadonlyArray<infer E>
    ? IsObject<E> extends true
      ? K
      : never
    : IsObject<NonNullable<T[K]>> extends true
      ? K
      : never;
}[DataKeys<T>];

/** A sub-query for `and`, `or` and `not`: a query, or a function that builds one from an empty one. */
export type SubQuery<T> = Query<T> | ((q: Query<T>) => Query<T>);

interface QueryParts {
  readonly conditions: readonly string[];
  readonly select: readonly string[];
  readonly sort: readonly string[];
  readonly limit?: string;
}

const EMPTY: QueryParts = { conditions: [], select: [], sort: [] };

/**
 * The conditions, selection, sort and page of a query on resources of type T. `toString()` is its
 * RQL, `&`-joined in the order: conditions, `select`, `sort`, `limit` (the type's `implementing()`
 * goes first; the resource client adds it).
 */
export class Query<T> {
  private constructor(private readonly parts: QueryParts) {}

  /** An empty query. */
  static create<T>(): Query<T> {
    return new Query<T>(EMPTY);
  }

  /** `eq(path,value)`: equal; `eq(path,null)`: not set. */
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
   * every other character is matched as it is (and encoded where RQL reserves it).
   */
  like(path: TextPath<T>, pattern: string): Query<T> {
    return this.where(`like(${rqlPath(path)},${rqlLikePattern(pattern)})`);
  }

  /** `in(path,(v1,v2,…))`: the value is one of these. */
  in<P extends QueryPath<T>>(path: P, values: ReadonlyArray<QueryValueOf<PathValue<T, P>>>): Query<T> {
    return this.where(`in(${rqlPath(path)},${list(values)})`);
  }

  /** `out(path,(v1,v2,…))`: the value is none of these. */
  out<P extends QueryPath<T>>(path: P, values: ReadonlyArray<QueryValueOf<PathValue<T, P>>>): Query<T> {
    return this.where(`out(${rqlPath(path)},${list(values)})`);
  }

  /** `and(…)`: every sub-query holds. Conditions chained on one query are already and-ed. */
  and(...queries: ReadonlyArray<SubQuery<T>>): Query<T> {
    return this.where(`and(${this.subConditions('and', queries).join(',')})`);
  }

  /** `or(…)`: at least one sub-query holds. */
  or(...queries: ReadonlyArray<SubQuery<T>>): Query<T> {
    return this.where(`or(${this.subConditions('or', queries).join(',')})`);
  }

  /** `not(…)`: the sub-query does not hold. */
  not(query: SubQuery<T>): Query<T> {
    return this.where(`not(${this.subConditions('not', [query]).join(',')})`);
  }

  /** `linkedWith(id)`: resources linked with that resource, through any relation, either way. */
  linkedWith(resource: string | { readonly aps: { readonly id: string } }): Query<T> {
    return this.where(`linkedWith(${rqlValue(typeof resource === 'string' ? resource : resource.aps.id)})`);
  }

  /** `select(rel,…)`: the resources come with the links of these relations (a list leaves links out). */
  select(...relations: ReadonlyArray<RelationKeys<T>>): Query<T> {
    return new Query<T>({ ...this.parts, select: [...this.parts.select, ...relations.map(rqlPath)] });
  }

  /** `sort(+a,-b)`: ascending by default, `-` for descending; later keys break ties of earlier ones. */
  sort(...keys: ReadonlyArray<SortKey<T>>): Query<T> {
    const written = keys.map((k) => {
      const descending = k.startsWith('-');
      const path = k.startsWith('-') || k.startsWith('+') ? k.slice(1) : k;
      return (descending ? '-' : '+') + rqlPath(path);
    });
    return new Query<T>({ ...this.parts, sort: [...this.parts.sort, ...written] });
  }

  /** `limit(start,count)`: `count` resources from position `start` (the controller's default count is 1000). */
  limit(start: number, count?: number): Query<T> {
    for (const [name, n] of [
      ['start', start],
      ['count', count ?? 0],
    ] as const)
      if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`limit: ${name} must be an integer ≥ 0, not ${n}`);
    return new Query<T>({ ...this.parts, limit: count === undefined ? `limit(${start})` : `limit(${start},${count})` });
  }

  /** The RQL text, `&`-joined: conditions, `select`, `sort`, `limit`. Empty for an empty query. */
  toString(): string {
    const { conditions, select, sort, limit } = this.parts;
    const terms = [...conditions];
    if (select.length > 0) terms.push(`select(${select.join(',')})`);
    if (sort.length > 0) terms.push(`sort(${sort.join(',')})`);
    if (limit !== undefined) terms.push(limit);
    return terms.join('&');
  }

  /** Whether the query has conditions only (no `select`, `sort` or `limit`): what a sub-query may have. */
  private get isConditionOnly(): boolean {
    return this.parts.select.length === 0 && this.parts.sort.length === 0 && this.parts.limit === undefined;
  }

  private compare(op: string, path: string, value: RqlScalar | Date | null): Query<T> {
    return this.where(`${op}(${rqlPath(path)},${rqlValue(value)})`);
  }

  private where(condition: string): Query<T> {
    return new Query<T>({ ...this.parts, conditions: [...this.parts.conditions, condition] });
  }

  /** Each sub-query's conditions as one term (several are and-ed). */
  private subConditions(op: string, queries: ReadonlyArray<SubQuery<T>>): string[] {
    if (queries.length === 0) throw new TypeError(`${op}() needs at least one condition`);
    return queries.map((sub) => {
      const q = typeof sub === 'function' ? sub(Query.create<T>()) : sub;
      if (!q.isConditionOnly)
        throw new TypeError(`${op}(): a sub-query has conditions only, not select, sort or limit`);
      const { conditions } = q.parts;
      if (conditions.length === 0) throw new TypeError(`${op}(): a sub-query has no condition`);
      return conditions.length === 1 ? (conditions[0] as string) : `and(${conditions.join(',')})`;
    });
  }
}

function list(values: ReadonlyArray<RqlScalar | Date | null>): string {
  if (values.length === 0) throw new TypeError('in() and out() need at least one value');
  return `(${values.map(rqlValue).join(',')})`;
}
