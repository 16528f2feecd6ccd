/**
 * Event subscriptions: what a resource (the subscriber) asks to be told about, served at
 * `/aps/2/resources/{id}/aps/subscriptions` (docs.cloudblue.com/cbc/sdk/21.0/concepts/events/aps-event/event-subscriptions).
 * Kept in the store (`SubscriptionRecord`, indexed so that a change finds its subscribers in one
 * query), with ids the controller assigns (a UUID each); they go with their subscriber, and with the
 * resource they name as their source, when it is removed (the store does it in the same step).
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
import type { Store, SubscriptionRecord } from '@apskit/store';

/**
 * The most subscriptions one resource keeps: a caller must not grow a resource's list without
 * bound. The spec names no limit; real subscribers hold a few.
 */
export const MAX_SUBSCRIPTIONS_PER_RESOURCE = 100;

/**
 * A subscription as the API shows it: the spec's EventSubscription with the id the controller gave
 * it, and `declared` on those the subscriber's type declares.
 */
export type EventSubscription = SubscriptionBody & { readonly id: string; readonly declared?: true };

export interface EventSubscriptionsDeps {
  readonly store: Pick<Store, 'addSubscription' | 'removeSubscription' | 'listSubscriptions'>;
  /** Whether a resource exists. */
  readonly exists: (id: string) => Promise<boolean>;
  /** Every type the application serves. */
  readonly types: readonly ApsTypeModel[];
  /** The served type of a type ID. */
  readonly typeOf: (typeId: string) => ApsTypeModel | undefined;
  readonly clock: () => number;
}

/** A stored subscription as the API shows it. */
export function subscriptionJson(s: SubscriptionRecord): EventSubscription {
  return {
    id: s.id,
    event: s.event,
    source: { ...(s.sourceType !== null && { type: s.sourceType }), ...(s.sourceId !== null && { id: s.sourceId }) },
    ...(s.relation !== null && { relation: s.relation }),
    handler: s.handler,
    // Ours, not the spec's: only on those the subscriber's type declares (`@OnEvent`).
    ...(s.declared && { declared: true }),
  };
}

export class EventSubscriptions {
  constructor(private readonly deps: EventSubscriptionsDeps) {}

  async list(subscriberId: string): Promise<EventSubscription[]> {
    return (await this.deps.store.listSubscriptions(subscriberId)).map(subscriptionJson);
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
    const record = await this.check(subscriber, body, sees);
    // The count and the write are one store step: two creations at once cannot pass the limit.
    if (!(await this.deps.store.addSubscription(record, MAX_SUBSCRIPTIONS_PER_RESOURCE)))
      throw new ConflictError(
        `Resource ${subscriber.id} has ${MAX_SUBSCRIPTIONS_PER_RESOURCE} event subscriptions, the most one resource keeps: remove one first`,
      );
    return subscriptionJson(record);
  }

  async remove(subscriberId: string, id: string): Promise<void> {
    if (!(await this.deps.store.removeSubscription(subscriberId, id)))
      throw new NotFoundError(`Resource ${subscriberId} has no event subscription ${id}`);
  }

  private async check(
    subscriber: { id: string; type: string },
    body: unknown,
    sees: (id: string) => Promise<boolean>,
  ): Promise<SubscriptionRecord> {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new BadRequestError('An event subscription is a JSON object', [
        { field: 'body', message: 'is not an object' },
      ]);
    const b = body as Record<string, unknown>;
    const bad = (field: string, message: string): never => {
      throw new BadRequestError(`Invalid event subscription: ${field} ${message}`, [{ field, message }]);
    };
    if (!isEventType(b.event)) bad('event', `must be one of ${Object.values(Events).join(', ')}`);
    const type = this.deps.typeOf(subscriber.type);
    if (typeof b.handler !== 'string' || !type?.operations.some((o) => o.name === b.handler))
      bad('handler', `must name an operation of ${type?.name ?? subscriber.type}`);
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
      subscriberId: subscriber.id,
      event: b.event as string,
      sourceType: (s.type as string | undefined) ?? null,
      sourceId: (s.id as string | undefined) ?? null,
      relation: (b.relation as string | undefined) ?? null,
      handler: b.handler as string,
      declared: false,
      createdAt: this.deps.clock(),
    };
  }
}
