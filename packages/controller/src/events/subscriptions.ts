/**
 * Event subscriptions: what a resource (the subscriber) asks to be told about, served at
 * `/aps/2/resources/{id}/aps/subscriptions` (docs.cloudblue.com/cbc/sdk/21.0/concepts/events/aps-event/event-subscriptions).
 * Kept durably in the store's meta table, one JSON list per subscriber under a key of the
 * controller's own, so that no Store change is needed; ids are the controller's (a UUID each).
 * Only the subscriptions are kept here: nothing is delivered yet.
 */
import { randomUUID } from 'node:crypto';
import {
  BadRequestError,
  ConflictError,
  Events,
  isEventType,
  NotFoundError,
  type ApsTypeModel,
  type EventSubscription as SubscriptionBody,
} from '@apskit/core';
import type { Controller } from '../controller';
import { ResourceLocks } from '../links/resource-locks';

/** The meta-table key prefix of the subscriptions of one resource. */
export const SUBSCRIPTIONS_META_PREFIX = 'aps-subscriptions:';
/**
 * The most subscriptions one resource keeps: its list is one stored value, rewritten on each change,
 * so a caller must not grow it without bound. The spec names no limit; real subscribers hold a few.
 */
export const MAX_SUBSCRIPTIONS_PER_RESOURCE = 100;

/** A stored subscription: the spec's EventSubscription with the id the controller gave it. */
export type EventSubscription = SubscriptionBody & { readonly id: string };

export interface EventSubscriptionsDeps {
  /** Durable values by key (the controller's key-value port over its meta table). */
  readonly meta: { get(key: string): Promise<string | undefined>; set(key: string, value: string): Promise<void> };
  /** Whether a resource exists. */
  readonly exists: (id: string) => Promise<boolean>;
  /** Every type the application serves. */
  readonly types: readonly ApsTypeModel[];
  /** The served type of a type ID. */
  readonly typeOf: (typeId: string) => ApsTypeModel | undefined;
}

export class EventSubscriptions {
  /** One change at a time per subscriber, so that two creations do not both read the old list. */
  private readonly locks = new ResourceLocks();

  constructor(private readonly deps: EventSubscriptionsDeps) {}

  async list(subscriberId: string): Promise<EventSubscription[]> {
    const text = await this.deps.meta.get(SUBSCRIPTIONS_META_PREFIX + subscriberId);
    return text === undefined ? [] : (JSON.parse(text) as EventSubscription[]);
  }

  async get(subscriberId: string, id: string): Promise<EventSubscription> {
    const found = (await this.list(subscriberId)).find((s) => s.id === id);
    if (!found) throw new NotFoundError(`Resource ${subscriberId} has no event subscription ${id}`);
    return found;
  }

  /** Checks the body, then stores it with an id of the controller's; a bad body stores nothing. */
  async create(
    subscriber: { id: string; type: string },
    body: unknown,
    /** Whether the caller sees a resource: one it does not is, to it, no resource (nothing leaks). */
    sees: (id: string) => Promise<boolean> = async () => true,
  ): Promise<EventSubscription> {
    const subscription = await this.check(subscriber.type, body, sees);
    return this.locks.with([subscriber.id], async () => {
      const all = await this.list(subscriber.id);
      if (all.length >= MAX_SUBSCRIPTIONS_PER_RESOURCE)
        throw new ConflictError(
          `Resource ${subscriber.id} has ${all.length} event subscriptions, the most one resource keeps: remove one first`,
        );
      await this.write(subscriber.id, [...all, subscription]);
      return subscription;
    });
  }

  async remove(subscriberId: string, id: string): Promise<void> {
    await this.locks.with([subscriberId], async () => {
      const all = await this.list(subscriberId);
      if (!all.some((s) => s.id === id))
        throw new NotFoundError(`Resource ${subscriberId} has no event subscription ${id}`);
      await this.write(
        subscriberId,
        all.filter((s) => s.id !== id),
      );
    });
  }

  /** A resource gone takes its subscriptions with it (the meta table has no delete: an empty list). */
  async forget(subscriberId: string): Promise<void> {
    await this.locks.with([subscriberId], async () => {
      if ((await this.deps.meta.get(SUBSCRIPTIONS_META_PREFIX + subscriberId)) !== undefined)
        await this.write(subscriberId, []);
    });
  }

  private write(subscriberId: string, all: readonly EventSubscription[]): Promise<void> {
    return this.deps.meta.set(SUBSCRIPTIONS_META_PREFIX + subscriberId, JSON.stringify(all));
  }

  private async check(
    subscriberType: string,
    body: unknown,
    sees: (id: string) => Promise<boolean>,
  ): Promise<EventSubscription> {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new BadRequestError('An event subscription is a JSON object', [
        { field: 'body', message: 'is not an object' },
      ]);
    const b = body as Record<string, unknown>;
    const bad = (field: string, message: string): never => {
      throw new BadRequestError(`Invalid event subscription: ${field} ${message}`, [{ field, message }]);
    };
    if (!isEventType(b.event)) bad('event', `must be one of ${Object.values(Events).join(', ')}`);
    const type = this.deps.typeOf(subscriberType);
    if (typeof b.handler !== 'string' || !type?.operations.some((o) => o.name === b.handler))
      bad('handler', `must name an operation of ${type?.name ?? subscriberType}`);
    if (b.relation !== undefined && typeof b.relation !== 'string') bad('relation', 'must be a string');
    const source = b.source;
    if (source !== undefined && (typeof source !== 'object' || source === null || Array.isArray(source)))
      bad('source', 'must be an object with type or id');
    const s = (source ?? {}) as Record<string, unknown>;
    // Where the spec is silent: a subscription names its source, by type or by id (or both).
    if (s.type === undefined && s.id === undefined) bad('source', 'must name a type or an id');
    if (s.type !== undefined) {
      const served = this.deps.types.some((t) => t.id === s.type || t.implements.includes(s.type as string));
      if (typeof s.type !== 'string' || !served) bad('source.type', 'is no type this application serves or implements');
    }
    if (s.id !== undefined && (typeof s.id !== 'string' || !(await this.deps.exists(s.id)) || !(await sees(s.id))))
      bad('source.id', 'names no resource');
    return {
      id: randomUUID(),
      event: b.event as string,
      source: {
        ...(s.type !== undefined && { type: s.type as string }),
        ...(s.id !== undefined && { id: s.id as string }),
      },
      ...(b.relation !== undefined && { relation: b.relation as string }),
      handler: b.handler as string,
    };
  }
}

const ofController = new WeakMap<Controller, EventSubscriptions>();

/**
 * The subscriptions of a controller, made at the first call (when its API is served), which also
 * makes a resource that goes take its subscriptions with it (`removed` is emitted once one is gone).
 * (A resource removed while no API is served leaves a list nobody can read: every route reaches the
 * subscriber first.)
 */
export function subscriptionsOf(controller: Controller): EventSubscriptions {
  let made = ofController.get(controller);
  if (made) return made;
  const subscriptions = new EventSubscriptions({
    meta: controller.keyValues,
    exists: async (id) => (await controller.findResource(id)) !== undefined,
    types: controller.model.types,
    typeOf: (typeId) => controller.model.types.find((t) => t.id === typeId),
  });
  made = subscriptions;
  ofController.set(controller, made);
  controller.events.on('removed', (id: string) => {
    // Only a store closed under it (at shutdown) fails here; the resource is gone either way.
    subscriptions.forget(id).catch(() => undefined);
  });
  return made;
}
