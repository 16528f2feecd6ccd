/**
 * The type model: what the declarations mean, fully resolved and frozen. Schema, docs, OpenAPI and
 * the runtime read only this; nothing reads decorator metadata after the model is built.
 *
 * Schema fragments (`PropertySchema`, `ResponseSchema`, …) are kept in APS key order already, so
 * emitters copy them rather than re-deciding what APS looks like.
 */
import type { AccessOptions, HttpVerb, JsonPrimitive, JsonValue, ParamKind } from '../decorators/options';
import type { Class } from '../metadata/records';

/**
 * The items of an array as APS publishes them: a type, and any attribute a property can have
 * (`enum` of each string, `minItems` of each inner array, …), in the same key order.
 */
export type ItemsSchema = Omit<PropertySchema, 'properties'>;

/**
 * One property as APS publishes it, attributes in the order APS schemas use, then its
 * `extraAttributes` (the options' ExtraAttributes), which this type does not name.
 */
export interface PropertySchema {
  readonly type: string;
  readonly items?: ItemsSchema;
  readonly properties?: Readonly<Record<string, PropertySchema>>;
  readonly required?: boolean;
  readonly final?: boolean;
  readonly readonly?: boolean;
  readonly encrypted?: boolean;
  readonly default?: JsonValue;
  readonly title?: string;
  readonly description?: string;
  readonly format?: string;
  readonly unit?: string;
  readonly pattern?: string;
  readonly enum?: readonly JsonPrimitive[];
  readonly enumTitles?: readonly string[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly access?: Readonly<AccessOptions>;
}

/** A class-validator rule found on a property, for the runtime to run or to compile. */
export interface ValidatorRule {
  /** class-validator's name for it: `isEmail`, `isInt`, `min`, … */
  readonly name: string;
  readonly constraints: readonly unknown[];
  /** `{ each: true }`: applies to every item of an array. */
  readonly each: boolean;
}

export interface PropertyModel {
  readonly name: string;
  readonly schema: PropertySchema;
  /** The @Structure class behind `schema.type` (or behind the array's items), when there is one. */
  readonly structure?: StructureModel;
  /** The model of each inline property of an object-typed property. */
  readonly inline?: readonly PropertyModel[];
  readonly rules: readonly ValidatorRule[];
  /** Set when the property comes from an @ApsType base class: see ApsTypeModel. */
  readonly inheritedFrom?: string;
  readonly doc?: string;
}

export interface StructureModel {
  readonly name: string;
  readonly target: Class;
  readonly properties: readonly PropertyModel[];
  /** Attributes published beside `type` and `properties` (ExtraAttributes). */
  readonly extraAttributes?: Readonly<Record<string, JsonValue>>;
  /** The published key order, where the declaration gives one (KeyOrder). */
  readonly keyOrder?: readonly string[];
  readonly doc?: string;
}

/** A relation as APS publishes it: `collection` and `required` as the declaration wrote them. */
export interface RelationSchema {
  readonly type: string;
  readonly collection?: boolean;
  readonly required?: boolean;
  readonly access?: Readonly<AccessOptions>;
}

export interface RelationModel {
  readonly name: string;
  /** The type ID of the related type. */
  readonly type: string;
  readonly collection: boolean;
  readonly required: boolean;
  /** What the schema publishes, extra attributes included (`"collection": false` when written so). */
  readonly schema: RelationSchema;
  readonly access?: Readonly<AccessOptions>;
  /** The declared class of the related type, when the relation names one. */
  readonly target?: Class;
  /** The APS name of `target`: reference docs show a name where the schema has a type ID. */
  readonly targetName?: string;
  /**
   * The relation of the target type that leads back to this type, resolved once when the model is
   * built (as TypeORM resolves `inverseSide`): the first relation of the target type whose type is
   * this type's ID. Absent when the model does not hold the target type or it has no such relation.
   * A link through this relation is stored with its way back through `inverse`.
   */
  readonly inverse?: string;
  /** `<relation>Link` / `<relation>Unlink` when the class has them. */
  readonly linkMethod?: string;
  readonly unlinkMethod?: string;
  /** The `Counter` or `Limit` property of this type that caps the collection (RelationOptions.limit). */
  readonly limit?: string;
  readonly inheritedFrom?: string;
  readonly doc?: string;
}

export interface ParamModel {
  readonly name: string;
  /** Position in the method's parameter list. */
  readonly index: number;
  readonly kind: ParamKind;
  /** The `kind` the schema publishes when the declaration gives another (ParamOptions.publishedKind). */
  readonly publishedKind?: string;
  /** `type` is what the runtime checks; an untyped parameter (ParamOptions.untyped) publishes none. */
  readonly type: string;
  readonly untyped?: boolean;
  readonly items?: ItemsSchema;
  readonly required: boolean;
  /** `required` as the declaration wrote it, `false` included: what the schema publishes. */
  readonly writtenRequired?: boolean;
  /** The schema repeats the name inside the parameter (`"name": …`), as PHP-generated schemas do. */
  readonly publishName?: boolean;
  /** Attributes APSKit has no option for, published after the others (ExtraAttributes). */
  readonly extraAttributes?: Readonly<Record<string, JsonValue>>;
  /** The published key order, where the declaration gives one (KeyOrder). */
  readonly keyOrder?: readonly string[];
  readonly structure?: StructureModel;
  readonly doc?: string;
}

/** A response as APS publishes it, then its extra attributes. */
export interface ResponseSchema {
  readonly type: string;
  /** An array's items; published schemas give some `string` and `object` responses items too. */
  readonly items?: ItemsSchema | null;
  readonly contentType?: string | null;
  readonly name?: string;
}

export interface OperationModel {
  /** The operation's name in the schema. */
  readonly name: string;
  /** The method the runtime calls. */
  readonly method: string;
  readonly path: string;
  readonly verb: HttpVerb;
  readonly static: boolean;
  /** `static` as the declaration wrote it, `false` included: what the schema publishes. */
  readonly writtenStatic?: boolean;
  /** In parameter-list order. */
  readonly parameters: readonly ParamModel[];
  readonly response?: ResponseSchema;
  readonly responseStructure?: StructureModel;
  readonly errorResponse?: ResponseSchema;
  readonly errorResponseStructure?: StructureModel;
  readonly access?: Readonly<AccessOptions>;
  /** The schema repeats the name inside the operation (`"name": …`), as PHP-generated schemas do. */
  readonly publishName?: boolean;
  readonly extraAttributes?: Readonly<Record<string, JsonValue>>;
  /** The published key order, where the declaration gives one (KeyOrder). */
  readonly keyOrder?: readonly string[];
  readonly inheritedFrom?: string;
  readonly doc?: string;
  readonly returns?: string;
}

/**
 * An event subscription the type declares (`@OnEvent`): the controller creates it with each resource
 * of the type. The spec's EventSubscription, with the source always a type.
 */
export interface DeclaredSubscription {
  /** The event type URI. */
  readonly event: string;
  /** The source's type ID. */
  readonly source: { readonly type: string };
  /** For linked/unlinked: the relation of the source. */
  readonly relation?: string;
  /** The name of the handler operation (its schema name, which the controller calls). */
  readonly handler: string;
}

/** The lifecycle methods a type may have, recognised by name as the APS PHP runtime does. */
export const LIFECYCLE_METHODS = [
  'provision',
  'provisionAsync',
  'retrieve',
  'configure',
  'configureAsync',
  'unprovision',
  'unprovisionAsync',
  'upgrade',
  'upgradeAsync',
] as const;
export type LifecycleMethod = (typeof LIFECYCLE_METHODS)[number];

export interface ApsTypeModel {
  readonly name: string;
  readonly id: string;
  readonly apsVersion: string;
  readonly implements: readonly string[];
  readonly access?: Readonly<AccessOptions>;
  /**
   * Members, base classes' included. A member declared on (or above) a base class that is itself an
   * @ApsType carries `inheritedFrom`: APS inherits it through `implements`, so the schema leaves it
   * out, while the runtime still serves and validates it. Members of undeclared base classes are
   * this type's own.
   */
  readonly relations: readonly RelationModel[];
  readonly properties: readonly PropertyModel[];
  /** In schema order: declaration order, or the type's `operationOrder`. */
  readonly operations: readonly OperationModel[];
  /**
   * The event subscriptions the type declares (`@OnEvent`), base classes' included. APS has no schema
   * field for them: the schema publishes the handler operations only.
   */
  readonly subscriptions: readonly DeclaredSubscription[];
  /** Every structure the schema publishes, in schema order. */
  readonly structures: readonly StructureModel[];
  /** The lifecycle methods the class (or a base class) has. */
  readonly lifecycle: ReadonlySet<LifecycleMethod>;
  /** Attributes of the type APSKit has no option for, published after the others (ExtraAttributes). */
  readonly extraAttributes?: Readonly<Record<string, JsonValue>>;
  /** The published key order of the type's schema, where the declaration gives one (KeyOrder). */
  readonly keyOrder?: readonly string[];
  readonly target: Class;
  readonly doc?: string;
}

/** All the types an app registers, and ways to find one. */
export interface TypeModel {
  readonly types: readonly ApsTypeModel[];
  /**
   * By class, APS name or type ID. Types are told apart by ID: two may share an APS name (two apps'
   * `tenant`), and looking up such a name throws, naming their IDs.
   */
  find(key: Class | string): ApsTypeModel | undefined;
  /** Like `find`, but throws a clear error when there is no such type. */
  get(key: Class | string): ApsTypeModel;
}
