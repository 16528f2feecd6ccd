/**
 * TypeScript names for APS names. APS allows names TypeScript does not (`service-user`, a property
 * `static`), and names that would shadow what generated code uses (`Property`, `Record`): each gets
 * a TypeScript name, and the declaration keeps the APS name (`name: 'service-user'`, a quoted key).
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Class names a generated module must not declare: what it imports from @apskit/core, and the
 * globals its annotations and metadata use.
 */
const TAKEN_CLASS_NAMES = new Set([
  'ApsType',
  'Structure',
  'Property',
  'Relation',
  'Operation',
  'Param',
  'CoreTypes',
  'NotImplementedError',
  'Array',
  'Boolean',
  'Date',
  'Error',
  'Function',
  'Map',
  'Number',
  'Object',
  'Promise',
  'Record',
  'Set',
  'String',
  'Symbol',
  'Partial',
  'Readonly',
  'Required',
]);

/** Members a class must not declare as instance members: JavaScript gives them a meaning. */
const TAKEN_INSTANCE_MEMBERS = new Set(['constructor', '__proto__']);

/** Static members that clash with what every function has. */
const TAKEN_STATIC_MEMBERS = new Set(['prototype', 'name', 'length', 'caller', 'arguments']);

/**
 * Whether a class member or object key must be quoted: only what is no identifier name
 * (`'admin-name'`); `default`, `static` and `type` are fine as they are.
 */
export function needsQuotes(key: string): boolean {
  return !IDENTIFIER.test(key);
}

function words(text: string): string[] {
  return text.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** `service-user` → `ServiceUser`, `PASubscription` stays, `vps` → `Vps`. */
export function pascalCase(text: string): string {
  const name = words(text).map(capitalize).join('');
  return /^[A-Za-z]/.test(name) ? name : `T${name}`;
}

/** `get-state` → `getState`. */
export function camelCase(text: string): string {
  const [first = '', ...rest] = words(text);
  const name = first.charAt(0).toLowerCase() + first.slice(1) + rest.map(capitalize).join('');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

/** `PASubscription` → `pa-subscription`, `MozyProAccount` → `mozy-pro-account`. */
export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** The class name of an APS type or structure, unless that name is taken. */
export function className(apsName: string): string {
  return pascalCase(apsName);
}

export function isTakenClassName(name: string): boolean {
  return TAKEN_CLASS_NAMES.has(name);
}

/**
 * A name not yet in `used`: `base`, else `base` + `suffix`, else with a number. It is added to
 * `used`.
 */
export function unique(base: string, used: Set<string>, suffix: string): string {
  let name = base;
  if (used.has(name)) name = `${base}${suffix}`;
  for (let i = 2; used.has(name); i++) name = `${base}${suffix}${i}`;
  used.add(name);
  return name;
}

/** A method name as it is, when it is an identifier JavaScript gives no meaning to on a class. */
export function isFreeMethodName(name: string, isStatic: boolean): boolean {
  return IDENTIFIER.test(name) && !(isStatic ? TAKEN_STATIC_MEMBERS : TAKEN_INSTANCE_MEMBERS).has(name);
}
