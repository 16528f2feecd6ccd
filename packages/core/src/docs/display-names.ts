/**
 * How a reference page names types. A schema says `"integer"` or
 * `"http://parallels.com/aps/types/pa/website/1.0"`; a reader wants `Integer` and `paWebsite`, as the
 * published APS reference pages show them.
 *
 * A type ID is named, in this order:
 * 1. by the APS name of a type the page knows: a type of the model, or a relation's declared class;
 * 2. as an APS core type, `http://aps-standard.org/types/core/<name>/<v>`: `<Name>` (`Account`,
 *    `ServiceUser`), because APS documents its core types by their bare names;
 * 3. otherwise by its last two path segments before the version, namespace then name:
 *    `…/pa/website/1.0` is `paWebsite`, `…/async-provisioning/globals/1.0` is
 *    `asyncProvisioningGlobals`; an ID with one segment (`http://host/thing/1.0`) is `Thing`.
 */
import type { ItemsSchema } from '../model/model';
import { looksLikeTypeId } from '../model/names';

/** Type ID → the APS name of a type the page knows. */
export type KnownTypeNames = ReadonlyMap<string, string>;

const CORE_TYPE = /^https?:\/\/aps-standard\.org\/types\/core\/([^/]+)\/\d+(?:\.\d+)*$/;
const VERSION = /^\d+(?:\.\d+)*$/;

/** `Integer`, `String`, a structure name as it is, a type ID by the rules above; arrays as their items. */
export function typeDisplayName(type: string, items?: ItemsSchema, known: KnownTypeNames = new Map()): string {
  // Published pages list an array by what it holds: `apsDefaults` (string[]) is `String`.
  if (type === 'array') return items ? typeDisplayName(items.type, items.items, known) : 'Array';
  if (isPrimitive(type)) return capitalize(type);
  if (looksLikeTypeId(type)) return typeIdDisplayName(type, known);
  return type; // a structure name
}

export function typeIdDisplayName(id: string, known: KnownTypeNames = new Map()): string {
  const name = known.get(id);
  if (name !== undefined) return name;
  const core = CORE_TYPE.exec(id);
  if (core) return pascalCase(core[1] as string);
  const segments = pathSegments(id);
  if (segments.length > 0 && VERSION.test(segments[segments.length - 1] as string)) segments.pop();
  const last = segments[segments.length - 1];
  if (last === undefined) return id;
  const namespace = segments[segments.length - 2];
  return namespace === undefined ? pascalCase(last) : `${camelCase(namespace)}${pascalCase(last)}`;
}

function pathSegments(id: string): string[] {
  try {
    return new URL(id).pathname.split('/').filter((s) => s !== '');
  } catch {
    return [];
  }
}

function isPrimitive(type: string): boolean {
  return type === 'string' || type === 'integer' || type === 'number' || type === 'boolean' || type === 'object';
}

function words(text: string): string[] {
  return text.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function pascalCase(text: string): string {
  return words(text).map(capitalize).join('') || text;
}

function camelCase(text: string): string {
  const pascal = pascalCase(text);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
}
