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

/**
 * A singular relation's value in a resource read: `strong` when the relation is required, `weak`
 * otherwise (docs.cloudblue.com/cbc/sdk/20.5/api/rest/resources/structure).
 */
export interface SingularLink {
  readonly aps: { readonly link: 'strong' | 'weak'; readonly id: string; readonly href: string };
}

/** A collection relation's value in a resource read: its members are listed at `href`. */
export interface CollectionLink {
  readonly aps: { readonly link: 'collection'; readonly href: string };
}

/** What a relation holds in a resource read: a link, not the linked resource. */
export type RelationLink = SingularLink | CollectionLink;

/** One link of a resource, as `GET /aps/2/resources/{id}/aps/links` lists it: its relation, and where it goes. */
export interface LinkEntry<R extends string = string> {
  readonly relation: R;
  readonly aps: SingularLink['aps'];
}

type Primitive = string | number | boolean | bigint | symbol | null | undefined;
/** Whether V is an object that is neither an array nor a date: a structure, or a linked type. */
export type IsObject<V> = V extends Primitive | Date | ReadonlyArray<unknown> ? false : V extends object ? true : false;

/**
 * The data properties of T whose value is an object or a list of objects: the relations are among
 * them (TypeScript cannot tell a relation from a structure; the client checks against the class's
 * declarations when it runs).
 */
export type RelationKeys<T> = {
  [K in DataKeys<T>]: NonNullable<T[K]> extends ReadonlyArray<infer E>
    ? IsObject<E> extends true
      ? K
      : never
    : IsObject<NonNullable<T[K]>> extends true
      ? K
      : never;
}[DataKeys<T>];

/** The type a relation links to: its property's type, the element type for a collection. */
export type LinkedType<T, K extends keyof T> = NonNullable<T[K]> extends ReadonlyArray<infer E> ? E : NonNullable<T[K]>;

/**
 * The keys of T that hold data rather than methods. `aps` is not one: a class may declare it to read
 * its own id (`this.aps.id`, as APS apps do), but it is the controller's, never sent as data.
 */
export type DataKeys<T> = {
  [K in keyof T]-?: K extends 'aps'
    ? never
    : K extends string
      ? NonNullable<T[K]> extends AnyFunction
        ? never
        : K
      : never;
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
