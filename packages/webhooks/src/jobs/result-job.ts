/**
 * Posting one attempt's result. There is one such job per attempt (its request id is the attempt's),
 * so a result is decided once; the post is retried with exponential back-off and jitter while the
 * marketplace answers 5xx, 408 or 429 or does not answer, and the job fails, visibly, when the bound
 * is reached or the marketplace refuses the result for good. A 409 means the marketplace already
 * has this attempt's result (posted just before a crash, say): that is success, not a second result.
 */
import { TaskStatus } from '@apskit/core';
import type { JobDefinition, JobResult } from '@apskit/controller';
import type { RequestType } from '../notification';
import { backoffSeconds } from '../results/backoff';
import type { ProvisionResult, ResultsOptions } from '../results/result-poster';
import type { WebhookContext } from './context';

export interface ResultPayload {
  readonly provisionRequestId: string;
  readonly requestType: RequestType;
  readonly result: ProvisionResult;
}

// The task engine's own limit is set this much later than the job's, so that the job always
// reaches its bound first and says so in its own words.
const MARGIN_SECONDS = 60;

export function resultJob(ctx: WebhookContext, backoff: ResultsOptions['backoff']): JobDefinition<ResultPayload> {
  return {
    name: (p) =>
      `Posting result ${p.result.status} for attempt ${p.result.provisionAttemptId} of ${p.requestType} request ${p.provisionRequestId}`,
    maxPollingSeconds: ctx.maxPostingSeconds + MARGIN_SECONDS,
    run: async ({ task, payload, attempt }): Promise<JobResult> => {
      const attemptId = payload.result.provisionAttemptId;
      const outcome = await ctx.poster.post(payload.provisionRequestId, payload.result);
      switch (outcome.kind) {
        case 'posted':
          return {
            status: TaskStatus.succeeded,
            output: `Posted ${payload.result.status} for attempt ${attemptId} (HTTP ${outcome.status})`,
          };
        case 'duplicate':
          return {
            status: TaskStatus.succeeded,
            output: `The ${ctx.keys.source} already has the result of attempt ${attemptId} (HTTP 409): not posted again`,
          };
        case 'refused':
          return {
            status: TaskStatus.failed,
            output: `The ${ctx.keys.source} refused the result of attempt ${attemptId}: ${outcome.reason}`,
          };
        case 'transient': {
          const scale = ctx.controller.timeScale * 1000;
          const now = Date.now();
          const deadline =
            (task.deadlineAt ?? now + (ctx.maxPostingSeconds + MARGIN_SECONDS) * scale) - MARGIN_SECONDS * scale;
          const delay = Math.round(backoffSeconds(attempt, backoff) * 1000) / 1000; // milliseconds are enough
          if (now + delay * scale > deadline)
            return {
              status: TaskStatus.failed,
              output: `Gave up posting the result of attempt ${attemptId} after ${attempt} tries (limit ${ctx.maxPostingSeconds} s): ${outcome.reason}`,
            };
          return { status: 'retry', afterSeconds: delay, output: `Try ${attempt} failed: ${outcome.reason}` };
        }
      }
    },
  };
}
