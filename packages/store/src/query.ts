/**
 * What a resource query asks a store, once the controller has parsed the RQL and checked it against
 * the type model: conditions on stored fields with values already typed, a sort, and a page. A
 * store runs it where its data is (SQL for SQLite and PostgreSQL), never by loading every resource;
 * the memory store evaluates the same conditions in JavaScript with `matchesCondition`, and the
 * contract tests (`@apskit/store/testing`) hold every store to the same answers.
 *
 * What the conditions mean, in every store (the APS RQL page,
 * docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql, leaves these open; these are our choices):
 * - A value is *missing* where the path does not reach one (no such property, or a step of the path
 *   is not a structure). Missing and `null` are alike: `eq(p, null)` matches both, and so does
 *   `in(p, (…, null))`.
 * - `ne(p, v)` is "is distinct from": it is exactly `not(eq(p, v))`, so it matches a missing or null
 *   value too (`ne(p, null)`: p has a value). `out` is `not(in)`. Two-valued logic throughout: `not`
 *   of any condition matches exactly what it does not.
 * - Values compare only with values of their own JSON type: a number never equals a string (`eq(n,
 *   "1")` does not match `n: 1`), and `lt/le/gt/ge` across types, or with a missing or null value, or
 *   with `null`, are false. Numbers compare as numbers, booleans `false < true`, strings by their
 *   UTF-8 bytes (code points), except on PostgreSQL, which orders strings (in `lt…` and `sort`) by
 *   the database's collation, as its jsonb does (byte order with a `C` collation). Structures and
 *   arrays equal nothing and compare with nothing.
 * - `like` matches strings only, the whole string, case-sensitively: `*` any run of characters, `?`
 *   one character (a code point), everything else itself. A missing or non-string value is no match.
 * - `and()` of nothing matches everything, `or()` of nothing nothing.
 * - `aps.id`, `aps.type`, `aps.status` are strings; `aps.revision` and `aps.modified` numbers (the
 *   modified time as epoch milliseconds: the controller turns a date in a query into that).
 * - Sorting: missing and null values come first ascending and last descending (as SQLite sorts
 *   NULL), equal to each other; values of different JSON types sort in an order each store chooses
 *   (a property has one type in its schema). Ties, under every key, keep creation order, so that
 *   pages are stable: oldest first, or newest first when the last sort key descends (then a
 *   descending sort reads its index backwards and stops after a page, however many tie).
 */

/** A scalar a condition compares with: typed by the controller from the property's schema. */
export type QueryValue = string | number | boolean | null;

/**
 * Where a value is: one of the resource's own `aps` fields, or a path into its properties (a
 * property, then fields of structures: `["limits", "diskMb"]`).
 */
export type FieldPath =
  { readonly aps: 'id' | 'type' | 'status' | 'revision' | 'modified' } | { readonly property: readonly string[] };

export type ComparisonOperator = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

export type ResourceCondition =
  | { readonly op: 'and' | 'or'; readonly of: readonly ResourceCondition[] }
  | { readonly op: 'not'; readonly of: ResourceCondition }
  | { readonly op: ComparisonOperator; readonly field: FieldPath; readonly value: QueryValue }
  /**
   * `*` any run of characters, `?` any one character; everything else literal. With `escaped`, a
   * backslash makes the character after it literal: `\\*` is a star, `\\\\` a backslash (what a
   * percent-encoded `*` or `?` in RQL's like() means).
   */
  | { readonly op: 'like'; readonly field: FieldPath; readonly pattern: string; readonly escaped?: boolean }
  | { readonly op: 'in' | 'out'; readonly field: FieldPath; readonly values: readonly QueryValue[] }
  /** The resource's type is one of these type IDs (`implementing(T)`, resolved by the controller; none: nothing). */
  | { readonly op: 'typeIn'; readonly types: readonly string[] }
  /** A link joins the resource and `id`, either way, through any relation (`linkedWith(id)`). */
  | { readonly op: 'linkedWith'; readonly id: string }
  /** `from` links to the resource through `relation` (the members of a relation). */
  | { readonly op: 'linkedFrom'; readonly from: string; readonly relation: string };

export interface SortKey {
  readonly field: FieldPath;
  readonly descending: boolean;
}
