/**
 * What app code writes in decorators. Every attribute that APS has keeps its APS name, so that a
 * published schema can be read next to its declaration line by line. `doc` fields feed the reference
 * docs only: published APS schemas keep descriptions out of the JSON, so must we.
 */
import type { Class } from '../metadata/class';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };

/** The APS primitive type names. Any other string is a structure name or a type ID. */
export type ApsPrimitive = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';

/**
 * A lazy reference, `() => Website` or `() => 'http://…/1.0'`: it is called only when the model is
 * built, so two declaration files may import each other (the TypeORM pattern).
 */
export type TypeThunk = () => Class | string;

/**
 * A type as a declaration names it: an APS name (`'integer'`), a type ID, a structure name, a
 * structure of another type as `<type ID>#<structure name>` (the resource counter,
 * `http://aps-standard.org/types/core/resource/1.0#Counter`), the constructors String, Number,
 * Boolean, Array and Object, a @Structure or @ApsType class, or a thunk.
 */
export type TypeRef =
  | ApsPrimitive
  | (string & {})
  | StringConstructor
  | NumberConstructor
  | BooleanConstructor
  | ArrayConstructor
  | ObjectConstructor
  | Class
  | TypeThunk;

/** `items` of an array, either a bare type or the APS object form `{ type: … }`. */
export type ItemsRef = TypeRef | ItemsOptions;

/**
 * The items of an array in the object form: their type and any attribute a property has (`enum` of
 * each string, `minItems` of each inner array, …), published inside `items` as given.
 */
export interface ItemsOptions extends Omit<PropertyOptions, 'type' | 'items' | 'properties' | 'doc'> {
  type: TypeRef;
  items?: ItemsRef;
}

/** The APS `access` attribute: who may read or write a type, property, relation or operation. */
export interface AccessOptions {
  global?: boolean;
  admin?: boolean;
  owner?: boolean;
  referrer?: boolean;
}

export interface ApsTypeOptions {
  /** The APS type name; the class name when omitted. */
  name?: string;
  /** The type ID, `http://host/path/major.minor`. */
  id: string;
  /** Defaults to "2.0", the only APS version in use. */
  apsVersion?: string;
  /** Type IDs or other @ApsType classes (or thunks to them) that this type implements. */
  implements?: ReadonlyArray<string | Class | TypeThunk>;
  access?: AccessOptions;
  /**
   * Structures to list in the schema before those found through properties and operations; use it to
   * publish a structure no member names, or to fix the order of the `structures` section.
   */
  structures?: ReadonlyArray<Class | TypeThunk>;
  /** Text for the reference docs (not part of the schema). */
  doc?: string;
}

export interface StructureOptions {
  /** The structure name; the class name when omitted. */
  name?: string;
  doc?: string;
}

export interface PropertyOptions {
  /** Inferred from the TypeScript type when omitted (string, number, boolean, a @Structure class). */
  type?: TypeRef;
  items?: ItemsRef;
  /** Inline properties of an object-typed property. */
  properties?: Readonly<Record<string, PropertyOptions>>;
  required?: boolean;
  final?: boolean;
  readonly?: boolean;
  encrypted?: boolean;
  default?: JsonValue;
  title?: string;
  description?: string;
  format?: string;
  unit?: string;
  pattern?: string;
  enum?: readonly JsonPrimitive[];
  enumTitles?: readonly string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  access?: AccessOptions;
  /** Text for the reference docs (not part of the schema). */
  doc?: string;
}

export interface RelationOptions {
  collection?: boolean;
  required?: boolean;
  access?: AccessOptions;
  doc?: string;
  /**
   * A collection capped by a `Counter` or `Limit` property of the same type (its name): the
   * embedded controller refuses (403) to link more resources into the collection than the
   * property's `limit`. A runtime rule of APSKit's, not published in the schema.
   */
  limit?: string;
}

export type HttpVerb = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ResponseOptions {
  type: TypeRef;
  items?: ItemsRef;
  contentType?: string;
  name?: string;
}

export interface OperationOptions {
  verb: HttpVerb;
  /** `/<method name>` when omitted. */
  path?: string;
  /** The operation's name in the schema; the method name when omitted. */
  name?: string;
  static?: boolean;
  response?: TypeRef | ResponseOptions;
  errorResponse?: TypeRef | ResponseOptions;
  access?: AccessOptions;
  /**
   * Also publish the name inside the operation, `"name": "<name>"`, as schemas that the APS PHP
   * runtime generates do. The key of `operations` is the name either way.
   */
  publishName?: boolean;
  /** Text for the reference docs: what the operation does, and what it returns. */
  doc?: string;
  returns?: string;
}

export type ParamKind = 'body' | 'query' | 'path';

export interface ParamOptions {
  kind: ParamKind;
  /** Inferred from the parameter's TypeScript type when omitted. */
  type?: TypeRef;
  items?: ItemsRef;
  required?: boolean;
  /** Also publish the name inside the parameter, `"name": "<name>"`, as PHP-generated schemas do. */
  publishName?: boolean;
  doc?: string;
}
