import type {
  Class,
  EventHandlerRecord,
  MistakeRecord,
  OperationRecord,
  ParamRecord,
  PropertyRecord,
  RelationRecord,
  StructureRecord,
  TypeRecord,
} from './records';

/**
 * One storage holds everything the decorators record (the class-validator pattern). Decorators only
 * append here; the model builder reads it once per model. The storage lives on `globalThis` under a
 * registered symbol so that two copies of @apskit/core in one process (a linked workspace and an
 * installed one, say) still share the same declarations.
 */
export class MetadataStorage {
  private readonly types = new Map<Class, TypeRecord>();
  private readonly structures = new Map<Class, StructureRecord>();
  private readonly properties = new Map<Class, PropertyRecord[]>();
  private readonly relations = new Map<Class, RelationRecord[]>();
  private readonly operations = new Map<Class, OperationRecord[]>();
  private readonly params = new Map<Class, ParamRecord[]>();
  private readonly mistakes = new Map<Class, MistakeRecord[]>();
  private readonly eventHandlers = new Map<Class, EventHandlerRecord[]>();

  addType(record: TypeRecord): void {
    this.types.set(record.target, record);
  }

  addStructure(record: StructureRecord): void {
    this.structures.set(record.target, record);
  }

  addProperty(record: PropertyRecord): void {
    push(this.properties, record.target, record);
  }

  addRelation(record: RelationRecord): void {
    push(this.relations, record.target, record);
  }

  addOperation(record: OperationRecord): void {
    push(this.operations, record.target, record);
  }

  addParam(record: ParamRecord): void {
    push(this.params, record.target, record);
  }

  addMistake(record: MistakeRecord): void {
    push(this.mistakes, record.target, record);
  }

  addEventHandler(record: EventHandlerRecord): void {
    push(this.eventHandlers, record.target, record);
  }

  typeOf(target: Class): TypeRecord | undefined {
    return this.types.get(target);
  }

  structureOf(target: Class): StructureRecord | undefined {
    return this.structures.get(target);
  }

  /** Records declared on exactly this class, in declaration order (base classes are the builder's job). */
  ownProperties(target: Class): readonly PropertyRecord[] {
    return this.properties.get(target) ?? [];
  }

  ownRelations(target: Class): readonly RelationRecord[] {
    return this.relations.get(target) ?? [];
  }

  ownOperations(target: Class): readonly OperationRecord[] {
    return this.operations.get(target) ?? [];
  }

  ownParams(target: Class): readonly ParamRecord[] {
    return this.params.get(target) ?? [];
  }

  ownMistakes(target: Class): readonly MistakeRecord[] {
    return this.mistakes.get(target) ?? [];
  }

  ownEventHandlers(target: Class): readonly EventHandlerRecord[] {
    return this.eventHandlers.get(target) ?? [];
  }
}

function push<R>(map: Map<Class, R[]>, key: Class, record: R): void {
  const list = map.get(key);
  if (list) list.push(record);
  else map.set(key, [record]);
}

const STORAGE_KEY = Symbol.for('@apskit/core:metadata-storage');
type GlobalWithStorage = typeof globalThis & { [STORAGE_KEY]?: MetadataStorage };

/** The process-wide metadata storage. */
export function getMetadataStorage(): MetadataStorage {
  const g = globalThis as GlobalWithStorage;
  return (g[STORAGE_KEY] ??= new MetadataStorage());
}
