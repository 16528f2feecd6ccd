/**
 * The services the controller serves: the type model, built once, and each service's type with its
 * compiled validators, found by service name, type ID or APS type name. Every other part of the
 * controller asks here; none builds a model or compiles a validator of its own.
 */
import {
  BadRequestError,
  buildTypeModel,
  compileImmutableChecks,
  compileResourceValidators,
  CoreTypes,
  type ApsTypeModel,
  type Class,
  type ImmutableChecks,
  type RelationModel,
  type ResourceValidators,
  type TypeModel,
} from '@apskit/core';

export interface ServiceInfo {
  /** The service name: the first path segment of the endpoint's routes for this type. */
  readonly service: string;
  readonly type: ApsTypeModel;
  readonly validators: ResourceValidators;
  readonly immutables: ImmutableChecks;
}

/** What a registry may start from instead of building: a model and validators already made (an in-process endpoint's). */
export interface CompiledServices {
  readonly model: TypeModel;
  readonly services: ReadonlyMap<string, Pick<ServiceInfo, 'type' | 'validators' | 'immutables'>>;
}

export class ServiceRegistry {
  readonly model: TypeModel;
  private readonly byName = new Map<string, ServiceInfo>();
  /** By type ID and by APS type name (a name only one served type has). */
  private readonly byType = new Map<string, ServiceInfo>();
  /** APS names several served types have (APS tells types by ID): their IDs, for the error. */
  private readonly sharedNames = new Map<string, string[]>();

  constructor(services: Readonly<Record<string, Class>>, compiled?: CompiledServices) {
    this.model = compiled?.model ?? buildTypeModel(Object.values(services));
    for (const [service, cls] of Object.entries(services)) {
      const made = compiled?.services.get(service);
      const type = made?.type ?? this.model.get(cls);
      const info: ServiceInfo = {
        service,
        type,
        validators: made?.validators ?? compileResourceValidators(type),
        immutables: made?.immutables ?? compileImmutableChecks(type),
      };
      this.byName.set(service, info);
      this.byType.set(type.id, info);
    }
    const ids = new Map<string, ServiceInfo[]>();
    for (const info of this.byName.values()) ids.set(info.type.name, [...(ids.get(info.type.name) ?? []), info]);
    for (const [name, infos] of ids) {
      const distinct = [...new Set(infos.map((i) => i.type.id))];
      if (distinct.length === 1) this.byType.set(name, infos[0] as ServiceInfo);
      else this.sharedNames.set(name, distinct);
    }
  }

  /**
   * The service of a type ID or name, or undefined when this application serves no such type.
   * @throws BadRequestError for an APS name that several served types have: only an ID tells which.
   */
  find(typeRef: string): ServiceInfo | undefined {
    const shared = this.sharedNames.get(typeRef);
    if (shared) {
      throw new BadRequestError(
        `The type name "${typeRef}" is ambiguous: this application serves ${shared.length} types of that name (${shared.join(', ')}); give the type ID`,
        [{ field: 'aps.type', message: 'is a name several served types have' }],
      );
    }
    return this.byType.get(typeRef);
  }

  /** The service of a resource's `aps.type`: a 400 that names the types served when there is none. */
  serviceOf(typeRef: unknown): ServiceInfo {
    if (typeof typeRef !== 'string' || typeRef === '')
      throw new BadRequestError('The resource has no aps.type', [{ field: 'aps.type', message: 'is required' }]);
    const info = this.find(typeRef);
    if (!info) {
      const known = [...this.byName.values()].map((s) => s.type.id).join(', ');
      throw new BadRequestError(`Unknown type "${typeRef}"; this application serves ${known}`, [
        { field: 'aps.type', message: 'is not a type this application serves' },
      ]);
    }
    return info;
  }

  /** The service of the application's globals (the type implementing the core application type), if it has one. */
  globals(): ServiceInfo | undefined {
    return [...this.byName.values()].find((s) => s.type.implements.includes(CoreTypes.application));
  }

  /** Whether a served type implements `wanted` (a type ID). */
  implementsType(typeId: string, wanted: string): boolean {
    return this.byType.get(typeId)?.type.implements.includes(wanted) ?? false;
  }

  /** A relation of a served type by name. */
  relation(typeId: string, name: string): RelationModel | undefined {
    return this.byType.get(typeId)?.type.relations.find((r) => r.name === name);
  }
}
