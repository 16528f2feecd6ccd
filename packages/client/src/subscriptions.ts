/**
 * Event subscriptions of a resource, `/aps/2/resources/{id}/aps/subscriptions`
 * (docs.cloudblue.com/cbc/sdk/21.0/concepts/events/aps-event/event-subscriptions): subscribe a
 * resource (the subscriber) to an event of another resource or of every resource of a type, list
 * its subscriptions (those its type declares with `@OnEvent` among them, marked `declared`), and
 * remove one.
 */
import type { Class, EventSource, EventSubscription, EventType } from '@apskit/core';
import type { HttpRequest } from './http';
import { typeModelOf } from './model';
import type { ResourceRef } from './types';

/** What `subscribe` asks for: the spec's EventSubscription without its id. */
export interface SubscribeInput {
  /** One of `Events` (or a specialized event type URI). */
  readonly event: EventType | (string & {});
  /**
   * Where events come from: one resource (`{ id }`), every resource of a type (`{ type }`, a type
   * ID), or the @ApsType class of that type.
   */
  readonly source: EventSource | Class;
  /** For linked/unlinked: only links through this relation of the source. */
  readonly relation?: string;
  /** The name of the subscriber's operation that takes the notification (one Notification body parameter). */
  readonly handler: string;
}

/** A subscription as the controller keeps it: with the id it gave it. */
export type SubscriptionEntry = EventSubscription & {
  readonly id: string;
  /** Created by the controller with its subscriber, from its type's `@OnEvent` declarations. */
  readonly declared?: boolean;
};

/** What the subscription calls need of the client: one JSON request. */
export interface SubscriptionTransport {
  json<R>(request: HttpRequest): Promise<R>;
}

/** `POST …/aps/subscriptions`: the subscription with the id the controller gave it. */
export function subscribe(
  http: SubscriptionTransport,
  resource: string | ResourceRef,
  input: SubscribeInput,
  options: { signal?: AbortSignal } = {},
): Promise<SubscriptionEntry> {
  const source: EventSource =
    typeof input.source === 'function' ? { type: typeModelOf(input.source).id } : input.source;
  const body: EventSubscription = {
    event: input.event,
    source,
    ...(input.relation !== undefined && { relation: input.relation }),
    handler: input.handler,
  };
  // Not retried: each POST makes a new subscription, so a retry after a lost answer could make two.
  return http.json({ method: 'POST', path: subscriptionsPath(resource), body, signal: options.signal });
}

/** `GET …/aps/subscriptions`: every subscription of the resource, declared ones included, oldest first. */
export function listSubscriptions(
  http: SubscriptionTransport,
  resource: string | ResourceRef,
  options: { signal?: AbortSignal } = {},
): Promise<SubscriptionEntry[]> {
  return http.json({ method: 'GET', path: subscriptionsPath(resource), signal: options.signal });
}

/** `DELETE …/aps/subscriptions/{subscriptionId}`. */
export async function unsubscribe(
  http: SubscriptionTransport,
  resource: string | ResourceRef,
  subscriptionId: string,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await http.json({
    method: 'DELETE',
    path: `${subscriptionsPath(resource)}/${encodeURIComponent(subscriptionId)}`,
    signal: options.signal,
  });
}

function subscriptionsPath(resource: string | ResourceRef): string {
  const id = typeof resource === 'string' ? resource : resource.aps.id;
  return `/aps/2/resources/${encodeURIComponent(id)}/aps/subscriptions`;
}
