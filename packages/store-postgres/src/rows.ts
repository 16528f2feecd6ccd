/**
 * What the PostgreSQL store adds to the shared row mapping of @apskit/store: pg reads json columns
 * parsed (the dialect says so), and a batch of attempt outcomes travels as one JSON parameter of the
 * `complete` statement.
 */
import {
  POSTGRES_DIALECT,
  rowReader,
  subscriptionRow,
  taskRow,
  type AttemptOutcome,
  type NewTask,
  type ResourceRow,
  type SubscriptionRecord,
  type TaskRow,
} from '@apskit/store';

/** A task row as pg returns it: its json column parsed. */
export type PgTaskRow = TaskRow<unknown>;
/** A resource row as pg returns it: its json column parsed. */
export type PgResourceRow = ResourceRow<unknown>;

export const { taskOf, resourceOf, taskOfValues, resourceOfValues } = rowReader(POSTGRES_DIALECT);

/** One outcome as a row of the `complete` statement's JSON input, `i` its index in the batch. */
export function outcomeJson(outcome: AttemptOutcome, i: number): Record<string, unknown> {
  const t = outcome.task;
  const e = outcome.event;
  const r = outcome.resource;
  return {
    i,
    id: t.id,
    name: t.name,
    description: t.description,
    output: t.output,
    status: t.status,
    attempts: t.attempts,
    next_run_at: t.nextRunAt,
    deadline_at: t.deadlineAt,
    phase: t.phase,
    request: t.request,
    updated_at: t.updatedAt,
    ended_at: t.endedAt,
    lease_owner: t.leaseOwner,
    lease_until: t.leaseUntil,
    e_task_id: e.taskId,
    e_at: e.at,
    e_kind: e.kind,
    e_message: e.message,
    e_attempt: e.attempt,
    ...(r === undefined
      ? { r: null }
      : 'delete' in r
        ? { r: 'delete', r_id: r.delete }
        : {
            r: 'put',
            r_id: r.id,
            r_type: r.type,
            r_status: r.status,
            r_revision: r.revision,
            r_modified: r.modified,
            r_properties: r.properties,
          }),
  };
}

/**
 * A follow-up task with its first event, as a row of a statement's JSON input: `k` its place among
 * them (the order they are created in), `i` the index of the outcome it belongs to (if any).
 */
export function followUpJson(f: NewTask, k: number, i: number | null = null): Record<string, unknown> {
  const e = f.event;
  return {
    k,
    i,
    ...taskRow(f.task),
    // The json column takes the value itself (taskRow has it as text, for a parameter).
    request: f.task.request,
    e_task_id: e.taskId,
    e_at: e.at,
    e_kind: e.kind,
    e_message: e.message,
    e_attempt: e.attempt,
  };
}

/** The follow-ups of a batch of outcomes, `offset` the index of the batch's first outcome. */
export function outcomeFollowUpsJson(outcomes: readonly AttemptOutcome[], offset: number): string {
  let k = 0;
  return JSON.stringify(outcomes.flatMap((o, i) => (o.followUps ?? []).map((f) => followUpJson(f, k++, offset + i))));
}

/** Subscriptions as the JSON input of createResourceWithTask, `ord` their order. */
export function subscriptionsJson(subscriptions: readonly SubscriptionRecord[]): string {
  return JSON.stringify(subscriptions.map((s, ord) => ({ ord, ...subscriptionRow(s) })));
}
