/**
 * A store in memory: the same semantics as the SQLite store, nothing kept across a restart. For tests
 * that do not test persistence, and as the baseline of the scheduler benchmark.
 */
import { TaskEventKind, TaskStatus } from '@apskit/core';
import {
  maxEventsPerTaskOf,
  NOT_COUNTED,
  RECOVERED_MESSAGE,
  type AttemptOutcome,
  type CreateResult,
  type LinkRecord,
  type NewTask,
  type ResourceQuery,
  type ResourceRecord,
  type Store,
  type SubscriptionRecord,
  type TaskEvent,
  type TaskQuery,
  type TaskRecord,
  compareLinks,
  sortedForQuery,
  linkLookupOf,
  matchesCondition,
  type LinkLookup,
} from '@apskit/store';
import { MemorySubscriptions } from './memory-subscriptions';

export interface MemoryStoreOptions {
  /** Events kept per task, the newest ones. Default DEFAULT_MAX_TASK_EVENTS (100). */
  maxEventsPerTask?: number;
}

const isActive = (t: TaskRecord): boolean => t.status === TaskStatus.scheduled || t.status === TaskStatus.running;

/** When a task is due: its next run if scheduled, its lease end if running. */
function dueAt(t: TaskRecord): number | undefined {
  if (t.status === TaskStatus.scheduled) return t.nextRunAt ?? 0;
  if (t.status === TaskStatus.running) return t.leaseUntil ?? 0;
  return undefined;
}

/**
 * A min-heap of (time, task id). Entries are never removed in place: one whose task no longer has
 * that due time is dropped when it reaches the top, which keeps every change O(log n).
 */
class DueHeap {
  private readonly items: Array<{ at: number; id: string }> = [];

  push(at: number, id: string): void {
    const a = this.items;
    a.push({ at, id });
    for (let i = a.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (a[parent].at <= a[i].at) break;
      [a[parent], a[i]] = [a[i], a[parent]];
      i = parent;
    }
  }

  peek(): { at: number; id: string } | undefined {
    return this.items[0];
  }

  pop(): { at: number; id: string } | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].at < a[m].at) m = l;
        if (r < a.length && a[r].at < a[m].at) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

export class MemoryStore implements Store {
  private readonly meta = new Map<string, string>();
  private readonly resources = new Map<string, ResourceRecord>();
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly due = new DueHeap();
  private readonly byRequestId = new Map<string, string>();
  private readonly events = new Map<string, TaskEvent[]>();
  private links: LinkRecord[] = [];
  private readonly subscriptions = new MemorySubscriptions();
  private readonly maxEventsPerTask: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxEventsPerTask = maxEventsPerTaskOf(options.maxEventsPerTask);
  }

  async init(): Promise<void> {}
  async close(): Promise<void> {}

  async getMeta(key: string): Promise<string | undefined> {
    return this.meta.get(key);
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.meta.set(key, value);
  }

  async setMetaIfAbsent(key: string, value: string): Promise<string> {
    if (!this.meta.has(key)) this.meta.set(key, value);
    return this.meta.get(key) as string;
  }

  async getResource(id: string): Promise<ResourceRecord | undefined> {
    return this.resources.get(id);
  }

  async listResources(query: ResourceQuery): Promise<{ items: ResourceRecord[]; total: number }> {
    const where = query.where;
    const links = where === undefined ? undefined : linkLookupOf(this.links);
    // The map's order is creation order (a rewrite keeps a key's place).
    const matching = [...this.resources.values()].filter(
      (r) =>
        (query.type === undefined || r.type === query.type) &&
        (where === undefined || matchesCondition(r, where, links as LinkLookup)),
    );
    const all = sortedForQuery(matching, query.sort ?? []);
    const offset = query.offset ?? 0;
    return {
      items: all.slice(offset, query.limit === undefined ? undefined : offset + query.limit),
      total: query.total === false ? NOT_COUNTED : all.length,
    };
  }

  async putResource(
    resource: ResourceRecord,
    expectedRevision?: number,
    followUps: readonly NewTask[] = [],
  ): Promise<boolean> {
    if (expectedRevision !== undefined && this.resources.get(resource.id)?.revision !== expectedRevision) return false;
    this.resources.set(resource.id, resource);
    this.addFollowUps(followUps);
    return true;
  }

  async deleteResource(id: string): Promise<void> {
    this.removeResource(id);
  }

  /** Synchronous: the resource, its links and its subscriptions go in one step. */
  private removeResource(id: string): void {
    this.resources.delete(id);
    this.links = this.links.filter((l) => l.from !== id && l.to !== id);
    this.subscriptions.forget(id);
  }

  async createResourceWithTask(
    resource: ResourceRecord,
    task: TaskRecord,
    event: TaskEvent,
    links: LinkRecord[],
    subscriptions: readonly SubscriptionRecord[] = [],
  ): Promise<CreateResult> {
    const duplicate = this.duplicateOf(task);
    if (duplicate) return duplicate;
    this.resources.set(resource.id, resource);
    for (const l of links) this.addLink(l);
    // No limit here: a type declares few, and they come with the resource or not at all.
    for (const s of subscriptions) this.subscriptions.add(s, Number.POSITIVE_INFINITY);
    this.addTask(task, event);
    return { created: true };
  }

  async createTaskUnlessBusy(task: TaskRecord, event: TaskEvent, resource: ResourceRecord): Promise<CreateResult> {
    const duplicate = this.duplicateOf(task);
    if (duplicate) return duplicate;
    const busy = await this.activeTask(task.resourceId);
    if (busy) return { created: false, reason: 'busy', existing: busy };
    this.resources.set(resource.id, resource);
    this.addTask(task, event);
    return { created: true };
  }

  async createTask(task: TaskRecord, event: TaskEvent): Promise<CreateResult> {
    const duplicate = this.duplicateOf(task);
    if (duplicate) return duplicate;
    this.addTask(task, event);
    return { created: true };
  }

  async findTaskByRequestId(requestId: string): Promise<TaskRecord | undefined> {
    const id = this.byRequestId.get(requestId);
    return id === undefined ? undefined : this.tasks.get(id);
  }

  private duplicateOf(task: TaskRecord): CreateResult | undefined {
    const existing = task.requestId === null ? undefined : this.byRequestId.get(task.requestId);
    const found = existing === undefined ? undefined : this.tasks.get(existing);
    return found ? { created: false, reason: 'duplicate', existing: found } : undefined;
  }

  private addTask(task: TaskRecord, event: TaskEvent): void {
    this.setTask(task);
    if (task.requestId !== null) this.byRequestId.set(task.requestId, task.id);
    this.addEvent(event);
  }

  /** Tasks created with another write; one whose request id a task has already is left out. */
  private addFollowUps(followUps: readonly NewTask[]): void {
    for (const f of followUps) if (!this.duplicateOf(f.task)) this.addTask(f.task, f.event);
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    return this.tasks.get(id);
  }

  private matching(query: TaskQuery): TaskRecord[] {
    return [...this.tasks.values()].filter(
      (t) =>
        (query.resourceId === undefined || t.resourceId === query.resourceId) &&
        (query.status === undefined || t.status === query.status),
    );
  }

  async listTasks(query: TaskQuery): Promise<TaskRecord[]> {
    const offset = query.offset ?? 0;
    return this.matching(query).slice(offset, query.limit === undefined ? undefined : offset + query.limit);
  }

  async countTasks(query: TaskQuery): Promise<number> {
    return this.matching(query).length;
  }

  async taskEvents(taskId: string, limit?: number): Promise<TaskEvent[]> {
    const all = this.events.get(taskId) ?? [];
    return limit === undefined ? [...all] : all.slice(Math.max(0, all.length - limit));
  }

  async activeTask(resourceId: string): Promise<TaskRecord | undefined> {
    for (const t of this.tasks.values()) if (t.resourceId === resourceId && isActive(t)) return t;
    return undefined;
  }

  async claimDueTasks(now: number, limit: number, owner: string, leaseUntil: number): Promise<TaskRecord[]> {
    const claimed: TaskRecord[] = [];
    while (claimed.length < limit) {
      const top = this.due.peek();
      // Scheduled tasks are due at their time; a running one only once its lease has ended.
      if (!top || top.at > now) break;
      const t = this.tasks.get(top.id);
      if (t && t.status === TaskStatus.running && dueAt(t) === top.at && top.at === now) break;
      this.due.pop();
      // A stale entry: the task changed since, and has (or had) another entry of its own.
      if (!t || dueAt(t) !== top.at) continue;
      if (t.status === TaskStatus.running) {
        this.addEvent({
          taskId: t.id,
          at: now,
          kind: TaskEventKind.recovered,
          message: RECOVERED_MESSAGE,
          attempt: t.attempts,
        });
      }
      const next: TaskRecord = {
        ...t,
        status: TaskStatus.running,
        attempts: t.attempts + 1,
        leaseOwner: owner,
        leaseUntil,
        updatedAt: now,
      };
      this.setTask(next);
      claimed.push(next);
    }
    return claimed;
  }

  async completeAttempts(owner: string, outcomes: readonly AttemptOutcome[]): Promise<boolean[]> {
    const applied: boolean[] = [];
    for (const outcome of outcomes) applied.push(await this.completeAttempt(owner, outcome));
    return applied;
  }

  private async completeAttempt(owner: string, outcome: AttemptOutcome): Promise<boolean> {
    const current = this.tasks.get(outcome.task.id);
    if (!current || current.status !== TaskStatus.running || current.leaseOwner !== owner) return false;
    this.setTask(outcome.task);
    this.addEvent(outcome.event);
    const r = outcome.resource;
    if (r && 'delete' in r) this.removeResource(r.delete);
    else if (r) this.resources.set(r.id, r);
    this.addFollowUps(outcome.followUps ?? []);
    return true;
  }

  async transitionTask(task: TaskRecord, from: readonly TaskStatus[], event: TaskEvent): Promise<boolean> {
    const current = this.tasks.get(task.id);
    if (!current || !from.includes(current.status)) return false;
    if (isActive(task)) {
      const busy = await this.activeTask(task.resourceId);
      if (busy && busy.id !== task.id) return false;
    }
    this.setTask(task);
    this.addEvent(event);
    return true;
  }

  async nextWakeUp(): Promise<number | undefined> {
    for (let top = this.due.peek(); top; top = this.due.peek()) {
      const t = this.tasks.get(top.id);
      if (t && dueAt(t) === top.at) return top.at;
      this.due.pop();
    }
    return undefined;
  }

  /** Every task write goes through here, so that the heap has an entry for its due time. */
  private setTask(task: TaskRecord): void {
    this.tasks.set(task.id, task);
    const at = dueAt(task);
    if (at !== undefined) this.due.push(at, task.id);
  }

  async link(link: LinkRecord): Promise<void> {
    this.addLink(link);
  }

  async unlink(link: LinkRecord): Promise<void> {
    this.removeLink(link);
  }

  private addLink(link: LinkRecord): void {
    if (!this.links.some((l) => l.from === link.from && l.relation === link.relation && l.to === link.to))
      this.links.push({ from: link.from, relation: link.relation, to: link.to });
  }

  private removeLink(link: LinkRecord): void {
    this.links = this.links.filter((l) => !(l.from === link.from && l.relation === link.relation && l.to === link.to));
  }

  async linksFrom(from: string, relation?: string): Promise<LinkRecord[]> {
    return this.links
      .filter((l) => l.from === from && (relation === undefined || l.relation === relation))
      .sort(compareLinks);
  }

  async linksOfMany(ids: readonly string[]): Promise<LinkRecord[]> {
    const wanted = new Set(ids);
    return this.links.filter((l) => wanted.has(l.from)).sort(compareLinks);
  }

  async changeLinks(
    remove: readonly LinkRecord[],
    add: readonly LinkRecord[],
    followUps: readonly NewTask[] = [],
  ): Promise<void> {
    // Synchronous: nothing else runs in between, which is this store's transaction.
    for (const l of remove) this.removeLink(l);
    for (const l of add) this.addLink(l);
    this.addFollowUps(followUps);
  }

  async addSubscription(subscription: SubscriptionRecord, maxPerSubscriber: number): Promise<boolean> {
    return this.subscriptions.add(subscription, maxPerSubscriber);
  }

  async removeSubscription(subscriberId: string, id: string): Promise<boolean> {
    return this.subscriptions.remove(subscriberId, id);
  }

  async listSubscriptions(subscriberId: string): Promise<SubscriptionRecord[]> {
    return this.subscriptions.list(subscriberId);
  }

  async matchingSubscriptions(
    event: string,
    sourceId: string,
    sourceTypes: readonly string[],
  ): Promise<SubscriptionRecord[]> {
    return this.subscriptions.matching(event, sourceId, sourceTypes);
  }

  private addEvent(event: TaskEvent): void {
    const list = this.events.get(event.taskId);
    if (!list) {
      this.events.set(event.taskId, [event]);
      return;
    }
    list.push(event);
    if (list.length > this.maxEventsPerTask) list.splice(0, list.length - this.maxEventsPerTask);
  }
}
