/**
 * The key orders of published APS schemas. Emitters build objects through these lists, so that a
 * declared type reproduces a published schema byte for byte and no attribute appears that the
 * declaration did not give.
 */
export const TYPE_KEYS = [
  'name',
  'id',
  'apsVersion',
  'implements',
  'access',
  'relations',
  'properties',
  'operations',
  'structures',
] as const;

export const PROPERTY_KEYS = [
  'type',
  'items',
  'properties',
  'required',
  'final',
  'readonly',
  'encrypted',
  'default',
  'title',
  'description',
  'format',
  'unit',
  'pattern',
  'enum',
  'enumTitles',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'access',
] as const;

export const RELATION_KEYS = ['type', 'collection', 'required', 'access'] as const;
/** `name` leads where a schema repeats it inside the object, as APS's own `"retrieve"` does. */
export const OPERATION_KEYS = [
  'name',
  'path',
  'verb',
  'static',
  'parameters',
  'response',
  'errorResponse',
  'access',
] as const;
export const PARAMETER_KEYS = ['name', 'type', 'items', 'kind', 'required'] as const;
export const RESPONSE_KEYS = ['type', 'items', 'contentType', 'name'] as const;
export const STRUCTURE_KEYS = ['type', 'properties'] as const;

/** A copy of `source` holding the listed keys that are defined, in the listed order. */
export function ordered<K extends string>(
  keys: readonly K[],
  source: Partial<Record<K, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = source[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * `schema` with the keys `keyOrder` lists first, in its order, then the others in theirs: a
 * declaration's `keyOrder` option (KeyOrder). Listed keys the schema does not hold are skipped here;
 * the model builder reports them.
 */
export function inKeyOrder<T extends object>(schema: T, keyOrder: readonly string[] | undefined): T {
  if (keyOrder === undefined) return schema;
  const source = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of keyOrder) if (key in source) out[key] = source[key];
  for (const [key, value] of Object.entries(source)) if (!(key in out)) out[key] = value;
  return out as T;
}
