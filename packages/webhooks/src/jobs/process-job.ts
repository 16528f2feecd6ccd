/**
 * The processing of a provision request: the one job per request (and set of details) that calls
 * the APS lifecycle of the declared type. It is where validation happens, after the acknowledgement,
 * and it provisions at most once however many deliveries there are:
 *
 * - a lifecycle call carries a request id of its own, so a run after a crash or a wait finds the
 *   call made before and follows its task instead of calling again;
 * - processing jobs of one request run one after another (a retry after `Fail` brings new details
 *   and with them a new processing job, which waits for the earlier one to end);
 * - a NetNew for a subscription that is already provisioned provisions nothing.
 *
 * The job ends `succeeded` for a `Success` result and `failed` for a `Fail`, with the message for
 * the marketplace as its output; waiting for a lifecycle task is a re-scheduled run, never a block.
 */
import {
  isApsError,
  LifecycleOperation,
  ResourceStatus,
  TaskStatus,
  type ApsTypeModel,
  type OperationModel,
} from '@apskit/core';
import type { JobDefinition, JobResult, OperationResult, TaskJson } from '@apskit/controller';
import { contentProblem, detailIdOf, typeLabel, type ProvisionNotification } from '../notification';
import type { RequestHandling, ResourceMapper } from '../request-types';
import { ENDED, waitFor, type NotificationPayload, type WebhookContext } from './context';

type TaskView = Pick<TaskJson, 'id' | 'name' | 'status' | 'output' | 'resourceId' | 'operation'>;

const DONE: Record<string, string> = {
  [LifecycleOperation.provision]: 'Provisioned',
  [LifecycleOperation.configure]: 'Configured',
  [LifecycleOperation.unprovision]: 'Unprovisioned',
  [LifecycleOperation.upgrade]: 'Upgraded',
};

const succeeded = (output: string): JobResult => ({ status: TaskStatus.succeeded, output });
const failed = (output: string): JobResult => ({ status: TaskStatus.failed, output });

export function processJob(ctx: WebhookContext): JobDefinition<NotificationPayload> {
  return {
    name: ({ notification: n }) =>
      `Processing ${typeLabel(n)} request ${n.provisionRequest.id} from the ${ctx.keys.source} (${describe(ctx.handling(n), ctx.type)})`,
    maxPollingSeconds: ctx.maxProcessingSeconds,
    run: async ({ task, payload, attempt }) => {
      await ctx.gate.quiet(); // acknowledgements first
      // Decided here, after the acknowledgement, and answered with a Fail result: the type, the details.
      const problem = contentProblem(payload.notification, ctx.handledTypes);
      if (problem !== undefined) return failed(problem);
      const earlier = await earlierProcessing(ctx, task.id, task.resourceId);
      if (earlier) return waitFor(attempt, `Waiting for ${earlier.name} (task ${earlier.id}) to end first`);
      try {
        return await processOnce(ctx, payload.notification, attempt);
      } catch (e) {
        const refusal = refusalOf(e);
        if (refusal === undefined) throw e; // transient: the task engine runs it again with back-off
        return failed(refusal);
      }
    },
  };
}

function describe(handling: RequestHandling | undefined, type: ApsTypeModel): string {
  if (handling === undefined) return 'a request type this provisioner does not handle';
  return handling.operation === 'custom'
    ? `operation ${handling.name} of ${type.name}`
    : `${handling.operation} ${type.name}`;
}

/** An earlier processing job of the same request that has not ended yet. */
async function earlierProcessing(ctx: WebhookContext, taskId: string, subject: string): Promise<TaskJson | undefined> {
  const tasks = await ctx.controller.listTasks({ resourceId: subject });
  const mine = tasks.findIndex((t) => t.id === taskId);
  return tasks
    .slice(0, mine < 0 ? tasks.length : mine)
    .find((t) => t.operation === ctx.keys.processKind && !ENDED.has(t.status));
}

/**
 * Errors that are the request's fault, and end processing with a `Fail`: an ApsError with a 4xx
 * status, thrown by the app's mapping or by the controller's validation. A 409 is a busy resource
 * (worth waiting for), unless it says a request id was reused with another body, which will not
 * change by waiting. Anything else is worth another try.
 */
function refusalOf(e: unknown): string | undefined {
  if (!isApsError(e) || e.status < 400 || e.status >= 500 || e.status === 429) return undefined;
  if (e.status === 409) {
    const details = e.details;
    const reused = details !== null && typeof details === 'object' && !Array.isArray(details) && 'requestId' in details;
    return reused ? e.message : undefined;
  }
  return e.message;
}

async function processOnce(ctx: WebhookContext, n: ProvisionNotification, attempt: number): Promise<JobResult> {
  const handling = ctx.handling(n);
  const request = n.provisionRequest;
  if (handling === undefined) return failed(contentProblem(n, ctx.handledTypes) ?? `Unknown request type`);
  const operationId = ctx.keys.operation(request.id, detailIdOf(n));
  const subscription = ctx.subscriptionKey(n);
  const controller = ctx.controller;

  // A lifecycle call made by an earlier run is followed, never made again.
  const started = await controller.findTaskByRequestId(operationId);
  if (started) return follow(ctx, started, subscription, attempt);

  if (handling.operation === LifecycleOperation.provision) {
    const known = await ctx.subscriptions.resourceOf(subscription);
    const existing = known === undefined ? undefined : await controller.findResource(known);
    if (existing && existing.status !== ResourceStatus.provisioning)
      return succeeded(
        `Subscription ${subscription} is already provisioned as ${ctx.type.name} ${existing.id}: not provisioned again`,
      );
    const properties = mapped(handling.resource ?? ctx.resource, n);
    if (!properties.ok) return failed(properties.message);
    const result = await ctx.controller.provision(
      { ...properties.value, aps: { type: ctx.type.id } },
      { requestId: operationId },
    );
    return outcomeOf(ctx, LifecycleOperation.provision, result, subscription, attempt);
  }

  // Every other request works on the subscription's resource.
  if (subscription === undefined) return failed(`The ${request.type} request names no subscription`);
  const resourceId = await ctx.subscriptions.resourceOf(subscription);
  const resource = resourceId === undefined ? undefined : await controller.findResource(resourceId);
  if (!resource) {
    if (handling.operation === LifecycleOperation.unprovision && resourceId !== undefined)
      return succeeded(`Subscription ${subscription} (${ctx.type.name} ${resourceId}) is already deprovisioned`);
    return failed(`Subscription ${subscription} is not provisioned by this provisioner`);
  }
  const busy = await controller.activeTask(resource.id);
  if (busy) return waitFor(attempt, `Waiting for ${busy.name} (task ${busy.id}) to end`);
  if (resource.status === ResourceStatus.provisioning)
    return failed(`Subscription ${subscription} was never provisioned successfully, so it cannot be changed`);

  switch (handling.operation) {
    case LifecycleOperation.configure: {
      const properties = mapped(handling.resource ?? ctx.resource, n);
      if (!properties.ok) return failed(properties.message);
      const result = await ctx.controller.configure(resource.id, properties.value, { requestId: operationId });
      return outcomeOf(ctx, LifecycleOperation.configure, result, subscription, attempt, resource.id);
    }
    case LifecycleOperation.unprovision: {
      const result = await ctx.controller.unprovision(resource.id, { requestId: operationId });
      return outcomeOf(ctx, LifecycleOperation.unprovision, result, subscription, attempt, resource.id);
    }
    case 'custom':
      return customOperation(ctx, handling, n, resource.id);
  }
}

/**
 * The app's mapping of a notification. It is a function of the notification alone, so a TypeError it
 * throws (reading a field of a detail that is not there) comes from the notification's content, and
 * would come again: the request gets a Fail result saying so. Any other error keeps its meaning (an
 * ApsError with 4xx refuses, anything else is transient).
 */
function mapped(
  mapper: ResourceMapper,
  n: ProvisionNotification,
): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  try {
    return { ok: true, value: mapper(n) };
  } catch (e) {
    if (e instanceof TypeError) return { ok: false, message: `The notification could not be read: ${e.message}` };
    throw e;
  }
}

/** What a lifecycle call answered: done, refused, or a task to follow. */
async function outcomeOf(
  ctx: WebhookContext,
  operation: LifecycleOperation,
  result: OperationResult,
  subscription: string | undefined,
  attempt: number,
  resourceId?: string,
): Promise<JobResult> {
  if (result.error !== undefined) return failed(result.task?.output || errorMessageOf(result.error));
  if (result.task) return follow(ctx, result.task, subscription, attempt);
  const id = result.resource?.aps.id ?? resourceId ?? '';
  if (operation === LifecycleOperation.provision) await ctx.subscriptions.remember(subscription, id);
  return succeeded(`${DONE[operation]} ${ctx.type.name} ${id}`);
}

/** A lifecycle task's state as this job's: wait while it runs, then end as it ended. */
async function follow(
  ctx: WebhookContext,
  task: TaskView,
  subscription: string | undefined,
  attempt: number,
): Promise<JobResult> {
  // The resource exists from the moment its provision task does: remember it at once, so that an
  // Update arriving meanwhile finds it (and waits for it).
  if (task.operation === LifecycleOperation.provision && task.status !== TaskStatus.failed)
    await ctx.subscriptions.remember(subscription, task.resourceId);
  const verb = DONE[task.operation] ?? 'Done';
  switch (task.status) {
    case TaskStatus.scheduled:
    case TaskStatus.running:
      return waitFor(attempt, `Waiting for ${task.name} (task ${task.id})${task.output ? `: ${task.output}` : ''}`);
    case TaskStatus.succeeded:
      return succeeded(`${verb} ${ctx.type.name} ${task.resourceId}`);
    case TaskStatus.failed:
      return failed(task.output || `${task.name} failed`);
    case TaskStatus.canceled:
      return failed(`${task.name} was canceled`);
  }
}

async function customOperation(
  ctx: WebhookContext,
  handling: Extract<RequestHandling, { operation: 'custom' }>,
  n: ProvisionNotification,
  resourceId: string,
): Promise<JobResult> {
  const op = instanceOperation(ctx.type, handling.name);
  const answer = await ctx.controller.customOperation(
    resourceId,
    op.verb,
    op.path.replace(/^\//, ''),
    '',
    handling.body?.(n),
  );
  if (answer.status < 300) return succeeded(`Ran ${op.name} on ${ctx.type.name} ${resourceId}`);
  const message = errorMessageOf(answer.body) || `${op.name} answered HTTP ${answer.status}`;
  if (answer.status >= 500 || answer.status === 408 || answer.status === 429)
    throw new Error(`${op.name} answered HTTP ${answer.status}: ${message}`);
  return failed(message);
}

/** The instance operation of a type by name (or method name); a clear error when there is none. */
export function instanceOperation(type: ApsTypeModel, name: string): OperationModel {
  const op = type.operations.find((o) => !o.static && (o.name === name || o.method === name));
  if (!op) {
    const known = type.operations.filter((o) => !o.static).map((o) => o.name);
    throw new Error(
      `${type.name} has no custom operation "${name}"${known.length > 0 ? `; it has ${known.join(', ')}` : ''}`,
    );
  }
  return op;
}

/** The message of an APS error body, or the text itself. */
function errorMessageOf(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body !== null && typeof body === 'object') {
    const message = (body as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return body === undefined ? '' : JSON.stringify(body);
}
