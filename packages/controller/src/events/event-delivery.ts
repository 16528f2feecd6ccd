/**
 * Delivering an event notification: the `aps.event.deliver` job, one task per notification, run by
 * the controller's one task engine (durable, leased, retried, visible in the task list and console).
 * The rules are the spec's (docs.cloudblue.com/cbc/sdk/8.2/concepts/events/aps-event/event-processing,
 * "Notification Delivery"):
 *
 * - the notification is POSTed to the handler operation of the subscriber (its verb and path, below
 *   the subscriber: `/{service}/{subscriberId}{path}`), with the APS headers of any call;
 * - 200 or 204 (any 2xx but 202) ends it: the task succeeds;
 * - 202 asks for redelivery, without limit: again after APS-Retry-Timeout seconds, else 30 (scaled);
 * - a 4xx or 5xx (or no answer) is redelivered up to 10 times (11 calls), backing off 1, 2, 4 … 60 s
 *   (scaled); then the task fails, saying the notification was dropped, with the last reason.
 *
 * Where the spec is silent (our choices): deliveries of one source to one subscriber go in the order
 * they were raised (a delivery waits, uncounted, while an older one of its pair is active); a
 * subscriber still being provisioned is waited for; a subscriber that is gone ends its deliveries
 * without a call (the task succeeds, saying so).
 */
import { ApsHeaderKey, RequestPhase, TaskStatus } from '@apskit/core';
import type { Store } from '@apskit/store';
import { ResourceStatus } from '@apskit/core';
import type { ServiceRegistry } from '../registry/service-registry';
import { errorMessageOf } from '../tasks/attempt';
import type { JobDefinition, JobResult } from '../tasks/jobs';
import { outgoingHeaders, type CallerIdentity } from '../transport/aps-headers';
import { TransportError, type EndpointAnswer, type Transport } from '../transport/transport';
import { deliveryName, eventName, type DeliveryPayload } from './event-raising';

/** Failed calls after which a notification is dropped: the first and 10 redeliveries. */
export const MAX_DELIVERY_CALLS = 11;
/** A 202 without APS-Retry-Timeout is redelivered after this many seconds (as a lifecycle 202 is polled). */
const ACCEPTED_RETRY_SECONDS = 30;
/** How often a delivery that waits (for an older one, or for its subscriber) looks again, at least. */
const WAIT_SECONDS = 1;
/** A 202 may be answered for ever: no polling limit that a user would meet (ten years). */
const NO_LIMIT_SECONDS = 10 * 365 * 24 * 3600;

export interface EventDeliveryDeps {
  readonly store: Pick<Store, 'getResource' | 'activeTask'>;
  readonly registry: ServiceRegistry;
  readonly transport: Transport;
  readonly caller: () => CallerIdentity;
  readonly clock: () => number;
  readonly timeScale: number;
}

export function eventDeliveryJob(deps: EventDeliveryDeps): JobDefinition<DeliveryPayload> {
  return {
    name: deliveryName,
    maxPollingSeconds: NO_LIMIT_SECONDS,
    async run({ task, payload }): Promise<JobResult> {
      const { store, registry } = deps;
      const what = `"${eventName(payload.notification.event)}" of ${payload.notification.source.id}`;
      // In order per (subscriber, source): only the oldest active delivery of the pair runs.
      const oldest = await store.activeTask(task.resourceId);
      if (oldest && oldest.id !== task.id) {
        const dueIn =
          oldest.status === TaskStatus.scheduled && oldest.nextRunAt !== null
            ? (oldest.nextRunAt - deps.clock()) / (1000 * deps.timeScale)
            : 0;
        return {
          status: 'retry',
          afterSeconds: Math.max(WAIT_SECONDS, dueIn),
          output: `Waiting: an earlier event of ${payload.notification.source.id} is being delivered to ${payload.subscriberId} (task ${oldest.id})`,
        };
      }
      const subscriber = await store.getResource(payload.subscriberId);
      if (!subscriber)
        return {
          status: TaskStatus.succeeded,
          output: `Not delivered: the subscriber ${payload.subscriberId} no longer exists`,
        };
      if (subscriber.status === ResourceStatus.provisioning)
        return {
          status: 'retry',
          afterSeconds: WAIT_SECONDS,
          output: `Waiting for the subscriber ${payload.subscriberId} to be provisioned`,
        };
      const info = registry.find(subscriber.type);
      const operation = info?.type.operations.find((o) => o.name === payload.handler);
      if (!info || !operation)
        return {
          status: TaskStatus.failed,
          output: `Dropped: ${info?.type.name ?? subscriber.type} has no operation "${payload.handler}" to deliver ${what} to`,
        };
      const path = operation.path.startsWith('/') ? operation.path : `/${operation.path}`;
      let answer: EndpointAnswer | undefined;
      let reason = '';
      try {
        answer = await deps.transport.call({
          method: operation.verb as 'POST',
          path: `/${info.service}/${encodeURIComponent(subscriber.id)}${path}`,
          headers: outgoingHeaders(RequestPhase.sync, deps.caller()),
          body: payload.notification,
        });
      } catch (e) {
        if (!(e instanceof TransportError)) throw e;
        reason = e.message;
      }
      if (answer?.status === 202) {
        const given = Number(answer.headers[ApsHeaderKey.retryTimeout]);
        const seconds = Number.isFinite(given) && given >= 0 ? given : ACCEPTED_RETRY_SECONDS;
        return {
          status: 'retry',
          afterSeconds: seconds,
          output: `The handler answered 202: ${what} is delivered again in ${seconds} s`,
        };
      }
      if (answer && answer.status >= 200 && answer.status < 300)
        return { status: TaskStatus.succeeded, output: `Delivered: the handler answered HTTP ${answer.status}` };
      if (answer) reason = `HTTP ${answer.status}: ${errorMessageOf(answer)}`;
      const failures = payload.failures + 1;
      if (failures >= MAX_DELIVERY_CALLS)
        return { status: TaskStatus.failed, output: `Dropped after ${failures} failed deliveries: ${reason}` };
      const seconds = Math.min(2 ** (failures - 1), 60);
      return {
        status: 'retry',
        afterSeconds: seconds,
        output: `Delivery ${failures} of ${MAX_DELIVERY_CALLS} failed (${reason}); again in ${seconds} s`,
        payload: { ...payload, failures } satisfies DeliveryPayload,
      };
    },
  };
}
