/**
 * The orphan check. A result refused because the marketplace no longer holds its attempt, with no
 * newer attempt of the request, starts this job, due `orphans.afterSeconds` later. If by then the
 * marketplace has delivered the request again, that attempt gets the result and nothing is an orphan.
 * Otherwise the marketplace has given the request up (all its retries failed, or it refuses every
 * attempt) while the provisioner may have provisioned it: one provisioning per request, and here it
 * serves nobody. Never kept silently (as Open Service Broker's orphan mitigation has it):
 *
 * - `compensate` (the default): what the request provisioned is unprovisioned through the type's
 *   lifecycle (`unprovision()`, with its own request id, so a rerun follows the same call);
 * - `raise`, or anything compensation cannot undo (a configure, a custom operation, a failed
 *   unprovision): the task fails with a message for an operator, which the task list and the console
 *   show among failed tasks.
 *
 * Either way `apskit_webhook_orphans_total{source, outcome}` counts it. An attempt that comes after a
 * compensation is answered with a Fail result saying the request was given up (see attempt-job).
 */
import { LifecycleOperation, TaskStatus } from '@apskit/core';
import type { JobDefinition, JobResult, TaskJson } from '@apskit/controller';
import { waitFor, type WebhookContext } from './context';
import { newerAttempt, type ResultPayload } from './result-job';

export interface OrphanPayload extends ResultPayload {
  /** What the marketplace answered to the result. */
  readonly refusal: string;
}

type TaskView = Pick<TaskJson, 'id' | 'name' | 'status' | 'output' | 'resourceId' | 'operation'>;

export function orphanJob(ctx: WebhookContext): JobDefinition<OrphanPayload> {
  const source = ctx.keys.source;
  const raised = (output: string): JobResult => {
    ctx.orphans.counter.inc(source, 'raised');
    return { status: TaskStatus.failed, output: `Orphan raised to an operator: ${output}` };
  };
  const compensated = (output: string): JobResult => {
    ctx.orphans.counter.inc(source, 'compensated');
    return { status: TaskStatus.succeeded, output: `Orphan compensated: ${output}` };
  };

  return {
    name: (p) =>
      `Orphan check for ${p.requestType} request ${p.provisionRequestId} from the ${source} (the result of attempt ${p.result.provisionAttemptId} was refused)`,
    maxPollingSeconds: ctx.maxProcessingSeconds,
    run: async ({ task, payload, attempt }) => {
      await ctx.gate.quiet(); // acknowledgements first
      const requestId = payload.provisionRequestId;
      const compensationId = ctx.keys.compensation(requestId, payload.provisionDetailId);
      const started = await ctx.controller.findTaskByRequestId(compensationId);
      if (started) return follow(started);

      const newer = await newerAttempt(ctx, task.resourceId, payload.result.provisionAttemptId);
      if (newer)
        return {
          status: TaskStatus.succeeded,
          output: `Not an orphan: the ${source} delivered the request again (task ${newer.id}), and that attempt gets the result`,
        };

      const given = `the ${source} took no result of ${payload.requestType} request ${requestId} (the last, for attempt ${payload.result.provisionAttemptId}, was refused: ${payload.refusal}) and sent no newer attempt within ${ctx.orphans.afterSeconds} s`;
      const operation = await ctx.controller.findTaskByRequestId(
        ctx.keys.operation(requestId, payload.provisionDetailId),
      );
      const handling = ctx.handling({
        provisionRequest: { id: requestId, type: payload.requestType },
        provisionAttempt: { id: payload.result.provisionAttemptId },
      });
      if (!operation) {
        if (handling?.operation === 'custom')
          return raised(`${given}. Its operation ${handling.name} was run and cannot be undone here`);
        return {
          status: TaskStatus.succeeded,
          output: `Given up by the ${source}, but this request made no change of its own: nothing to undo (${given})`,
        };
      }
      const isProvision = operation.operation === LifecycleOperation.provision;
      if (!isProvision)
        return raised(
          `${given}. Its ${operation.operation} of ${ctx.type.name} ${operation.resourceId} (task ${operation.id}) stays, and cannot be undone here`,
        );
      if (ctx.orphans.policy === 'raise')
        return raised(
          `${given}. ${ctx.type.name} ${operation.resourceId} is kept (orphan policy: raise): unprovision it, or tell the buyer`,
        );

      const resource = await ctx.controller.findResource(operation.resourceId);
      if (!resource) return compensated(`${given}; ${ctx.type.name} ${operation.resourceId} is already gone`);
      const busy = await ctx.controller.activeTask(resource.id);
      if (busy) return waitFor(attempt, `Waiting for ${busy.name} (task ${busy.id}) before unprovisioning`);
      const result = await ctx.controller.unprovision(resource.id, { requestId: compensationId });
      if (result.error !== undefined)
        return raised(
          `${given}. Unprovisioning ${ctx.type.name} ${resource.id} was refused: ${messageOf(result.error)}`,
        );
      if (result.task) return follow(result.task);
      return compensated(`${given}; unprovisioned ${ctx.type.name} ${resource.id}`);

      function follow(t: TaskView): JobResult {
        switch (t.status) {
          case TaskStatus.scheduled:
          case TaskStatus.running:
            return waitFor(attempt, `Compensating: waiting for ${t.name} (task ${t.id})`);
          case TaskStatus.succeeded:
            return compensated(
              `unprovisioned ${ctx.type.name} ${t.resourceId} (task ${t.id}), as the ${source} gave the request up`,
            );
          default:
            return raised(
              `unprovisioning ${ctx.type.name} ${t.resourceId} (task ${t.id}) ended ${t.status}: ${t.output || 'no message'}; the ${source} gave the request up and the resource is kept`,
            );
        }
      }
    },
  };
}

function messageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error !== null && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string')
    return (error as { message: string }).message;
  return JSON.stringify(error);
}
