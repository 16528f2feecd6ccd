/**
 * What the three webhook jobs share: the controller whose task engine runs them, the names they
 * keep their work under, and the app's choices. Built once by createWebhooks.
 */
import { ENDED_TASK_STATUSES, type ApsTypeModel } from '@apskit/core';
import type { Controller, JobResult, TaskJson } from '@apskit/controller';
import type { AckGate } from '../ack-gate';
import type { OrphanCounter } from '../orphan-metric';
import type { WebhookKeys } from '../keys';
import type { ProvisionNotification } from '../notification';
import type { RequestHandling, ResourceMapper } from '../request-types';
import type { ResultPoster } from '../results/result-poster';
import type { SubscriptionIndex } from '../subscriptions';

export interface WebhookContext {
  readonly controller: Controller;
  readonly keys: WebhookKeys;
  readonly type: ApsTypeModel;
  readonly resource: ResourceMapper;
  /** How a request type is handled; undefined for a type this provisioner does not handle. */
  readonly handling: (notification: ProvisionNotification) => RequestHandling | undefined;
  /** The request types handled, as the Fail result for any other type lists them. */
  readonly handledTypes: readonly string[];
  readonly subscriptionKey: (notification: ProvisionNotification) => string | undefined;
  readonly subscriptions: SubscriptionIndex;
  readonly poster: ResultPoster;
  /** In unscaled seconds, as job limits are. */
  readonly maxProcessingSeconds: number;
  readonly maxPostingSeconds: number;
  /** Acknowledgements first: every job waits at `gate.quiet()` before it works. */
  readonly gate: AckGate;
  readonly orphans: {
    readonly policy: 'compensate' | 'raise';
    /** Unscaled seconds after a refused result before it is taken as given up. */
    readonly afterSeconds: number;
    /** apskit_webhook_orphans_total, by source and outcome (compensated, raised). */
    readonly counter: OrphanCounter;
  };
}

/** The payload of an attempt's job and of a request's processing job: the notification as it came. */
export interface NotificationPayload {
  readonly notification: ProvisionNotification;
  /** When the delivery was acknowledged (ISO 8601). */
  readonly receivedAt: string;
}

export const ENDED: ReadonlySet<TaskJson['status']> = new Set(ENDED_TASK_STATUSES);

/**
 * Looks again later at something another task is doing. The wait grows with each look (a quarter
 * of a second, doubling, at most 30 s, all scaled by the time scale), so that a quick outcome is
 * seen at once and a long asynchronous provisioning costs few runs.
 */
export function waitFor(attempt: number, output: string): JobResult {
  return { status: 'retry', afterSeconds: Math.min(0.25 * 2 ** Math.min(Math.max(attempt, 1) - 1, 10), 30), output };
}
