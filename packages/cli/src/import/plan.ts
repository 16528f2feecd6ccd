/**
 * What `apskit import` writes, before it is written: one module per APS type, its classes and their
 * decorated members. The TypeScript writer prints it, and the check that the import loses nothing
 * declares the same classes in memory and compares the schemas they emit with the sources. Both read
 * the decorator options from the same `Expr` values, so what is checked is what is written.
 */
import type { JsonPrimitive, JsonValue } from '@apskit/core';

/** A value in decorator options: printed as TypeScript, evaluated to declare the classes in memory. */
export type Expr =
  | { readonly kind: 'literal'; readonly value: JsonPrimitive }
  | { readonly kind: 'object'; readonly entries: ReadonlyArray<readonly [string, Expr]> }
  | { readonly kind: 'array'; readonly items: readonly Expr[] }
  /** A class declared earlier in the same module, named as it is: `response: ProvisioningState`. */
  | { readonly kind: 'class'; readonly name: string }
  /** `() => …`: for a class declared later, or in another module (which may import this one). */
  | { readonly kind: 'thunk'; readonly to: Expr }
  /** `CoreTypes.account`: an APS core type ID, as declarations write it. */
  | { readonly kind: 'coreType'; readonly key: string; readonly id: string }
  /** `unresolvedType('Token')`: a type name the schema gives and the model does not look up. */
  | { readonly kind: 'unresolved'; readonly name: string };

export function literal(value: JsonPrimitive): Expr {
  return { kind: 'literal', value };
}

/** An object of the entries whose value is given, in the order given. */
export function object(entries: ReadonlyArray<readonly [string, Expr | undefined]>): Expr {
  return { kind: 'object', entries: entries.filter((e): e is [string, Expr] => e[1] !== undefined) };
}

/** A JSON value (a `default`, an `enum`, `access`) as an expression that evaluates to it. */
export function json(value: JsonValue): Expr {
  if (Array.isArray(value)) return { kind: 'array', items: value.map(json) };
  if (value !== null && typeof value === 'object') {
    return { kind: 'object', entries: Object.entries(value).map(([k, v]) => [k, json(v)] as const) };
  }
  return literal(value);
}

export interface ModulePlan {
  /** The file name in the output folder: `pa-subscription.ts`. */
  readonly file: string;
  /** Where the schema came from, for the header comment and for messages. */
  readonly origin: string;
  /** Structures in declaration order: each before the structures that name it, where it can be. */
  readonly structures: readonly ClassPlan[];
  readonly type: ClassPlan;
  /** Classes of other modules that this one names: module file → class names. */
  readonly imports: ReadonlyMap<string, ReadonlySet<string>>;
  /** The schema the declarations must emit: the source, without what APS reads as absent. */
  readonly expected: Readonly<Record<string, JsonValue>>;
}

export interface ClassPlan {
  readonly className: string;
  readonly decorator: 'ApsType' | 'Structure';
  /** The decorator's options; none for a structure whose class name is its APS name. */
  readonly options?: Expr;
  readonly members: readonly MemberPlan[];
}

export type MemberPlan = PropertyPlan | RelationPlan | OperationPlan;

export interface PropertyPlan {
  readonly kind: 'property';
  /** The APS name, which is the class member's name too (quoted where it must be). */
  readonly name: string;
  readonly options: Expr;
  /** The TypeScript annotation. */
  readonly tsType: string;
  readonly required: boolean;
  /** The APS `description`, repeated as the member's JSDoc. */
  readonly doc?: string;
  /** Why the annotation is less precise than the type, as a comment after it. */
  readonly comment?: string;
}

export interface RelationPlan {
  readonly kind: 'relation';
  readonly name: string;
  /** What the thunk returns: a class, a core type or a type ID. */
  readonly target: Expr;
  readonly options?: Expr;
  readonly tsType: string;
}

export interface OperationPlan {
  readonly kind: 'operation';
  /** The method; the APS name is in `options.name` when it differs. */
  readonly method: string;
  /** The APS name: the key of `operations`. */
  readonly schemaName: string;
  readonly isStatic: boolean;
  readonly options: Expr;
  readonly params: readonly ParamPlan[];
  readonly returnType: string;
}

export interface ParamPlan {
  /** The APS name, `@Param`'s first argument. */
  readonly name: string;
  /** The TypeScript parameter. */
  readonly identifier: string;
  readonly options: Expr;
  readonly tsType: string;
  readonly required: boolean;
}
