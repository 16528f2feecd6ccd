/**
 * Raising events: which of the controller's writes raise which event, and the delivery tasks each
 * raises, created in the same store step as the write (`followUps`: the task table is the outbox, so
 * a crash loses neither the change nor its notifications).
 *
 * - `available`: a provision's task succeeds; a resource the application registers.
 * - `changed`: a configure's or an upgrade's task succeeds; an application write that changed
 *   something. One event per operation, "regardless of how many properties are changed by one
 *   operation" (docs.cloudblue.com/cbc/sdk/21.0/concepts/events/aps-event/event-subscriptions).
 * - `removed`: an unprovision's task succeeds (raised before the resource is gone, with it).
 * - `linked` / `unlinked`: each link record a link operation adds or removes; its source is the
 *   link's `from`, its relation the link's (the way back is a record of its own, and raises its own).
 *   Links made with a new resource are announced by its `available`.
 *
 * The only cost on a change nobody subscribes to is one `matchingSubscriptions` query (an index).
 * The notification is the spec's EventNotification (docs.cloudblue.com/cbc/sdk/8.2/concepts/events/
 * aps-event/event-processing) with the core Notification's `type` too (see @apskit/core events).
 */
import {
  Events,
  LifecycleOperation,
  RequestPhase,
  TaskStatus,
  type EventNotification,
  type EventType,
} from '@apskit/core';
import {
  isLifecycle,
  type AttemptOutcome,
  type LinkRecord,
  type NewTask,
  type ResourceRecord,
  type Store,
  type TaskRecord,
} from '@apskit/store';
import type { ChangeEvents } from './change-events';
import type { ServiceRegistry } from '../registry/service-registry';
import { withOlderMinors } from '../registry/type-versions';
import { createdEvent } from '../tasks/job-registry';
import { newTaskId } from '../tasks/task-id';
import type { EventSerial } from './serial';
import type { EventVisibility } from './visibility';

/** The job kind of an event delivery. */
export const EVENT_DELIVERY_JOB = 'aps.event.deliver';

/** What a delivery task carries (its request body): what to deliver, to whom, and how it went so far. */
export interface DeliveryPayload {
  readonly subscriptionId: string;
  readonly subscriberId: string;
  /** The subscriber's operation that takes the notification. */
  readonly handler: string;
  readonly notification: EventNotification & { readonly serial: number; readonly source: { id: string; type: string } };
  /** Failed calls so far (4xx, 5xx, unreachable); a 202 or a wait for an earlier delivery is none. */
  readonly failures: number;
}

/**
 * The `resourceId` of a delivery task: the ordering key (one subscriber, one source), never a
 * resource's id, so that deliveries never make the subscriber's lifecycle busy.
 */
export function deliveryKey(subscriberId: string, sourceId: string): string {
  return `event-delivery:${subscriberId}:${sourceId}`;
}

/** The last segment of an event type URI (`changed`), for task names. */
export function eventName(event: string): string {
  return event.slice(event.lastIndexOf('/') + 1);
}

export interface EventRaisingDeps {
  readonly store: Pick<Store, 'matchingSubscriptions' | 'getResource'>;
  readonly registry: ServiceRegistry;
  readonly visibility: EventVisibility;
  readonly serial: EventSerial;
  readonly clock: () => number;
  readonly changes: ChangeEvents;
  /** Lets the scheduler look at the store now. */
  readonly wake: () => void;
}

export class EventRaising {
  constructor(private readonly deps: EventRaisingDeps) {}

  /**
   * The deliveries of `event` of `source` to every subscriber that matches and may see it: none
   * (after one query) when nobody subscribes. `relation`: a link's (linked/unlinked), which a
   * subscription's `relation` filters on. `pending`: links written in the same step.
   */
  async raise(
    event: EventType,
    source: Pick<ResourceRecord, 'id' | 'type'>,
    options: { relation?: string; pending?: readonly LinkRecord[] } = {},
  ): Promise<NewTask[]> {
    const { store, registry } = this.deps;
    const implemented = registry.find(source.type)?.type.implements ?? [];
    // A subscription to an older minor version of the source's type (made before an upgrade to
    // mailbox/1.1, or naming mailbox/1.0 on purpose) hears of it: a newer minor only adds properties.
    const matching = await store.matchingSubscriptions(
      event,
      source.id,
      withOlderMinors([source.type, ...implemented]),
    );
    if (matching.length === 0) return [];
    const link = event === Events.linked || event === Events.unlinked;
    const followUps: NewTask[] = [];
    let serial: number | undefined;
    const now = this.deps.clock();
    for (const s of matching) {
      if (link && s.relation !== null && s.relation !== options.relation) continue;
      const subscriber = await store.getResource(s.subscriberId);
      if (!subscriber || !(await this.deps.visibility.sees(subscriber, source.id, options.pending))) continue;
      // One event, one serial, whoever hears of it.
      serial ??= this.deps.serial.next();
      const payload: DeliveryPayload = {
        subscriptionId: s.id,
        subscriberId: s.subscriberId,
        handler: s.handler,
        notification: {
          event,
          type: event,
          time: new Date(now).toISOString(),
          serial,
          subscription: s.id,
          source: { id: source.id, type: source.type },
        },
        failures: 0,
      };
      const createdAt = this.deps.serial.createdAt();
      const task: TaskRecord = {
        id: newTaskId(),
        resourceId: deliveryKey(s.subscriberId, source.id),
        requestId: null,
        requestHash: null,
        operation: EVENT_DELIVERY_JOB,
        name: deliveryName(payload),
        description: '',
        output: '',
        status: TaskStatus.scheduled,
        attempts: 0,
        nextRunAt: now,
        deadlineAt: null,
        phase: RequestPhase.async,
        request: { method: 'JOB', path: EVENT_DELIVERY_JOB, body: payload },
        createdAt,
        updatedAt: createdAt,
        endedAt: null,
        leaseOwner: null,
        leaseUntil: null,
      };
      followUps.push({ task, event: createdEvent(task) });
    }
    return followUps;
  }

  /** `linked` or `unlinked` for each link record (the source's type read when not known). */
  async raiseForLinks(
    event: typeof Events.linked | typeof Events.unlinked,
    links: readonly LinkRecord[],
    knownTypes: ReadonlyMap<string, string> = new Map(),
  ): Promise<NewTask[]> {
    const followUps: NewTask[] = [];
    for (const l of links) {
      const type = knownTypes.get(l.from) ?? (await this.deps.store.getResource(l.from))?.type;
      if (type !== undefined)
        followUps.push(...(await this.raise(event, { id: l.from, type }, { relation: l.relation })));
    }
    return followUps;
  }

  /**
   * The deliveries a lifecycle task's outcome raises (only a success raises any): `available` for a
   * provision, `changed` for a configure or an upgrade, `removed` for an unprovision.
   */
  async ofOutcome(task: TaskRecord, before: ResourceRecord | undefined, outcome: AttemptOutcome): Promise<NewTask[]> {
    if (outcome.task.status !== TaskStatus.succeeded || !isLifecycle(task.operation)) return [];
    const after = outcome.resource && !('delete' in outcome.resource) ? outcome.resource : undefined;
    switch (task.operation) {
      case LifecycleOperation.provision:
        return after ? this.raise(Events.available, after) : [];
      case LifecycleOperation.configure:
        return after ? this.raise(Events.changed, after) : [];
      case LifecycleOperation.upgrade: {
        // The root resource; an upgrade's last migration step may leave it as it was.
        const root = after ?? before;
        return root ? this.raise(Events.changed, root) : [];
      }
      case LifecycleOperation.unprovision:
        return before ? this.raise(Events.removed, before) : [];
    }
    return [];
  }

  /** Once the deliveries are stored: told to watchers, and the scheduler looks at the store now. */
  announce(followUps: readonly NewTask[]): void {
    if (followUps.length === 0) return;
    for (const f of followUps) this.deps.changes.task(f.task);
    this.deps.wake();
  }
}

/** `Delivering "changed" of <source> to <subscriber> (<handler>)`. */
export function deliveryName(p: Pick<DeliveryPayload, 'notification' | 'subscriberId' | 'handler'>): string {
  return `Delivering "${eventName(p.notification.event)}" of ${p.notification.source.id} to ${p.subscriberId} (${p.handler})`;
}

/** Whether two JSON values are the same, whatever the order of their keys (an app write changed nothing). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}
