/**
 * Any class. `never[]` so that every constructor, whatever its parameters, is assignable. In a module
 * of its own so that the decorator options and the metadata records, which each need it, do not
 * import each other.
 */
export type Class<T = unknown> = abstract new (...args: never[]) => T;
