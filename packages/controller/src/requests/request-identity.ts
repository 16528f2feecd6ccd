/**
 * Request identity: a caller's request id makes a submit idempotent. The task records the id and a
 * digest of what was asked; a repeat with the same id and the same request answers for the first
 * one's task, the same id with another request is refused (409). What a lifecycle call answers is
 * made here too, from its task, with the endpoint's error remembered for the request that met it.
 */
import { createHash } from 'node:crypto';
import { ConflictError, LifecycleOperation, RequestPhase, TaskStatus } from '@apskit/core';
import type { Store, TaskRecord } from '@apskit/store';
import type { EndpointAnswer } from '../transport/transport';
import { renderResource, type ResourceJson } from '../wire/resource-json';
import { taskJson, type TaskJson } from '../wire/task-json';

/** What a lifecycle call answers: the resource, and the task when the endpoint answered 202. */
export interface OperationResult {
  readonly status: number;
  readonly resource?: ResourceJson;
  readonly task?: TaskJson;
  /** The endpoint's error body, passed through, when it refused. */
  readonly error?: unknown;
}

export type RequestIdentity = Pick<TaskRecord, 'requestId' | 'requestHash'>;

/** The request id, and a digest of what was asked with it (keys sorted, so their order does not matter). */
export function requestOf(requestId: string | undefined, what: unknown): RequestIdentity {
  if (requestId === undefined) return { requestId: null, requestHash: null };
  return { requestId, requestHash: createHash('sha256').update(canonicalJson(what)).digest('hex') };
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** How many endpoint errors are remembered: only the request that created a task reads its one, at once. */
const REMEMBERED_ANSWERS = 1000;

export class OperationAnswers {
  /** Errors the endpoint answered on a task's first attempt, for the API to pass back. */
  private readonly lastAnswer = new Map<string, EndpointAnswer>();

  constructor(private readonly store: Pick<Store, 'getTask' | 'getResource'>) {}

  /** Keeps the endpoint's answer to a task's first call, which failed it. */
  remember(taskId: string, answer: EndpointAnswer): void {
    this.lastAnswer.set(taskId, answer);
    if (this.lastAnswer.size > REMEMBERED_ANSWERS)
      this.lastAnswer.delete(this.lastAnswer.keys().next().value as string);
  }

  /** What a call answers once its task's first attempt has an outcome (`task`, or read by id). */
  async answer(task: TaskRecord | undefined, taskId: string): Promise<OperationResult> {
    const t = task ?? (await this.store.getTask(taskId));
    if (!t) throw new Error(`Task ${taskId} vanished`);
    const record = await this.store.getResource(t.resourceId);
    const resource = record && renderResource(record);
    if (t.status === TaskStatus.succeeded)
      return { status: t.operation === LifecycleOperation.unprovision ? 204 : 200, resource, task: taskJson(t) };
    if (t.status === TaskStatus.failed && t.attempts === 1 && t.phase === RequestPhase.sync) {
      const answer = this.lastAnswer.get(t.id);
      // The endpoint's answer is kept in memory for the request that made the task and its repeats;
      // after a restart a repeat learns from the task itself that the request failed.
      const error =
        answer?.body ?? new ConflictError(`This request already failed: ${t.output}`, { taskId: t.id }).toJSON();
      return { status: answer?.status ?? 409, error, resource, task: taskJson(t) };
    }
    return { status: 202, resource, task: taskJson(t) };
  }

  /** A repeated submit: the first one's task, if it was the same request; 409 if not. */
  async duplicate(existing: TaskRecord, attempt: Pick<TaskRecord, 'requestHash'>): Promise<OperationResult> {
    if (existing.requestHash !== attempt.requestHash) {
      throw new ConflictError(
        `Request id ${existing.requestId} was already used for another request (task ${existing.id}); use a new id for a new request`,
        { requestId: existing.requestId, taskId: existing.id },
      );
    }
    // A create that was refused outright answered with the endpoint's error: so does its repeat.
    return this.answer(existing, existing.id);
  }
}
