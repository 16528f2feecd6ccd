/**
 * Which served types the usage sync retrieves: those with a top-level property typed as one of the
 * core resource type's `Counter` or `Usage` structures (docs.cloudblue.com/cbc/sdk/8.2/apps/proc/
 * counters: the platform's sync "must update the usage property of the Counter and Usage structures").
 * A type with only `Limit` properties counts nothing, so it is not retrieved.
 */
import { CoreStructures, type ApsTypeModel } from '@apskit/core';
import type { ServiceInfo, ServiceRegistry } from '../registry/service-registry';

const COUNTED: readonly string[] = [CoreStructures.counter, CoreStructures.usage];

/** The names of a type's `Counter` properties (those that have both a usage and a limit). */
export function counterProperties(type: ApsTypeModel): string[] {
  return type.properties.filter((p) => p.schema.type === CoreStructures.counter).map((p) => p.name);
}

/** The served types with counters, in type id order (the order a sync walks them in, every run alike). */
export function countedServices(registry: ServiceRegistry): ServiceInfo[] {
  return registry.model.types
    .filter((t) => t.properties.some((p) => COUNTED.includes(p.schema.type)))
    .map((t) => registry.find(t.id))
    .filter((info): info is ServiceInfo => info !== undefined)
    .sort((a, b) => (a.type.id < b.type.id ? -1 : a.type.id > b.type.id ? 1 : 0));
}
