/**
 * createWebhooks: a marketplace-webhook provisioner on an APSKit controller. It registers its jobs
 * (intake, attempt, processing, result, orphan check) with the controller's task engine and gives the
 * intake router.
 * Call it before the controller starts, so that jobs left from before a restart find their
 * definitions when the scheduler takes them up.
 */
import type { Router } from 'express';
import type { ApsTypeModel, Class } from '@apskit/core';
import type { Controller, TaskJson } from '@apskit/controller';
import { AckBatch } from './ack-batch';
import { AckGate } from './ack-gate';
import { authenticator, type WebhookAuthentication } from './authentication/authenticate';
import { intakeRouter } from './intake';
import { attemptJob } from './jobs/attempt-job';
import type { WebhookContext } from './jobs/context';
import { intakeJob } from './jobs/intake-job';
import { orphanJob } from './jobs/orphan-job';
import { instanceOperation, processJob } from './jobs/process-job';
import { resultJob } from './jobs/result-job';
import { WebhookKeys } from './keys';
import { REQUEST_TYPES, type ProvisionNotification, type RequestType } from './notification';
import { OrphanCounter } from './orphan-metric';
import { DEFAULT_REQUEST_HANDLING, type RequestHandling, type ResourceMapper } from './request-types';
import { ResultPoster, type ResultsOptions } from './results/result-poster';
import { SubscriptionIndex } from './subscriptions';

export interface WebhookOptions {
  /** The declared APS type (its class) that the marketplace's subscriptions are. The controller must serve it. */
  readonly type: Class;
  /** The resource's properties for a notification, for provision and configure (see ResourceMapper). */
  readonly resource: ResourceMapper;
  /** Overrides of the default mapping of request types onto the lifecycle (DEFAULT_REQUEST_HANDLING). */
  readonly requestTypes?: Partial<Readonly<Record<RequestType, RequestHandling>>>;
  /** What identifies the subscription across requests. Default `provisionRequest.subscriptionId`. */
  readonly subscriptionKey?: (notification: ProvisionNotification) => string | undefined;
  /** How incoming webhooks are authenticated: required (see WebhookAuthentication). */
  readonly authentication: WebhookAuthentication;
  /** Where and how results are posted. */
  readonly results: ResultsOptions;
  /** Names the jobs and subjects (`marketplace.attempt`, `marketplace:request:<id>`). Default `marketplace`. */
  readonly source?: string;
  /** The largest notification accepted. Default `1mb`. */
  readonly bodyLimit?: string | number;
  /** How long processing may take, waits for asynchronous provisioning included, in (unscaled) seconds. Default 25 h. */
  readonly maxProcessingSeconds?: number;
  /**
   * Default true: acknowledgements of a moment are stored in one write (AckBatch) and processing waits
   * while deliveries are being acknowledged (AckGate). false: each attempt is stored on its own before
   * its 202, and processing does not wait (what the benchmark compares against).
   */
  readonly acknowledgeFirst?: boolean;
  /** What becomes of a provisioning the marketplace gave up on (see OrphanOptions). */
  readonly orphans?: OrphanOptions;
}

/**
 * An orphan: the marketplace refused the result of a request's latest attempt (it holds no attempt of
 * it as acknowledged: its retries all failed, or it refuses every attempt) and no newer attempt came
 * within `afterSeconds`. The marketplace has given up on the request, so what it provisioned is
 * undone through the type's lifecycle (`compensate`, the default, as Open Service Broker's orphan
 * mitigation does) or left in place and raised to an operator as a failed task (`raise`).
 */
export interface OrphanOptions {
  /** Default `compensate`: a provision is unprovisioned; any other change is raised (it cannot be undone). */
  readonly policy?: 'compensate' | 'raise';
  /** How long to wait for a newer attempt after a refused result, in seconds (scaled). Default 24 h. */
  readonly afterSeconds?: number;
}

export interface Webhooks {
  /** The intake: mount it where the marketplace delivers (`app.use('/webhooks/provision', webhooks.router)`). */
  readonly router: Router;
  /** The job kinds, as task `operation`s. */
  readonly kinds: {
    readonly attempt: string;
    readonly process: string;
    readonly result: string;
    readonly orphan: string;
    readonly intake: string;
  };
  /** The tasks of a provision request (its attempts, processing and results), oldest first. */
  tasksOf(provisionRequestId: string): Promise<TaskJson[]>;
}

const DEFAULT_MAX_PROCESSING_SECONDS = 25 * 60 * 60; // the controller's lifecycle limit (24 h), and then some
// Longer than any retry schedule a marketplace is known to use: undoing a purchase the marketplace then
// completes is worse than keeping an orphan a day.
const DEFAULT_ORPHAN_SECONDS = 24 * 60 * 60;

export function createWebhooks(controller: Controller, options: WebhookOptions): Webhooks {
  // Jobs left over from before a restart are picked up as soon as the controller starts: their
  // definitions must be there by then.
  if (controller.ready) {
    throw new Error(
      'createWebhooks(controller, …) must be called before controller.start(): it defines the jobs the controller runs',
    );
  }
  const keys = new WebhookKeys(options.source ?? 'marketplace');
  const type = servedType(controller, options.type);
  const handlings: Record<RequestType, RequestHandling> = { ...DEFAULT_REQUEST_HANDLING, ...options.requestTypes };
  // Mistakes in the mapping are reported now, not when the first such request arrives.
  for (const handling of Object.values(handlings))
    if (handling.operation === 'custom') instanceOperation(type, handling.name);
  const authenticate = authenticator(options.authentication);
  const poster = new ResultPoster(options.results);

  const orphanPolicy = options.orphans?.policy ?? 'compensate';
  if (orphanPolicy !== 'compensate' && orphanPolicy !== 'raise')
    throw new Error(`webhooks.orphans.policy must be 'compensate' or 'raise', not ${JSON.stringify(orphanPolicy)}`);
  const afterSeconds = options.orphans?.afterSeconds ?? DEFAULT_ORPHAN_SECONDS;
  if (!(afterSeconds > 0)) throw new Error(`webhooks.orphans.afterSeconds must be a positive number of seconds`);

  const ctx: WebhookContext = {
    controller,
    keys,
    type,
    resource: options.resource,
    handling: (n) => {
      const requestType: unknown = n.provisionRequest.type;
      return typeof requestType === 'string' && Object.hasOwn(handlings, requestType)
        ? handlings[requestType as RequestType]
        : undefined;
    },
    handledTypes: REQUEST_TYPES.filter((t) => Object.hasOwn(handlings, t)),
    subscriptionKey:
      options.subscriptionKey ??
      ((n) => (typeof n.provisionRequest.subscriptionId === 'string' ? n.provisionRequest.subscriptionId : undefined)),
    subscriptions: new SubscriptionIndex(controller.keyValues, keys),
    poster,
    maxProcessingSeconds: options.maxProcessingSeconds ?? DEFAULT_MAX_PROCESSING_SECONDS,
    maxPostingSeconds: options.results.maxPostingSeconds ?? 3600,
    gate: new AckGate(options.acknowledgeFirst !== false),
    orphans: { policy: orphanPolicy, afterSeconds, counter: OrphanCounter.of(controller.metrics.registry) },
  };
  controller.defineJob(keys.attemptKind, attemptJob(ctx));
  controller.defineJob(keys.processKind, processJob(ctx));
  controller.defineJob(keys.resultKind, resultJob(ctx, options.results.backoff));
  controller.defineJob(keys.orphanKind, orphanJob(ctx));
  const batch = new AckBatch(controller, keys, () => ctx.gate.acknowledging);
  controller.defineJob(keys.intakeKind, intakeJob(ctx, batch));

  return {
    router: intakeRouter({
      controller,
      keys,
      authenticate,
      bodyLimit: options.bodyLimit,
      gate: ctx.gate,
      batch: options.acknowledgeFirst === false ? undefined : batch,
    }),
    kinds: {
      attempt: keys.attemptKind,
      process: keys.processKind,
      result: keys.resultKind,
      orphan: keys.orphanKind,
      intake: keys.intakeKind,
    },
    tasksOf: (provisionRequestId) => controller.listTasks({ resourceId: keys.subject(provisionRequestId) }),
  };
}

function servedType(controller: Controller, cls: Class): ApsTypeModel {
  const type = controller.model.find(cls);
  if (!type) throw new Error(`${cls.name} is not a type of this controller's application: add it to app.services`);
  return type;
}
