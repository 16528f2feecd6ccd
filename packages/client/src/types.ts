/**
 * What travels over the wire, typed from the app's own classes: a resource is its class's data
 * properties (methods left out) plus `aps`; a relation is set by naming the linked resource.
 */
import type { Class, ResourceStatus, TaskJson, TaskStatus } from '@apskit/core';

/** Resource (`aps.status`) and task statuses: core's protocol vocabulary, under the client's names. */
export type { ResourceStatus, TaskStatus };

/** The `aps` block the controller adds to every resource. */
export interface ApsMeta {
  readonly id: string;
  readonly type: string;
  readonly status: ResourceStatus;
  readonly revision: number;
  readonly modified: string;
}

/** A link to an existing resource, as a relation's value: `{ aps: { id } }`. */
export interface ResourceRef {
  readonly aps: { readonly id: string };
}

type AnyFunction = (...args: never[]) => unknown;

/** The keys of T that hold data rather than methods. */
export type DataKeys<T> = {
  [K in keyof T]-?: K extends string ? (NonNullable<T[K]> extends AnyFunction ? never : K) : never;
}[keyof T];

/** The keys of T that are methods: the candidates for custom operations. */
export type MethodKeys<T> = {
  [K in keyof T]-?: K extends string ? (NonNullable<T[K]> extends AnyFunction ? K : never) : never;
}[keyof T];

/** A value as JSON carries it: data only, all the way down (structures and linked types included). */
export type Wire<V> = V extends string | number | boolean | null | undefined
  ? V
  : V extends Date
    ? string
    : V extends ReadonlyArray<infer E>
      ? Wire<E>[]
      : V extends AnyFunction
        ? never
        : V extends object
          ? WireObject<V>
          : V;

/** An object's data properties as JSON carries them; optional stays optional. */
export type WireObject<T> = { [K in keyof T as K extends DataKeys<T> ? K : never]: Wire<T[K]> };

/**
 * What a create accepts: the class's data properties, required ones required; an object-valued
 * property (a relation) may instead name an existing resource with `{ aps: { id } }`.
 */
export type CreateInput<T> = {
  [K in keyof T as K extends DataKeys<T> ? K : never]: Linkable<T[K]>;
};

/** What an update accepts: any of the data properties. */
export type UpdateInput<T> = Partial<CreateInput<T>>;

type Linkable<V> = V extends string | number | boolean | null | undefined | Date
  ? Wire<V>
  : V extends ReadonlyArray<infer E>
    ? Linkable<E>[]
    : V extends object
      ? WireObject<V> | ResourceRef
      : Wire<V>;

/** A resource as the controller answers it: `aps`, then the properties. */
export type Resource<T> = { readonly aps: ApsMeta } & WireObject<T>;

/** The instance type of an APS type class. */
export type InstanceOf<C extends Class> = C extends Class<infer T> ? T : never;

/** A task as `GET /apskit/tasks/{id}` answers it: core's wire form of a task. */
export type Task = TaskJson;
