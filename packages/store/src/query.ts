/**
 * What a resource query asks a store, once the controller has parsed the RQL and checked it against
 * the type model: conditions on stored fields with values already typed, a sort, and a page. A
 * store runs it where its data is (SQL for SQLite and PostgreSQL), never by loading every resource;
 * the memory store evaluates the same conditions in JavaScript with `matchesCondition`, and the
 * contract tests (`@apskit/store/testing`) hold every store to the same answers.
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
  /** `*` any run of characters, `?` any one character; everything else literal. */
  | { readonly op: 'like'; readonly field: FieldPath; readonly pattern: string }
  | { readonly op: 'in' | 'out'; readonly field: FieldPath; readonly values: readonly QueryValue[] }
  /** The resource's type is one of these type IDs (`implementing(T)`, resolved by the controller). */
  | { readonly op: 'typeIn'; readonly types: readonly string[] }
  /** A link joins the resource and `id`, either way (`linkedWith(id)`). */
  | { readonly op: 'linkedWith'; readonly id: string }
  /** `from` links to the resource through `relation` (the members of a relation). */
  | { readonly op: 'linkedFrom'; readonly from: string; readonly relation: string };

export interface SortKey {
  readonly field: FieldPath;
  readonly descending: boolean;
}
