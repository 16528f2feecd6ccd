/**
 * Posting one attempt's result. There is one such job per attempt (its request id is the attempt's),
 * so a result is decided once; the post is retried with exponential back-off and jitter while the
 * marketplace answers 5xx, 408 or 429 or does not answer, and the job fails, visibly, when the bound
 * is reached or the marketplace refuses the result for good. A 409 means the marketplace already
 * has this attempt's result (posted just before a crash, say): that is success, not a second result.
 */
import { TaskStatus } from '@apskit/core';
import type { JobDefinition, JobResult, TaskJson } from '@apskit/controller';
import { backoffSeconds } from '../results/backoff';
import type { ProvisionResult, ResultsOptions } from '../results/result-poster';
import type { WebhookContext } from './context';

export interface ResultPayload {
  readonly provisionRequestId: string;
  /** As the notification named it (for task names). */
  readonly requestType: string;
  /** The details the request was processed with (the orphan check finds its processing by them). */
  readonly provisionDetailId?: string;
  readonly result: ProvisionResult;
}

/**
 * A refusal that says the marketplace does not take a result for this attempt (it failed the attempt,
 * or never acknowledged it), as opposed to refusing who posts: any 4xx but 401 and 403 (credentials,
 * a configuration problem an operator fixes) and those the poster already tells apart (408, 409, 429).
 */
// How many times a result refused for its attempt is posted before the attempt is taken as failed.
const REFUSED_TRIES = 3;

const refusesTheAttempt = (status: number | undefined): boolean =>
  status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 403;

// The task engine's own limit is set this much later than the job's, so that the job always
// reaches its bound first and says so in its own words.
const MARGIN_SECONDS = 60;

export function resultJob(ctx: WebhookContext, backoff: ResultsOptions['backoff']): JobDefinition<ResultPayload> {
  return {
    name: (p) =>
      `Posting result ${p.result.status} for attempt ${p.result.provisionAttemptId} of ${p.requestType} request ${p.provisionRequestId}`,
    maxPollingSeconds: ctx.maxPostingSeconds + MARGIN_SECONDS,
    run: async ({ task, payload, attempt }): Promise<JobResult> => {
      await ctx.gate.quiet(); // acknowledgements first
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
        case 'refused': {
          const refused = `The ${ctx.keys.source} refused the result of attempt ${attemptId}: ${outcome.reason}`;
          if (!refusesTheAttempt(outcome.status)) return { status: TaskStatus.failed, output: refused };
          // The marketplace no longer holds this attempt. A newer one gets the result (its own
          // attempt job posts it); without one, the marketplace may have given the request up.
          const newer = await newerAttempt(ctx, task.resourceId, attemptId);
          if (newer)
            return {
              status: TaskStatus.succeeded,
              output: `Not posted: ${refused}. The newer attempt (task ${newer.id}) gets the result`,
            };
          // The marketplace may not have recorded the acknowledgement yet (it answered our 202 a
          // moment ago): a few more tries before the attempt is taken as failed.
          if (attempt < REFUSED_TRIES)
            return {
              status: 'retry',
              afterSeconds: backoffSeconds(attempt, backoff),
              output: `Try ${attempt}: ${refused}; trying again, in case the acknowledgement is still on its way`,
            };
          // Not a failure of this task: the marketplace failed the attempt, and either sends a newer one
          // (whose own task posts the result) or has given the request up (the orphan check's business).
          if (payload.result.status !== 'Success')
            return {
              status: TaskStatus.succeeded,
              output: `Not posted: ${refused}. A newer attempt, if one comes, gets the result (a Fail: nothing to undo)`,
            };
          const { task: check } = await ctx.controller.enqueueJob(ctx.keys.orphanKind, {
            subjectId: task.resourceId,
            payload: { ...payload, refusal: outcome.reason },
            requestId: ctx.keys.orphan(attemptId),
            runAt: Date.now() + ctx.orphans.afterSeconds * 1000 * ctx.controller.timeScale,
          });
          return {
            status: TaskStatus.succeeded,
            output: `Not posted: ${refused}. A newer attempt, if one comes, gets the result; if none comes within ${ctx.orphans.afterSeconds} s, the orphan check (task ${check.id}) takes the request as given up`,
          };
        }
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

/** An attempt of the request stored after this one, if any (the newest). */
export async function newerAttempt(
  ctx: WebhookContext,
  subject: string,
  provisionAttemptId: string,
): Promise<TaskJson | undefined> {
  const attempts = (await ctx.controller.listTasks({ resourceId: subject })).filter(
    (t) => t.operation === ctx.keys.attemptKind,
  );
  const mine = attempts.findIndex((t) => t.requestId === ctx.keys.attempt(provisionAttemptId));
  const latest = attempts[attempts.length - 1];
  return mine >= 0 && latest !== undefined && mine < attempts.length - 1 ? latest : undefined;
}
