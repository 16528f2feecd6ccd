/**
 * Resource usage: the Counter, Limit and Usage structures of the APS core resource type
 * (docs.cloudblue.com/cbc/sdk/8.2/api/types/standard/core/resource/), as classes to type properties
 * with. `@Property({ unit: 'mb' }) diskspace?: Counter` publishes
 * `{ "type": "http://aps-standard.org/types/core/resource/1.0#Counter", "unit": "mb" }`: the resource
 * type declares these structures, so an app names them there and does not publish its own copy.
 *
 * The platform's "Synchronize resource usage" task calls each resource's `retrieve` (GET) and stores
 * the `usage` it answers (docs.cloudblue.com/cbc/sdk/8.2/apps/proc/counters/): `retrieve()` is where
 * an app reports usage. `limit` is set by the platform (the subscription's limit); an app reads it.
 */
import { CoreTypes } from '../core-types';
import { declareForeignStructure } from '../model/foreign-structures';

/** The structures the core resource type declares, as `<type ID>#<structure>` references. */
export const CoreStructures = {
  counter: `${CoreTypes.resource}#Counter`,
  limit: `${CoreTypes.resource}#Limit`,
  usage: `${CoreTypes.resource}#Usage`,
  notification: `${CoreTypes.resource}#Notification`,
  notificationSource: `${CoreTypes.resource}#NotificationSource`,
} as const;

/** A counted resource: what is used (`usage`) and, when the subscription limits it, the `limit`. */
export class Counter {
  /** Integer, in the property's `unit`: what the app reports from `retrieve()`. */
  usage?: number;
  /** Integer; absent when unlimited. */
  limit?: number;
}

/** A limit alone (no usage is counted). */
export class Limit {
  limit?: number;
}

/** A usage alone (nothing limits it). */
export class Usage {
  usage?: number;
}

declareForeignStructure(Counter, CoreStructures.counter);
declareForeignStructure(Limit, CoreStructures.limit);
declareForeignStructure(Usage, CoreStructures.usage);
