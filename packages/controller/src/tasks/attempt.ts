/**
 * The task state machine: what one call to the endpoint means for a task and its resource.
 *
 *   scheduled ──claim──▶ running ──202──────────▶ scheduled (next run at now + APS-Retry-Timeout)
 *                          │      ──202 past the deadline──▶ failed (polling limit)
 *                          │      ──200/201/204──▶ succeeded
 *                          │      ──4xx/500/501──▶ failed (the error's message)
 *                          │      ──unreachable, 502/503/504──▶ scheduled (back off), or failed past the deadline
 *   failed ──rerun──▶ scheduled          scheduled ──cancel──▶ canceled
 *
 * `decide` is pure: given the task, the resource and the endpoint's answer it returns the outcome the
 * store applies atomically.
 */
import {
  ApsHeaderKey,
  LifecycleOperation,
  RequestPhase,
  ResourceStatus,
  TaskEventKind,
  TaskStatus,
} from '@apskit/core';
import type { AttemptOutcome, ResourceRecord, TaskEvent, TaskRecord } from '@apskit/store';
import type { EndpointAnswer } from '../transport/transport';

export interface Timing {
  readonly now: number;
  /** Multiplies every APS-Retry-Timeout (and back-off): 0.01 turns 30 s into 300 ms. */
  readonly timeScale: number;
  /** The polling limit of this task's type, in (unscaled) seconds. */
  readonly maxPollingSeconds: number;
}

/** Answers that mean "try again later" rather than "this failed". */
const TRANSIENT: ReadonlySet<number> = new Set([502, 503, 504]);

/** The status of a resource while a lifecycle operation on it is under way. */
export const IN_PROGRESS: Record<TaskRecord['operation'], ResourceStatus> = {
  provision: ResourceStatus.provisioning,
  configure: ResourceStatus.configuring,
  unprovision: ResourceStatus.unprovisioning,
  upgrade: ResourceStatus.upgrading,
};

/** The APS-Info header as text: the endpoint sends UTF-8 bytes, HTTP clients read them as Latin-1. */
export function decodeInfo(value: string | undefined): string {
  if (!value) return '';
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(value)) return value;
  const bytes = Buffer.from(value, 'latin1');
  const text = bytes.toString('utf8');
  return text.includes('\ufffd') ? value : text;
}

/** The properties of an answered resource: everything but `aps`. */
export function propertiesOf(body: unknown): Record<string, unknown> | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const { aps: _aps, ...properties } = body as Record<string, unknown>;
  return properties;
}

export function errorMessageOf(answer: EndpointAnswer): string {
  const body = answer.body as { message?: unknown; error?: unknown } | undefined;
  if (body && typeof body === 'object' && typeof body.message === 'string' && body.message !== '') return body.message;
  if (typeof answer.body === 'string' && answer.body !== '') return answer.body.slice(0, 500);
  return `The endpoint answered HTTP ${answer.status}`;
}

function event(task: TaskRecord, at: number, kind: TaskEvent['kind'], message: string): TaskEvent {
  return { taskId: task.id, at, kind, message, attempt: task.attempts };
}

/** The outcome of an answered call. */
export function decide(
  task: TaskRecord,
  resource: ResourceRecord | undefined,
  answer: EndpointAnswer,
  t: Timing,
): AttemptOutcome {
  const base = { ...task, leaseOwner: null, leaseUntil: null, updatedAt: t.now };
  const touched = (status: ResourceStatus, properties?: Record<string, unknown>): ResourceRecord | undefined =>
    resource && {
      ...resource,
      status,
      properties: properties ?? resource.properties,
      revision: resource.revision + 1,
      modified: t.now,
    };

  if (answer.status === 202) {
    const info = decodeInfo(answer.headers[ApsHeaderKey.info]) || 'Accepted';
    const retry = Number(answer.headers[ApsHeaderKey.retryTimeout]);
    const retrySeconds = Number.isFinite(retry) && retry >= 0 ? retry : 30;
    const deadlineAt = task.deadlineAt ?? t.now + t.maxPollingSeconds * 1000 * t.timeScale;
    const nextRunAt = t.now + retrySeconds * 1000 * t.timeScale;
    // An upgrade's answer is the operation's result, not the resource's state.
    const properties = task.operation === LifecycleOperation.upgrade ? undefined : propertiesOf(answer.body);
    if (nextRunAt > deadlineAt) {
      const message = `Polling limit reached: still not done after ${t.maxPollingSeconds} s (last message: ${info})`;
      return failed(task, base, resource, t, message, touched);
    }
    return {
      task: {
        ...base,
        status: TaskStatus.scheduled,
        phase: RequestPhase.async,
        nextRunAt,
        deadlineAt,
        description: task.description || info,
        output: info,
      },
      event: event(task, t.now, TaskEventKind.rescheduled, `${info} (next call in ${delayText(retrySeconds, t)})`),
      resource: touched(IN_PROGRESS[task.operation], properties),
    };
  }

  if (answer.status >= 200 && answer.status < 300) {
    const done = { ...base, status: TaskStatus.succeeded, nextRunAt: null, endedAt: t.now };
    const message = `Completed: the endpoint answered HTTP ${answer.status}`;
    if (task.operation === LifecycleOperation.unprovision) {
      return {
        task: done,
        event: event(task, t.now, TaskEventKind.succeeded, message),
        resource: { delete: task.resourceId },
      };
    }
    // A configure answered 204 keeps the state it sent.
    const properties =
      task.operation === LifecycleOperation.upgrade
        ? undefined
        : (propertiesOf(answer.body) ??
          (task.operation === LifecycleOperation.configure ? propertiesOf(task.request.body) : undefined));
    return {
      task: done,
      event: event(task, t.now, TaskEventKind.succeeded, message),
      resource: touched(ResourceStatus.ready, properties),
    };
  }

  // A gateway in front of the endpoint, or the endpoint itself, saying "not now": try again later,
  // within the polling limit, as when the endpoint cannot be reached at all.
  if (TRANSIENT.has(answer.status)) {
    return unreachable(task, resource, `The endpoint answered HTTP ${answer.status}: ${errorMessageOf(answer)}`, t);
  }
  return failed(task, base, resource, t, errorMessageOf(answer), touched);
}

function failed(
  task: TaskRecord,
  base: TaskRecord,
  resource: ResourceRecord | undefined,
  t: Timing,
  message: string,
  touched: (status: ResourceStatus) => ResourceRecord | undefined,
): AttemptOutcome {
  const done: TaskRecord = { ...base, status: TaskStatus.failed, nextRunAt: null, endedAt: t.now, output: message };
  const e = event(task, t.now, TaskEventKind.failed, message);
  // A create the endpoint refused before ever accepting it leaves nothing behind.
  if (task.operation === LifecycleOperation.provision && task.phase === RequestPhase.sync)
    return { task: done, event: e, resource: resource && { delete: resource.id } };
  // A provision that fails later keeps its resource, so that the task can be rerun; a failed
  // configure or unprovision leaves the resource as it was.
  return {
    task: done,
    event: e,
    resource: touched(
      task.operation === LifecycleOperation.provision ? ResourceStatus.provisioning : ResourceStatus.ready,
    ),
  };
}

/**
 * A delay as the history says it: the time it really takes. Under a time scale other than 1 the
 * endpoint's seconds are said too, so that "APS-Retry-Timeout: 3" at scale 0.1 reads "0.3 s (3 s
 * scaled by 0.1)", not a "3 s" that never comes.
 */
export function delayText(seconds: number, t: Pick<Timing, 'timeScale'>): string {
  if (t.timeScale === 1 || seconds === 0) return `${seconds} s`;
  const real = Number((seconds * t.timeScale).toPrecision(3));
  return `${real} s (${seconds} s scaled by ${t.timeScale})`;
}

/** The outcome of a call that got no answer: try again later, within the polling limit. */
export function unreachable(
  task: TaskRecord,
  resource: ResourceRecord | undefined,
  reason: string,
  t: Timing,
): AttemptOutcome {
  const base = { ...task, leaseOwner: null, leaseUntil: null, updatedAt: t.now };
  const deadlineAt = task.deadlineAt ?? t.now + t.maxPollingSeconds * 1000 * t.timeScale;
  const backoffSeconds = Math.min(2 ** Math.min(task.attempts, 6), 60);
  const nextRunAt = t.now + backoffSeconds * 1000 * t.timeScale;
  if (nextRunAt > deadlineAt) {
    const message = `The endpoint could not be reached within the polling limit: ${reason}`;
    return {
      task: { ...base, status: TaskStatus.failed, nextRunAt: null, endedAt: t.now, output: message },
      event: event(task, t.now, TaskEventKind.failed, message),
      resource:
        resource && task.operation === LifecycleOperation.provision && task.phase === RequestPhase.sync
          ? { delete: resource.id }
          : undefined,
    };
  }
  const message = `${reason}; trying again in ${delayText(backoffSeconds, t)}`;
  return {
    task: { ...base, status: TaskStatus.scheduled, nextRunAt, deadlineAt, output: message },
    event: event(task, t.now, TaskEventKind.rescheduled, message),
  };
}
