/**
 * One acknowledged delivery. Storing this job is the acknowledgement itself: it holds the
 * notification as it came, and from it everything else follows after a crash. When it runs it makes
 * sure the request is being processed (one processing job per request, whatever the number of
 * deliveries), waits for the processing to end, and then, if it is still the latest attempt of its
 * request, hands the outcome to a result job for itself. An attempt superseded by a later delivery
 * gets no result: the marketplace answers only the latest one.
 */
import { TaskStatus } from '@apskit/core';
import type { JobDefinition, TaskJson } from '@apskit/controller';
import type { ProvisionNotification } from '../notification';
import { cutErrorMessage } from '../results/error-message';
import type { ProvisionResult } from '../results/result-poster';
import { ENDED, waitFor, type NotificationPayload, type WebhookContext } from './context';
import type { ResultPayload } from './result-job';

export function attemptJob(ctx: WebhookContext): JobDefinition<NotificationPayload> {
  return {
    name: ({ notification: n }) =>
      `${n.provisionRequest.type} request ${n.provisionRequest.id} from the ${ctx.keys.source}: attempt ${n.provisionAttempt.id}`,
    // It waits for processing, which may itself wait for an earlier processing of the request.
    maxPollingSeconds: ctx.maxProcessingSeconds * 2,
    run: async ({ task, payload, attempt }) => {
      const n = payload.notification;
      const request = n.provisionRequest;
      const { task: processing } = await ctx.controller.enqueueJob(ctx.keys.processKind, {
        subjectId: task.resourceId,
        payload,
        requestId: ctx.keys.process(request.id, n.provisionDetail?.id),
      });
      if (!ENDED.has(processing.status))
        return waitFor(attempt, `Acknowledged; waiting for ${processing.name} (task ${processing.id})`);

      const attempts = (await ctx.controller.listTasks({ resourceId: task.resourceId })).filter(
        (t) => t.operation === ctx.keys.attemptKind,
      );
      const latest = attempts[attempts.length - 1];
      if (latest && latest.id !== task.id)
        return {
          status: TaskStatus.succeeded,
          output: `Superseded by a later delivery (task ${latest.id}): the result is posted for that attempt`,
        };

      const result = await resultOf(ctx, n, processing);
      const posting: ResultPayload = { provisionRequestId: request.id, requestType: request.type, result };
      const { task: resultTask } = await ctx.controller.enqueueJob(ctx.keys.resultKind, {
        subjectId: task.resourceId,
        payload: posting,
        requestId: ctx.keys.result(n.provisionAttempt.id),
      });
      return {
        status: TaskStatus.succeeded,
        output: `${result.status}: the result is posted by task ${resultTask.id}`,
      };
    },
  };
}

async function resultOf(ctx: WebhookContext, n: ProvisionNotification, processing: TaskJson): Promise<ProvisionResult> {
  const provisionAttemptId = n.provisionAttempt.id;
  if (processing.status === TaskStatus.succeeded) {
    const resourceId = await ctx.subscriptions.resourceOf(ctx.subscriptionKey(n));
    return resourceId === undefined
      ? { provisionAttemptId, status: 'Success' }
      : { provisionAttemptId, status: 'Success', externalProvisionerSubscriptionId: resourceId };
  }
  const message =
    processing.status === TaskStatus.canceled
      ? 'The provisioner canceled the processing of this request'
      : processing.output || 'The provisioner could not process this request';
  return { provisionAttemptId, status: 'Fail', errorMessage: cutErrorMessage(message) };
}
