/** The naming rules APS applies to what a declaration names. */

export const APS_PRIMITIVES: ReadonlySet<string> = new Set([
  'string',
  'number',
  'integer',
  'boolean',
  'object',
  'array',
]);

/** `http://host/path/major.minor`, as every published APS type ID is. */
const TYPE_ID = /^https?:\/\/[^/\s]+(\/[^\s/]+)*\/\d+\.\d+$/;
const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const STRUCTURE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const MEMBER_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Any URL path: published schemas have paths such as `/$configurations`, which the platform took. */
const OPERATION_PATH = /^\/[^\s?#]*$/;

export const HTTP_VERBS: readonly string[] = ['GET', 'POST', 'PUT', 'DELETE'];

/**
 * A service name is a URL path segment of the endpoint (`POST /{service}/`) and the name of a schema
 * file in the package (`schemas/{service}.schema`): one rule for defineApp and for the endpoint.
 */
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function isServiceName(name: string): boolean {
  return SERVICE_NAME.test(name);
}

/** A string that looks like a type ID (has a scheme) is judged as one, not as a structure name. */
export function looksLikeTypeId(value: string): boolean {
  return value.includes('://');
}

export function typeIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string' || id === '') return 'has no type ID; give `id: "http://host/path/1.0"`';
  if (!TYPE_ID.test(id))
    return `invalid type ID "${id}": expected http://host/path/major.minor, e.g. http://example.com/app/thing/1.0`;
  return undefined;
}

/**
 * What a type ID naming another type (a relation's target, `implements`, a member's type) may be.
 * Published schemas name types whose IDs have no version (`http://vendor.example/heatstack`) and the
 * platform accepted them, so a reference only has to be a URI, without spaces or `#`; the type
 * a declaration declares keeps the strict rule (typeIdProblem), since its ID is what APS versions.
 */
const TYPE_REFERENCE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/#]+(\/[^\s#]*)?$/;

export function typeReferenceProblem(id: string): string | undefined {
  if (!TYPE_REFERENCE.test(id)) return `invalid type ID "${id}": expected a URI such as http://host/path/1.0`;
  return undefined;
}

/** Whether a type ID has the `major.minor` version every declared type has. */
export function isVersionedTypeId(id: string): boolean {
  return TYPE_ID.test(id);
}

export function typeNameProblem(name: string): string | undefined {
  if (!TYPE_NAME.test(name))
    return `invalid type name "${name}": use letters, digits, "_" and "-", starting with a letter`;
  return undefined;
}

export function structureNameProblem(name: string): string | undefined {
  if (!STRUCTURE_NAME.test(name))
    return `invalid structure name "${name}": use letters, digits and "_", starting with a letter`;
  if (APS_PRIMITIVES.has(name)) return `structure name "${name}" is an APS primitive type name`;
  return undefined;
}

export function memberNameProblem(name: string): string | undefined {
  if (name === '__proto__' || name === 'constructor' || name === 'prototype') {
    return `"${name}" cannot be an APS member name: JavaScript objects reserve it`;
  }
  if (name === 'aps') return '"aps" is reserved for the resource metadata APS adds (aps.id, aps.type, aps.status)';
  if (!MEMBER_NAME.test(name)) return `invalid name "${name}": use letters, digits, "_" and "-"`;
  return undefined;
}

export function operationPathProblem(path: string): string | undefined {
  if (!OPERATION_PATH.test(path))
    return `invalid operation path "${path}": it must start with "/" and hold no spaces or query`;
  return undefined;
}
