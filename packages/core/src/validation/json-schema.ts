/**
 * JSON Schema (2020-12) of what travels on the wire for a type: its resource representation, its
 * structures and operation parameters. The runtime compiles it into validators once, when a model is
 * built; OpenAPI documents reuse it.
 */
import type { ApsTypeModel, ItemsSchema, PropertyModel, StructureModel } from '../model/model';

export type JsonSchema = { [keyword: string]: unknown };

/**
 * `create` (provision): required properties must be there. `update` (configure): a property left out
 * keeps its value, so nothing is required at the top level.
 */
export type ResourceSchemaMode = 'create' | 'update';

export interface StructureRefsOptions {
  /** What a key is appended to in a `$ref`: `#/$defs/` (the default), `#/components/schemas/`, … */
  readonly base?: string;
  /** Keys already taken where the definitions go (an OpenAPI document's other component names). */
  readonly reserved?: Iterable<string>;
}

/**
 * Names the definition of each structure, unique even where two structures share a name. One
 * instance shared by several schemas gives each structure one definition for all of them, as an
 * OpenAPI document's `components/schemas` wants.
 */
export class StructureRefs {
  private readonly keys = new Map<StructureModel, string>();
  private readonly used: Set<string>;
  private readonly pending: StructureModel[] = [];
  private readonly base: string;

  constructor(options: StructureRefsOptions = {}) {
    this.base = options.base ?? '#/$defs/';
    this.used = new Set(options.reserved);
  }

  ref(s: StructureModel): JsonSchema {
    let key = this.keys.get(s);
    if (!key) {
      key = s.name;
      for (let i = 2; this.used.has(key); i++) key = `${s.name}_${i}`;
      this.keys.set(s, key);
      this.used.add(key);
      this.pending.push(s);
    }
    return { $ref: `${this.base}${key}` };
  }

  /** The `$defs` of every structure referenced so far (and of the structures they reference). */
  defs(): Record<string, JsonSchema> {
    const defs: Record<string, JsonSchema> = {};
    for (let i = 0; i < this.pending.length; i++) {
      const s = this.pending[i];
      defs[this.keys.get(s) as string] = objectSchema(s.properties, this, true);
    }
    return defs;
  }
}

/**
 * The JSON Schema of a resource of `type` as a request body carries it. Structures are `$defs` of
 * the result, or, given shared `refs`, references the caller collects with `refs.defs()`.
 */
export function resourceJsonSchema(type: ApsTypeModel, mode: ResourceSchemaMode, shared?: StructureRefs): JsonSchema {
  const refs = shared ?? new StructureRefs();
  const schema = objectSchema(type.properties, refs, mode === 'create');
  const properties = schema.properties as Record<string, JsonSchema>;
  // What APS adds to every resource, and relations given as {"aps": {"id": …}} links.
  properties.aps = { type: 'object' };
  for (const r of type.relations) {
    properties[r.name] = nullable(r.collection ? { type: 'array', items: LINK } : LINK);
  }
  return shared ? schema : withDefs(schema, refs);
}

/** The JSON Schema of one value of an APS type (a parameter or a response); `shared` as above. */
export function valueJsonSchema(
  type: string,
  items: ItemsSchema | undefined,
  structure: StructureModel | undefined,
  shared?: StructureRefs,
): JsonSchema {
  const refs = shared ?? new StructureRefs();
  const schema = typeSchema(type, items, structure, undefined, refs);
  return shared ? schema : withDefs(schema, refs);
}

function withDefs(schema: JsonSchema, refs: StructureRefs): JsonSchema {
  const defs = refs.defs();
  return Object.keys(defs).length > 0 ? { ...schema, $defs: defs } : schema;
}

const LINK: JsonSchema = {
  type: 'object',
  properties: { aps: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } },
  required: ['aps'],
};

function objectSchema(props: readonly PropertyModel[], refs: StructureRefs, enforceRequired: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const p of props) {
    properties[p.name] = propertyJsonSchema(p, refs);
    if (enforceRequired && p.schema.required) required.push(p.name);
  }
  const schema: JsonSchema = { type: 'object', properties, additionalProperties: false };
  if (required.length > 0) schema.required = required;
  return schema;
}

function propertyJsonSchema(p: PropertyModel, refs: StructureRefs): JsonSchema {
  const s = p.schema;
  const out = withConstraints(typeSchema(s.type, s.items, p.structure, p.inline, refs), s);
  // A property that is not required may be sent as null, which APS reads as "not set".
  return s.required ? out : nullable(out);
}

/** The APS attributes that constrain a value, as JSON Schema keywords of the same names. */
function withConstraints(out: JsonSchema, s: ItemsSchema): JsonSchema {
  if (s.enum) out.enum = [...s.enum];
  if (s.pattern !== undefined) out.pattern = s.pattern;
  if (s.format !== undefined) out.format = s.format;
  if (s.minimum !== undefined) out.minimum = s.minimum;
  if (s.maximum !== undefined) out.maximum = s.maximum;
  if (s.minLength !== undefined) out.minLength = s.minLength;
  if (s.maxLength !== undefined) out.maxLength = s.maxLength;
  if (s.minItems !== undefined) out.minItems = s.minItems;
  if (s.maxItems !== undefined) out.maxItems = s.maxItems;
  return out;
}

function typeSchema(
  type: string,
  items: ItemsSchema | undefined,
  structure: StructureModel | undefined,
  inline: readonly PropertyModel[] | undefined,
  refs: StructureRefs,
): JsonSchema {
  switch (type) {
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
      return { type };
    case 'array':
      return { type: 'array', items: items ? itemsSchema(items, structure, refs) : {} };
    case 'object':
      return inline ? objectSchema(inline, refs, true) : { type: 'object' };
    default:
      // A structure, or a type ID (a resource given by value or as a link): an object either way.
      return structure && structure.name === type ? refs.ref(structure) : { type: 'object' };
  }
}

function itemsSchema(items: ItemsSchema, structure: StructureModel | undefined, refs: StructureRefs): JsonSchema {
  // Items are never null: APS's "not set" is for properties. Their attributes constrain each item.
  return withConstraints(typeSchema(items.type, items.items, structure, undefined, refs), items);
}

function nullable(schema: JsonSchema): JsonSchema {
  if (typeof schema.type === 'string') {
    const out: JsonSchema = { ...schema, type: [schema.type, 'null'] };
    if (Array.isArray(schema.enum)) out.enum = [...schema.enum, null];
    return out;
  }
  return { anyOf: [schema, { type: 'null' }] };
}
