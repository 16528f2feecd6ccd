/**
 * The vocabulary of APS events: the five general event types, an event subscription and the
 * notification the controller POSTs to a subscription's handler.
 * - Event types: docs.cloudblue.com/cbc/sdk/8.2/concepts/events/aps-event/general/
 * - Subscriptions (`/aps/2/resources/{id}/aps/subscriptions`):
 *   docs.cloudblue.com/cbc/sdk/8.2/concepts/events/aps-event/event-subscriptions/
 * - Notifications and delivery: docs.cloudblue.com/cbc/sdk/8.2/concepts/events/aps-event/event-processing/
 */
import { declareForeignStructure } from '../model/foreign-structures';
import { CoreStructures } from '../usage/counters';

/** The general event types: any resource or type can be their source. */
export const Events = {
  /** A link to the source was created. */
  linked: 'http://aps-standard.org/core/events/linked',
  /** A link to the source was removed. */
  unlinked: 'http://aps-standard.org/core/events/unlinked',
  /** Properties or `aps.status` of the source changed: one event per update, whatever it changed. */
  changed: 'http://aps-standard.org/core/events/changed',
  /** The source was removed. */
  removed: 'http://aps-standard.org/core/events/removed',
  /** A new resource became available. */
  available: 'http://aps-standard.org/core/events/available',
} as const;

export type EventType = (typeof Events)[keyof typeof Events];

const EVENT_TYPE_SET: ReadonlySet<string> = new Set(Object.values(Events));

/** Whether `value` is one of the five general event types. */
export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && EVENT_TYPE_SET.has(value);
}

/** The type IDs the spec gives the subscription and notification schemas. */
export const EventTypeIds = {
  subscription: 'http://aps-standard.org/types/core/event/subscription/1.0',
  notification: 'http://aps-standard.org/types/core/event/notification/1.0',
} as const;

/** Where events come from: one resource (`id`) or every resource of an APS type (`type`). */
export interface EventSource {
  readonly type?: string;
  readonly id?: string;
}

/**
 * An event subscription (the spec's EventSubscription). Named so, not `Subscription`, because APS's
 * subscription is the core commercial type (`CoreTypes.subscription`).
 */
export interface EventSubscription {
  /** Assigned by the controller; absent from a creation request. */
  readonly id?: string;
  /** One of `Events` (or a specialized event type URI). */
  readonly event: EventType | (string & {});
  readonly source?: EventSource;
  /** For linked/unlinked: the relation of the source the link is made in. */
  readonly relation?: string;
  /** The name of an operation of the subscriber that takes one Notification body parameter. */
  readonly handler: string;
}

/**
 * What the controller POSTs to a handler (the spec's EventNotification). The handler answers 200 or
 * 204 to end delivery; 202 asks for redelivery (no limit); a 4xx or 5xx is redelivered up to 10 times.
 *
 * The spec has two names for the event type URI: the EventNotification schema (event-processing page)
 * calls it `event`, the core resource type's `Notification` structure, which handlers declare as their
 * parameter type, calls it `type`. A body with both satisfies both, so both are here.
 */
export interface EventNotification {
  readonly event: EventType | (string & {});
  readonly type?: EventType | (string & {});
  /** ISO 8601 date-time of the event. */
  readonly time?: string;
  /** Increments with each event. */
  readonly serial?: number;
  /** The id of the EventSubscription that matched. */
  readonly subscription?: string;
  readonly source?: EventSource;
}

/**
 * The core resource's Notification structure as a class, for a handler's parameter:
 * `@Param('event', { kind: 'body', type: Notification })` publishes
 * `"type": "http://aps-standard.org/types/core/resource/1.0#Notification"`, as the spec's example does.
 */
export class Notification implements EventNotification {
  event!: string;
  type?: string;
  time?: string;
  serial?: number;
  subscription?: string;
  source?: EventSource;
}

declareForeignStructure(Notification, CoreStructures.notification);
