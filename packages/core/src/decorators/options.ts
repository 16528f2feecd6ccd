/**
 * What app code writes in decorators. Every attribute that APS has keeps its APS name, so that a
 * published schema can be read next to its declaration line by line. `doc` fields feed the reference
 * docs only: published APS schemas keep descriptions out of the JSON, so must we.
 */
import type { Class } from '../metadata/class';
import type { UnresolvedType } from '../model/unresolved-type';

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
 * Attributes APSKit has no option for, published as given after the ones it has (in their order
 * here). Published schemas carry such attributes now and then (an attribute of an older platform,
 * a vendor's mark); a declaration that imports such a schema keeps them here, so that the schema it
 * emits is the one the platform accepted. A key APSKit has an option for is a declaration mistake:
 * use the option.
 */
export type ExtraAttributes = Readonly<Record<string, JsonValue>>;

/**
 * The order of an object's keys in the published schema, where it is not APSKit's (the order of
 * ./model/schema-order.ts, which APS's own schemas use). A schema written by hand or by another tool
 * has its own order, which people diffing packages see: a declaration that imports it names that
 * order here. Keys not listed follow in APSKit's order; a listed key the object does not publish is a
 * declaration mistake.
 */
export type KeyOrder = readonly string[];

/**
 * A type as a declaration names it: an APS name (`'integer'`), a type ID, a structure name, a
 * structure of another type as `<type ID>#<structure name>` (the resource counter,
 * `http://aps-standard.org/types/core/resource/1.0#Counter`), the constructors String, Number,
 * Boolean, Array and Object, a @Structure or @ApsType class, a thunk, or `unresolvedType(name)` for a
 * name the model does not look up (a structure of a base type, `self`).
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
  | UnresolvedType
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
  /**
   * The order of the schema's `operations`, by operation name, where it is not the declaration
   * order. TypeScript decorates static methods after instance ones, so a schema that lists a static
   * operation before an instance one says its order here; operations not listed follow, in
   * declaration order.
   */
  operationOrder?: readonly string[];
  extraAttributes?: ExtraAttributes;
  keyOrder?: KeyOrder;
  /** Text for the reference docs (not part of the schema). */
  doc?: string;
}

export interface StructureOptions {
  /** The structure name; the class name when omitted. */
  name?: string;
  /** Published beside `type` and `properties` (a structure's `description`, say). */
  extraAttributes?: ExtraAttributes;
  keyOrder?: KeyOrder;
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
  extraAttributes?: ExtraAttributes;
  keyOrder?: KeyOrder;
  /**
   * Publish `default` and `enum` values that are not of `type` (`"type": "string", "default": 0`)
   * as written, instead of refusing them as a mistake: some published schemas have them, and the
   * platform took them. Not part of the schema.
   */
  uncheckedValues?: boolean;
  /** Text for the reference docs (not part of the schema). */
  doc?: string;
}

/**
 * `collection` and `required` are published as written: `false` is what APS assumes when they are
 * absent, and a schema that writes `"collection": false` keeps saying it.
 */
export interface RelationOptions {
  collection?: boolean;
  required?: boolean;
  access?: AccessOptions;
  extraAttributes?: ExtraAttributes;
  keyOrder?: KeyOrder;
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
  /**
   * The items of an array response. Published schemas also give `items` to a response of type
   * `string` or `object` (the platform ignores them there): they are published as given, and `null`
   * (as the APS PHP runtime writes a response without items) as `"items": null`.
   */
  items?: ItemsRef | null;
  /** `null` is published as `"contentType": null`, as some published schemas write it. */
  contentType?: string | null;
  name?: string;
  extraAttributes?: ExtraAttributes;
  keyOrder?: KeyOrder;
}

export interface OperationOptions {
  verb: HttpVerb;
  /** `/<method name>` when omitted. */
  path?: string;
  /** The operation's name in the schema; the method name when omitted. */
  name?: string;
  /** Published as written: `static: false` on an instance method publishes `"static": false`. */
  static?: boolean;
  response?: TypeRef | ResponseOptions;
  errorResponse?: TypeRef | ResponseOptions;
  access?: AccessOptions;
  /**
   * Also publish the name inside the operation, `"name": "<name>"`, as schemas that the APS PHP
   * runtime generates do. The key of `operations` is the name either way.
   */
  publishName?: boolean;
  extraAttributes?: ExtraAttributes;
  keyOrder?: KeyOrder;
  /** Text for the reference docs: what the operation does, and what it returns. */
  doc?: string;
  returns?: string;
}

export type ParamKind = 'body' | 'query' | 'path';

export interface ParamOptions {
  kind: ParamKind;
  /**
   * The `kind` the schema publishes, where a published schema wrote another word than `kind` (one
   * says `"kind": "text/json"`, which the platform took): the endpoint still reads the value as `kind`.
   */
  publishedKind?: string;
  /**
   * The schema gives the parameter no `type` (the core backupable type's restore takes a binary body
   * so, its `contentType` saying what it is): none is published, and the endpoint checks the value
   * as an object. Not with `type`.
   */
  untyped?: boolean;
  /** Inferred from the parameter's TypeScript type when omitted. */
  type?: TypeRef;
  items?: ItemsRef;
  /** Published as written: `required: false` publishes `"required": false`. */
  required?: boolean;
  /** Also publish the name inside the parameter, `"name": "<name>"`, as PHP-generated schemas do. */
  publishName?: boolean;
  extraAttributes?: ExtraAttributes;
  keyOrder?: KeyOrder;
  doc?: string;
}
