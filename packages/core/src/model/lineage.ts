import type { Class } from '../metadata/records';

/** A class and its base classes, base first. */
export function lineage(target: Class): Class[] {
  const chain: Class[] = [];
  for (let c: unknown = target; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    chain.unshift(c as Class);
  }
  return chain;
}

/**
 * Merges the members each class of a lineage declares, base first. A subclass that declares a
 * member again replaces it in place, so that the schema keeps the base's order.
 */
export function mergeByName<R>(
  chain: readonly Class[],
  own: (c: Class) => readonly R[],
  key: (r: R) => string,
): Map<string, { record: R; depth: number }> {
  const merged = new Map<string, { record: R; depth: number }>();
  chain.forEach((cls, depth) => {
    for (const record of own(cls)) merged.set(key(record), { record, depth });
  });
  return merged;
}
