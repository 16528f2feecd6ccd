/**
 * Turns what a declaration names as a type (a TypeRef, or the TypeScript design type) into the APS
 * type string and, for structures, the class behind it.
 */
import type { Class } from '../metadata/records';
import { getMetadataStorage } from '../metadata/storage';
import { foreignStructureOf } from './foreign-structures';
import { APS_PRIMITIVES, looksLikeTypeId, structureNameProblem, typeReferenceProblem } from './names';
import { isUnresolvedType } from './unresolved-type';

export type TypeResolution =
  | { readonly kind: 'primitive'; readonly type: string; readonly format?: string }
  | { readonly kind: 'typeId'; readonly type: string; readonly target?: Class }
  | { readonly kind: 'structure'; readonly type: string; readonly target: Class }
  /** A structure named by string: found among the model's structures once they are all known. */
  | { readonly kind: 'structureName'; readonly type: string }
  /**
   * A structure that another type declares, `<type ID>#<structure name>`: a value of that shape, which
   * this model does not hold (APS resolves it; the resource counter is the common one).
   */
  | { readonly kind: 'foreignStructure'; readonly type: string }
  /** A name the schema gives and the model does not look up (`unresolvedType`, which see). */
  | { readonly kind: 'unresolved'; readonly type: string }
  | { readonly kind: 'problem'; readonly message: string };

const BUILTINS = new Map<unknown, string>([
  [String, 'string'],
  [Number, 'number'],
  [Boolean, 'boolean'],
  [Array, 'array'],
  [Object, 'object'],
]);

/** Arrow functions have no prototype; classes and the builtin constructors do. */
export function isThunk(value: unknown): value is () => unknown {
  return typeof value === 'function' && !BUILTINS.has(value) && value.prototype === undefined;
}

export function structureName(target: Class): string {
  return getMetadataStorage().structureOf(target)?.options.name ?? target.name;
}

/** The APS name of an @ApsType class: its `name` option, else the class name. */
export function apsTypeName(target: Class): string {
  return getMetadataStorage().typeOf(target)?.options.name ?? target.name;
}

/** Resolves a class: a @Structure is a structure, an @ApsType is its type ID, anything else is a mistake. */
export function resolveClass(target: Class): TypeResolution {
  const foreign = foreignStructureOf(target);
  // Counter, Limit, Usage, Notification: classes for structures the core resource type declares.
  if (foreign !== undefined) return resolveTypeRef(foreign);
  const storage = getMetadataStorage();
  if (storage.structureOf(target)) return { kind: 'structure', type: structureName(target), target };
  const aps = storage.typeOf(target);
  if (aps) return { kind: 'typeId', type: aps.options.id, target };
  return {
    kind: 'problem',
    message: `${target.name || 'an anonymous class'} is used as a type but is not declared with @Structure() or @ApsType()`,
  };
}

export function resolveTypeRef(ref: unknown): TypeResolution {
  const builtin = BUILTINS.get(ref);
  if (builtin) return { kind: 'primitive', type: builtin };
  if (typeof ref === 'string') {
    if (APS_PRIMITIVES.has(ref)) return { kind: 'primitive', type: ref };
    if (looksLikeTypeId(ref)) {
      const hash = ref.indexOf('#');
      if (hash >= 0) {
        const problem = typeReferenceProblem(ref.slice(0, hash)) ?? structureNameProblem(ref.slice(hash + 1));
        return problem
          ? { kind: 'problem', message: `in "${ref}": ${problem}` }
          : { kind: 'foreignStructure', type: ref };
      }
      // A type named by ID (a relation's target, a member's type) may be any type the platform has.
      const problem = typeReferenceProblem(ref);
      return problem ? { kind: 'problem', message: problem } : { kind: 'typeId', type: ref };
    }
    if (ref === '') return { kind: 'problem', message: 'empty type name' };
    return { kind: 'structureName', type: ref };
  }
  if (isUnresolvedType(ref)) {
    const name = ref.unresolvedType;
    // Published as a schema's `type`: one word, which no primitive or type ID already says.
    if (!/^[A-Za-z][\w.-]*$/.test(name) || APS_PRIMITIVES.has(name)) {
      return {
        kind: 'problem',
        message: `unresolvedType("${name}"): give a name such as "Token", not a primitive, a type ID or a blank`,
      };
    }
    return { kind: 'unresolved', type: name };
  }
  if (isThunk(ref)) {
    let value: unknown;
    try {
      value = ref();
    } catch (e) {
      return { kind: 'problem', message: `the type thunk threw: ${(e as Error).message}` };
    }
    if (value === undefined) {
      return { kind: 'problem', message: 'the type thunk returned undefined (a circular import read too early?)' };
    }
    if (isThunk(value)) return { kind: 'problem', message: 'the type thunk returned another thunk' };
    return resolveTypeRef(value);
  }
  // `type: Date` and `items: Date` mean what a Date property means, as the design type does.
  if (ref === Date) return { kind: 'primitive', type: 'string', format: 'date-time' };
  if (typeof ref === 'function') return resolveClass(ref as Class);
  return { kind: 'problem', message: `unknown type ${JSON.stringify(ref) ?? String(ref)}` };
}

/** What the TypeScript type says, when the declaration gives no `type`. */
export function inferFromDesignType(designType: unknown): TypeResolution {
  if (designType === undefined) {
    return {
      kind: 'problem',
      message: 'no TypeScript type information: enable emitDecoratorMetadata, or give `type`',
    };
  }
  if (designType === Date) return { kind: 'primitive', type: 'string', format: 'date-time' };
  if (designType === Object) {
    return {
      kind: 'problem',
      message: 'cannot infer the APS type from this TypeScript type (a union, an interface or any?): give `type`',
    };
  }
  if (designType === Function || designType === Promise || designType === Symbol || designType === BigInt) {
    return { kind: 'problem', message: `${(designType as { name: string }).name} has no APS type: give \`type\`` };
  }
  return resolveTypeRef(designType);
}
