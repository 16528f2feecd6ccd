/**
 * Resources the application created itself, registered with the controller
 * (`POST /aps/2/applications/{instance-id}/{service}/`, docs.cloudblue.com/cbc/sdk/21.0/api/rest/
 * application/instance-operations: "Unlike provisioning resources, an application requests that the
 * APS controller register a resource that has been created on the application side"). The resource
 * exists on the application's side already, so the endpoint is not called and no task is made: the
 * body is checked like any create (defaults filled, the type's schema, the links it names), then the
 * resource is stored ready, linked as a provisioned one would be (the links its body names, and its
 * required relation to the globals), and answered.
 *
 * Unlike a client's create, the body may set read-only properties: the application is who sets them
 * (as with its own writes, LifecycleCommands.updateByApp).
 */
import { randomUUID } from 'node:crypto';
import {
  BadRequestError,
  Events,
  invalidError,
  NotFoundError,
  ResourceStatus,
  type Class,
  type TypeModel,
} from '@apskit/core';
import type { ResourceRecord, Store } from '@apskit/store';
import type { ChangeEvents } from '../events/change-events';
import type { EventRaising } from '../events/event-raising';
import { declaredSubscriptions } from '../events/declared-subscriptions';
import type { LinkPlanner } from '../links/link-planner';
import type { ServiceInfo, ServiceRegistry } from '../registry/service-registry';
import { withDefaults } from './defaults';

export interface RegistrationDeps {
  readonly store: Store;
  readonly registry: ServiceRegistry;
  readonly links: LinkPlanner;
  readonly changes: ChangeEvents;
  readonly clock: () => number;
  /** The application's services, by service name (the `{service}` of the path). */
  readonly services: Readonly<Record<string, Class>>;
  /** Raises `available` for a registered resource (its deliveries stored with its links). */
  readonly events?: Pick<EventRaising, 'raise' | 'announce'>;
}

export class AppRegistration {
  private readonly byService = new Map<string, ServiceInfo>();

  constructor(
    private readonly deps: RegistrationDeps,
    model: TypeModel,
  ) {
    for (const [service, cls] of Object.entries(deps.services)) {
      const info = deps.registry.find(model.get(cls).id);
      if (info) this.byService.set(service, info);
    }
  }

  /** The service of this name: a 404 naming the services there are when there is none. */
  serviceNamed(service: string): ServiceInfo {
    const info = this.byService.get(service);
    if (!info)
      throw new NotFoundError(
        `The application has no service "${service}"; it has ${[...this.byService.keys()].join(', ')}`,
      );
    return info;
  }

  /**
   * Stores a resource the application created, of the type its `service` serves, and answers the
   * stored record. Bad input is a 400 naming each field, and nothing is stored.
   */
  async register(service: string, body: unknown): Promise<ResourceRecord> {
    const info = this.serviceNamed(service);
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new BadRequestError('Expected the resource as a JSON object');
    const input = body as Record<string, unknown>;
    const aps = input.aps;
    if (aps !== undefined && (aps === null || typeof aps !== 'object' || Array.isArray(aps)))
      throw new BadRequestError('aps must be an object', [{ field: 'aps', message: 'is not an object' }]);
    const { type, id } = (aps ?? {}) as { type?: unknown; id?: unknown };
    // The service names the type; an `aps.type` that says otherwise is a mistake worth telling.
    if (type !== undefined && type !== info.type.id && type !== info.type.name)
      throw new BadRequestError(`The service "${service}" serves ${info.type.id}, not ${String(type)}`, [
        { field: 'aps.type', message: `is not the type of the service "${service}"` },
      ]);
    // The controller gives every resource its APS ID, as it does when provisioning.
    if (id !== undefined)
      throw new BadRequestError('A registered resource gets its aps.id from the controller', [
        { field: 'aps.id', message: 'is assigned by the controller' },
      ]);

    const { aps: _aps, ...given } = withDefaults(info.type, input);
    const issues = [...info.validators.create(given)];
    const split = await this.deps.links.split(info, given);
    issues.push(...split.linkIssues);
    if (issues.length > 0) throw invalidError(info.type.name, issues);

    const resource: ResourceRecord = {
      id: randomUUID(),
      type: info.type.id,
      status: ResourceStatus.ready,
      revision: 1,
      modified: this.deps.clock(),
      properties: split.properties,
    };
    const links = await this.deps.links.linksOfNew(info, resource.id, split.links, undefined);
    // A registered resource is available at once: the deliveries go with its links, which count for
    // who may see it though they are not stored yet (events/visibility).
    const available = (await this.deps.events?.raise(Events.available, resource, { pending: links })) ?? [];
    const { store } = this.deps;
    await store.putResource(resource);
    try {
      await store.changeLinks([], links, available);
      // The subscriptions its type declares (@OnEvent); their ids are fixed, so adding one twice is a no-op.
      const subscriptions = declaredSubscriptions(info.type, resource.id, resource.modified);
      for (const s of subscriptions) await store.addSubscription(s, subscriptions.length);
    } catch (e) {
      // Not half registered: without its links and subscriptions, the resource goes too.
      await store.deleteResource(resource.id).catch(() => undefined);
      throw e;
    }
    this.deps.changes.resource(resource.id);
    this.deps.events?.announce(available);
    return resource;
  }
}
