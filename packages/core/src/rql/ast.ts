/**
 * The parsed form of an RQL query, as APS writes it (docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql/):
 * conditions, and the page (`limit`), order (`sort`) and links (`select`) a list asks for. Nothing
 * here knows a type model: a value keeps its text, and the controller types it from the property's
 * schema (a string property can take "10"). Positions are offsets (from 0) into the query text as it
 * was received, before any percent-decoding; a hand-built tree may leave them out.
 */

export type RqlComparison = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

/** A property path: `quotaMb`, `limits.diskMb` (into a structure), `aps.id`. */
export interface RqlProperty {
  readonly path: readonly string[];
  readonly position?: number;
}

/** The values written as functions: `null()`, `true()`, `false()`, `empty()` (the empty string). */
export type RqlSpecial = 'null' | 'true' | 'false' | 'empty';

export interface RqlValue {
  /** The value's text, percent-decoded ('' for `null()` and `empty()`). */
  readonly text: string;
  /**
   * What the text reads as on its own: a number (`10`, `-2.5`), `true`/`false`, null (`null`,
   * `null()`), or else the text. A reader that knows the property's type should type `text` instead.
   */
  readonly value: string | number | boolean | null;
  /** Set when the value was written as `null()`, `true()`, `false()` or `empty()`. */
  readonly special?: RqlSpecial;
  readonly position?: number;
}

/** A piece of a `like()` pattern: literal text, or a wildcard (`*` any run, `?` one character). */
export type RqlLikePart = string | { readonly wildcard: '*' | '?' };

export type RqlCondition =
  | { readonly op: 'and' | 'or'; readonly of: readonly RqlCondition[]; readonly position?: number }
  | { readonly op: 'not'; readonly of: RqlCondition; readonly position?: number }
  | {
      readonly op: RqlComparison;
      readonly property: RqlProperty;
      readonly value: RqlValue;
      readonly position?: number;
    }
  | {
      readonly op: 'like';
      readonly property: RqlProperty;
      /** `*` and `?` written as such are wildcards; written `%2A` and `%3F`, literal characters. */
      readonly pattern: readonly RqlLikePart[];
      readonly position?: number;
    }
  | {
      readonly op: 'in' | 'out';
      readonly property: RqlProperty;
      readonly values: readonly RqlValue[];
      readonly position?: number;
    }
  /** `implementing(T)`: of type T or a type that implements it; `composing(T)`: a type T implements. */
  | { readonly op: 'implementing' | 'composing'; readonly type: string; readonly position?: number }
  /** `linkedWith(id)`: linked with that resource. */
  | { readonly op: 'linkedWith'; readonly id: string; readonly position?: number };

export interface RqlSortKey {
  readonly property: RqlProperty;
  readonly descending: boolean;
}

export interface RqlLimit {
  readonly start: number;
  /** How many; `limit(start)` alone means 1000, as the spec says. */
  readonly count: number;
  readonly position?: number;
}

/** A whole query: what to find, and how the list is paged, ordered and shown. */
export interface RqlQuery {
  readonly where?: RqlCondition;
  readonly limit?: RqlLimit;
  readonly sort?: readonly RqlSortKey[];
  readonly sortPosition?: number;
  /** `select(rel,…)`: the relations whose links list items show. */
  readonly select?: readonly RqlProperty[];
  readonly selectPosition?: number;
}

/** `limit(start)` without a count: the spec's default. */
export const RQL_DEFAULT_LIMIT = 1000;
