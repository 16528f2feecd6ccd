/**
 * A type a schema names that APSKit does not resolve, published as written. Published schemas name
 * types the platform resolves and a model cannot: a structure a base type declares (`Token`, which a
 * type implementing the identity provider type uses as its own), a type by its APS name
 * (`Identity`), and words the platform reads (`self`, the type itself, in the core resource's
 * configure; `binary`, a response that is no JSON). The model keeps the name and links nothing to
 * it; the runtime checks such a value as an object, or not at all where APS does not send one.
 *
 * Type inheritance, structures included:
 * https://docs.cloudblue.com/cbc/sdk/21.0/api/types/type-definition/inheritance
 */

/** What `unresolvedType(name)` returns: a TypeRef that the model keeps as the string `name`. */
export interface UnresolvedType {
  readonly unresolvedType: string;
}

/** `type: unresolvedType('Token')` publishes `"type": "Token"` without looking `Token` up. */
export function unresolvedType(name: string): UnresolvedType {
  return Object.freeze({ unresolvedType: name });
}

export function isUnresolvedType(ref: unknown): ref is UnresolvedType {
  return (
    typeof ref === 'object' &&
    ref !== null &&
    typeof (ref as { unresolvedType?: unknown }).unresolvedType === 'string' &&
    !('type' in ref)
  );
}
