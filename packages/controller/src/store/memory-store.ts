/**
 * A store in memory: the same semantics as the SQLite store, nothing kept across a restart. For tests
 * that do not test persistence, and as the baseline of the scheduler benchmark.
 */
import type { LinkRecord, ResourceRecord, TaskEvent, TaskRecord, TaskStatus } from './records';
import type { AttemptOutcome, ResourceQuery, Store, TaskQuery } from './store';

const isActive = (t: TaskRecord): boolean => t.status === 'scheduled' || t.status === 'running';

export class MemoryStore implements Store {
  private readonly meta = new Map<string, string>();
  private readonly resources = new Map<string, ResourceRecord>();
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly events = new Map<string, TaskEvent[]>();
  private links: LinkRecord[] = [];

  async init(): Promise<void> {}
  async close(): Promise<void> {}

  async getMeta(key: string): Promise<string | undefined> {
    return this.meta.get(key);
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.meta.set(key, value);
  }

  async getResource(id: string): Promise<ResourceRecord | undefined> {
    return this.resources.get(id);
  }

  async listResources(query: ResourceQuery): Promise<{ items: ResourceRecord[]; total: number }> {
    const all = [...this.resources.values()].filter((r) => query.type === undefined || r.type === query.type);
    const offset = query.offset ?? 0;
    return {
      items: all.slice(offset, query.limit === undefined ? undefined : offset + query.limit),
      total: all.length,
    };
  }

  async putResource(resource: ResourceRecord, expectedRevision?: number): Promise<boolean> {
    if (expectedRevision !== undefined && this.resources.get(resource.id)?.revision !== expectedRevision) return false;
    this.resources.set(resource.id, resource);
    return true;
  }

  async deleteResource(id: string): Promise<void> {
    this.resources.delete(id);
    this.links = this.links.filter((l) => l.from !== id && l.to !== id);
  }

  async createResourceWithTask(
    resource: ResourceRecord,
    task: TaskRecord,
    event: TaskEvent,
    links: LinkRecord[],
  ): Promise<void> {
    this.resources.set(resource.id, resource);
    for (const l of links) await this.link(l);
    this.tasks.set(task.id, task);
    this.addEvent(event);
  }

  async createTaskUnlessBusy(
    task: TaskRecord,
    event: TaskEvent,
    resource: ResourceRecord,
  ): Promise<TaskRecord | undefined> {
    const busy = await this.activeTask(task.resourceId);
    if (busy) return busy;
    this.resources.set(resource.id, resource);
    this.tasks.set(task.id, task);
    this.addEvent(event);
    return undefined;
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    return this.tasks.get(id);
  }

  async listTasks(query: TaskQuery): Promise<TaskRecord[]> {
    const all = [...this.tasks.values()].filter(
      (t) =>
        (query.resourceId === undefined || t.resourceId === query.resourceId) &&
        (query.status === undefined || t.status === query.status),
    );
    return query.limit === undefined ? all : all.slice(0, query.limit);
  }

  async taskEvents(taskId: string): Promise<TaskEvent[]> {
    return [...(this.events.get(taskId) ?? [])];
  }

  async activeTask(resourceId: string): Promise<TaskRecord | undefined> {
    for (const t of this.tasks.values()) if (t.resourceId === resourceId && isActive(t)) return t;
    return undefined;
  }

  async claimDueTasks(now: number, limit: number, owner: string, leaseUntil: number): Promise<TaskRecord[]> {
    const due = [...this.tasks.values()]
      .filter(
        (t) =>
          (t.status === 'scheduled' && (t.nextRunAt ?? 0) <= now) ||
          (t.status === 'running' && (t.leaseUntil ?? 0) < now),
      )
      .sort((a, b) => (a.nextRunAt ?? 0) - (b.nextRunAt ?? 0))
      .slice(0, Math.max(0, limit));
    return due.map((t) => {
      if (t.status === 'running') {
        this.addEvent({
          taskId: t.id,
          at: now,
          kind: 'recovered',
          message: 'The runner of the previous attempt stopped before recording its outcome; trying again',
          attempt: t.attempts,
        });
      }
      const claimed: TaskRecord = {
        ...t,
        status: 'running',
        attempts: t.attempts + 1,
        leaseOwner: owner,
        leaseUntil,
        updatedAt: now,
      };
      this.tasks.set(t.id, claimed);
      return claimed;
    });
  }

  async completeAttempt(owner: string, outcome: AttemptOutcome): Promise<boolean> {
    const current = this.tasks.get(outcome.task.id);
    if (!current || current.status !== 'running' || current.leaseOwner !== owner) return false;
    this.tasks.set(outcome.task.id, outcome.task);
    this.addEvent(outcome.event);
    const r = outcome.resource;
    if (r && 'delete' in r) await this.deleteResource(r.delete);
    else if (r) this.resources.set(r.id, r);
    return true;
  }

  async transitionTask(task: TaskRecord, from: readonly TaskStatus[], event: TaskEvent): Promise<boolean> {
    const current = this.tasks.get(task.id);
    if (!current || !from.includes(current.status)) return false;
    if (isActive(task)) {
      const busy = await this.activeTask(task.resourceId);
      if (busy && busy.id !== task.id) return false;
    }
    this.tasks.set(task.id, task);
    this.addEvent(event);
    return true;
  }

  async nextWakeUp(): Promise<number | undefined> {
    let next: number | undefined;
    for (const t of this.tasks.values()) {
      const at = t.status === 'scheduled' ? t.nextRunAt : t.status === 'running' ? t.leaseUntil : null;
      if (at !== null && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  async link(link: LinkRecord): Promise<void> {
    if (!this.links.some((l) => l.from === link.from && l.relation === link.relation && l.to === link.to))
      this.links.push(link);
  }

  async unlink(link: LinkRecord): Promise<void> {
    this.links = this.links.filter((l) => !(l.from === link.from && l.relation === link.relation && l.to === link.to));
  }

  async linksFrom(from: string, relation?: string): Promise<LinkRecord[]> {
    return this.links.filter((l) => l.from === from && (relation === undefined || l.relation === relation));
  }

  private addEvent(event: TaskEvent): void {
    const list = this.events.get(event.taskId);
    if (list) list.push(event);
    else this.events.set(event.taskId, [event]);
  }
}
