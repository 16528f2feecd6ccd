/**
 * What the three webhook jobs share: the controller whose task engine runs them, the names they
 * keep their work under, and the app's choices. Built once by createWebhooks.
 */
import { ENDED_TASK_STATUSES, type ApsTypeModel } from '@apskit/core';
import type { Controller, JobResult, TaskJson } from '@apskit/controller';
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
  readonly handling: (notification: ProvisionNotification) => RequestHandling;
  readonly subscriptionKey: (notification: ProvisionNotification) => string | undefined;
  readonly subscriptions: SubscriptionIndex;
  readonly poster: ResultPoster;
  /** In unscaled seconds, as job limits are. */
  readonly maxProcessingSeconds: number;
  readonly maxPostingSeconds: number;
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
