/**
 * Which property paths the controller asks its store to index (Store.ensurePropertyIndexes): the
 * top-level scalar properties (string, number, integer, boolean) of the types in its model, the ones
 * an `eq()` or a `sort()` of a list most often names. Encrypted properties are left out: what is
 * stored is their ciphertext, which no query compares. Each index costs every write of a resource a
 * little, so structures' fields are not indexed; a query on them still runs, filtered in SQL.
 */
import type { TypeModel } from '@apskit/core';

const SCALAR = new Set(['string', 'number', 'integer', 'boolean']);

export function indexedPropertyPaths(model: TypeModel): string[][] {
  const names = new Set<string>();
  for (const type of model.types)
    for (const p of type.properties)
      if (typeof p.schema.type === 'string' && SCALAR.has(p.schema.type) && !p.schema.encrypted) names.add(p.name);
  return [...names].sort().map((name) => [name]);
}
