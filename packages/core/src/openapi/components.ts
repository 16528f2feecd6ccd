/**
 * The schemas of a document's types and structures, each defined once in `components/schemas` and
 * referenced wherever it is used. The JSON Schemas are the runtime's validation schemas
 * (../validation/json-schema.ts) with one shared StructureRefs, so a structure used by two types or
 * by a property and a parameter is one component.
 *
 * Names: a type's resource is its APS name (`provisionable`), its configure body `<name>.update`;
 * a structure is its name, suffixed `_2`… where a type or another structure has it. APSKit's own
 * schemas are dotted (`aps.Error`), which neither type nor structure names may be, so they never clash.
 */
import type { ApsTypeModel, ItemsSchema, StructureModel } from '../model/model';
import { resourceJsonSchema, StructureRefs, valueJsonSchema, type JsonSchema } from '../validation/json-schema';
import { ref } from './aps-protocol';

export class SchemaComponents {
  private readonly refs: StructureRefs;
  private readonly types = new Map<ApsTypeModel, string>();
  private readonly schemas: Record<string, JsonSchema> = {};

  constructor(types: readonly ApsTypeModel[]) {
    const names = new Set<string>();
    for (const type of types) {
      if (this.types.has(type)) continue;
      let name = type.name;
      for (let i = 2; names.has(name); i++) name = `${type.name}_${i}`;
      names.add(name);
      this.types.set(type, name);
    }
    this.refs = new StructureRefs({ base: '#/components/schemas/', reserved: names });
  }

  /** The resource of a type as provision sends it and every answer carries it. */
  resource(type: ApsTypeModel): JsonSchema {
    const name = this.nameOf(type);
    this.schemas[name] ??= { title: type.id, ...resourceJsonSchema(type, 'create', this.refs) };
    return ref('schemas', name);
  }

  /** What configure sends: the properties to change, none required. */
  update(type: ApsTypeModel): JsonSchema {
    const name = `${this.nameOf(type)}.update`;
    this.schemas[name] ??= { title: `${type.id} (update)`, ...resourceJsonSchema(type, 'update', this.refs) };
    return ref('schemas', name);
  }

  /** A parameter's or a response's value; a structure becomes a reference to its component. */
  value(type: string, items: ItemsSchema | undefined, structure: StructureModel | undefined): JsonSchema {
    return valueJsonSchema(type, items, structure, this.refs);
  }

  /** Every schema referenced so far, structures included. */
  all(): Record<string, JsonSchema> {
    return { ...this.schemas, ...this.refs.defs() };
  }

  private nameOf(type: ApsTypeModel): string {
    const name = this.types.get(type);
    if (name === undefined) throw new Error(`toOpenApi: ${type.name} is not one of the document's types`);
    return name;
  }
}
