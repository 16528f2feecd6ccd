/**
 * One acknowledged delivery. Storing this job is the acknowledgement itself: it holds the
 * notification as it came, and from it everything else follows after a crash. When it runs it makes
 * sure the request is being processed (one processing job per request, whatever the number of
 * deliveries), waits for the processing to end, and then, if it is still the latest attempt of its
 * request, hands the outcome to a result job for itself. An attempt superseded by a later delivery
 * gets no result: the marketplace sends a new attempt only once it has failed the earlier one, so the
 * newest attempt is the one it holds as acknowledged.
 */
import { TaskStatus } from '@apskit/core';
import type { JobDefinition, TaskJson } from '@apskit/controller';
import { detailIdOf, typeLabel, type ProvisionNotification } from '../notification';
import { cutErrorMessage } from '../results/error-message';
import type { ProvisionResult } from '../results/result-poster';
import { ENDED, waitFor, type NotificationPayload, type WebhookContext } from './context';
import type { ResultPayload } from './result-job';

export function attemptJob(ctx: WebhookContext): JobDefinition<NotificationPayload> {
  return {
    name: ({ notification: n }) =>
      `${typeLabel(n)} request ${n.provisionRequest.id} from the ${ctx.keys.source}: attempt ${n.provisionAttempt.id}`,
    // It waits for processing, which may itself wait for an earlier processing of the request.
    maxPollingSeconds: ctx.maxProcessingSeconds * 2,
    run: async ({ task, payload, attempt }) => {
      await ctx.gate.quiet(); // acknowledgements first
      const n = payload.notification;
      const request = n.provisionRequest;
      const detailId = detailIdOf(n);
      const { task: processing } = await ctx.controller.enqueueJob(ctx.keys.processKind, {
        subjectId: task.resourceId,
        payload,
        requestId: ctx.keys.process(request.id, detailId),
      });
      if (!ENDED.has(processing.status))
        return waitFor(attempt, `Acknowledged; waiting for ${processing.name} (task ${processing.id})`);

      const tasks = await ctx.controller.listTasks({ resourceId: task.resourceId });
      const attempts = tasks.filter((t) => t.operation === ctx.keys.attemptKind);
      const latest = attempts[attempts.length - 1];
      if (latest && latest.id !== task.id)
        return {
          status: TaskStatus.succeeded,
          output: `Superseded by a later delivery (task ${latest.id}): the result is posted for that attempt`,
        };

      // The marketplace came back after an orphan check gave the request up: wait for the check to
      // decide, and if it undid the provisioning, say so instead of posting a Success for nothing.
      const deciding = tasks.find((t) => t.operation === ctx.keys.orphanKind && t.status === TaskStatus.running);
      if (deciding) return waitFor(attempt, `Waiting for ${deciding.name} (task ${deciding.id}) to decide`);
      const compensation = await ctx.controller.findTaskByRequestId(ctx.keys.compensation(request.id, detailId));

      const result: ProvisionResult = compensation
        ? {
            provisionAttemptId: n.provisionAttempt.id,
            status: 'Fail',
            errorMessage: cutErrorMessage(
              `This request was given up: no result of it was accepted in time, so what was provisioned for it was removed again (task ${compensation.id}). Please submit it again.`,
            ),
          }
        : await resultOf(ctx, n, processing);
      const posting: ResultPayload = {
        provisionRequestId: request.id,
        requestType: typeLabel(n),
        ...(detailId !== undefined && { provisionDetailId: detailId }),
        result,
      };
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
