/**
 * "Synchronize resource usage for APS application instance <app>": what the platform's periodic task
 * does (docs.cloudblue.com/cbc/sdk/8.2/apps/proc/counters), as a durable job on the controller's one
 * task engine. Each run handles one batch: the next 100 ready resources of the counted types in id
 * order (keyset paging: nothing is ever loaded beyond a batch, whatever the number of resources), each
 * retrieved (`GET /<service>/<id>` to the endpoint, 8 at once) and its answer stored as an app write
 * (validated, read-only properties included; relation values and `aps` dropped; no configure, no
 * endpoint call), only when it differs from what is stored. The run then answers `retry` with the
 * cursor as its payload, which the engine stores with the outcome: a restart resumes from the last
 * recorded batch. The values are absolute (usage as the app reports it now), so a batch run twice
 * after a crash counts nothing twice.
 *
 * One job per period across processes: its request id is `usage-sync:<slot>` (slot = the period's
 * number since the epoch), enqueued at start and when a sync ends. A resource that fails (the
 * endpoint's error, an answer that is no valid state) is named in the output and skipped.
 */
import { randomUUID } from 'node:crypto';
import { isApsError, RequestPhase, ResourceStatus, TaskStatus } from '@apskit/core';
import type { ResourceRecord, Store, TaskRecord } from '@apskit/store';
import type { ServiceInfo, ServiceRegistry } from '../registry/service-registry';
import type { EnqueueOptions, JobContext, JobDefinition, JobResult } from '../tasks/jobs';
import { outgoingHeaders, type CallerIdentity } from '../transport/aps-headers';
import type { Transport } from '../transport/transport';
import { taskJson, type TaskJson } from '../wire/task-json';
import { counterProperties, countedServices } from './counted-types';

/** The job kind of the usage sync. */
export const USAGE_SYNC_JOB = 'aps.usage.sync';
/** Resources retrieved per run of the job. */
export const USAGE_SYNC_BATCH = 100;
/** Resources a run looks at, at most, to gather its batch (all of them when every one is counted). */
const SCANNED_PER_RUN = 1000;
/** Retrieves under way at once. */
export const USAGE_SYNC_CONCURRENCY = 8;
/** The default period, in (unscaled) seconds. */
export const DEFAULT_USAGE_SYNC_SECONDS = 3600;
/** How many failures and overuses the output names (the counts are always whole). */
const NAMED = 5;

/** A sync's progress, stored as the job's payload between runs. */
export interface UsageSyncProgress {
  /** The period of a periodic sync (absent for one asked for by hand). */
  readonly slot?: number;
  /** The last resource id looked at (resources are walked in id order). */
  readonly after?: string | null;
  readonly retrieved?: number;
  readonly synchronized?: number;
  readonly changed?: number;
  readonly failed?: number;
  readonly failures?: readonly string[];
  readonly overLimit?: number;
  readonly overLimits?: readonly string[];
}

export interface UsageSyncDeps {
  readonly store: Pick<Store, 'getResource' | 'listResources' | 'listTasks'>;
  readonly registry: ServiceRegistry;
  readonly transport: Transport;
  readonly caller: () => CallerIdentity;
  /** The app write (Controller.updateByApp): validated, stored, announced as `changed`. */
  readonly write: (id: string, properties: Record<string, unknown>) => Promise<unknown>;
  readonly enqueue: (
    kind: string,
    options: EnqueueOptions<UsageSyncProgress>,
  ) => Promise<{ task: TaskJson; created: boolean }>;
  readonly clock: () => number;
  readonly timeScale: number;
  /**
   * How long a run keeps starting retrieves (milliseconds): well within the task's lease, so that a
   * slow endpoint makes a run shorter rather than letting another process take the task over.
   */
  readonly runMs: number;
  /** The period in unscaled seconds; 0 or false: no periodic sync. */
  readonly periodSeconds: number | false;
  /** The tasks' subject (their `resourceId`): not a resource, so no resource is ever "busy" with it. */
  readonly subject: () => string;
  readonly appName: string;
}

/** What one resource's retrieve came to. */
type Retrieved =
  | { readonly kind: 'unchanged' | 'changed'; readonly over: readonly string[] }
  | { readonly kind: 'failed'; readonly reason: string };

export class UsageSync {
  /** Manual triggers in this process, one after another, so that two at once start one sync. */
  private triggering: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: UsageSyncDeps) {}

  /** The job's definition (registered with the controller's job registry). */
  job(): JobDefinition<UsageSyncProgress> {
    return {
      name: () => `Synchronize resource usage for APS application instance ${this.deps.appName}`,
      run: (context) => this.run(context),
    };
  }

  /** The period in milliseconds, scaled; undefined when there is no periodic sync. */
  private get periodMs(): number | undefined {
    const seconds = this.deps.periodSeconds;
    return seconds === false || !(seconds > 0) ? undefined : seconds * 1000 * this.deps.timeScale;
  }

  /**
   * Enqueues the next period's sync (idempotently across processes: one request id per period).
   * Called at start and whenever a sync ends.
   */
  async scheduleNext(): Promise<void> {
    const period = this.periodMs;
    // An app without counters has nothing to synchronize: no task every period for nothing.
    if (period === undefined || countedServices(this.deps.registry).length === 0) return;
    const slot = Math.floor(this.deps.clock() / period) + 1;
    await this.deps.enqueue(USAGE_SYNC_JOB, {
      subjectId: this.deps.subject(),
      payload: { slot },
      requestId: `usage-sync:${slot}`,
      runAt: Math.ceil(slot * period),
    });
  }

  /**
   * A sync now (`POST /apskit/usage/sync`): the one under way if there is one (started, or due),
   * else a new one. Within a process two calls at once start one; processes sharing a database
   * may each start one at the same moment, which is harmless (values are absolute).
   */
  trigger(): Promise<{ task: TaskJson; created: boolean }> {
    const next = this.triggering.then(async () => {
      const running = await this.underWay();
      if (running) return { task: running, created: false };
      return this.deps.enqueue(USAGE_SYNC_JOB, {
        subjectId: this.deps.subject(),
        payload: {},
        requestId: `usage-sync:manual:${randomUUID()}`,
      });
    });
    this.triggering = next.catch(() => undefined);
    return next;
  }

  /** A sync that is running, between batches, or due now (not a future period's, still waiting). */
  private async underWay(): Promise<TaskJson | undefined> {
    const now = this.deps.clock();
    for (const status of [TaskStatus.running, TaskStatus.scheduled]) {
      const tasks = await this.deps.store.listTasks({ resourceId: this.deps.subject(), status });
      const found = tasks.find(
        (t: TaskRecord) => t.operation === USAGE_SYNC_JOB && (t.attempts > 0 || (t.nextRunAt ?? Infinity) <= now),
      );
      if (found) return taskJson(found);
    }
    return undefined;
  }

  /** One run: one batch, then `retry` with the cursor, or the sync's summary when it is done. */
  private async run({ payload }: JobContext<UsageSyncProgress>): Promise<JobResult> {
    let progress: UsageSyncProgress = payload ?? {};
    const counted = new Map(countedServices(this.deps.registry).map((info) => [info.type.id, info]));
    let after = progress.after ?? null;
    // The batch: the next counted, ready resources by id. Resources are paged by id alone, whatever
    // their type (the id index pages in constant time; a page of one type by id would sort the whole
    // type at every batch on the SQL stores' (type, creation order) index), the others skipped; a run
    // reads at most SCANNED_PER_RUN resources, so a stretch of uncounted ones only makes it shorter.
    const batch: Array<{ info: ServiceInfo; resource: ResourceRecord }> = [];
    let scanned = 0;
    let end = false;
    while (batch.length < USAGE_SYNC_BATCH && scanned < SCANNED_PER_RUN) {
      const page = await this.deps.store.listResources({
        where: after === null ? undefined : { op: 'gt', field: { aps: 'id' }, value: after },
        sort: [{ field: { aps: 'id' }, descending: false }],
        limit: USAGE_SYNC_BATCH,
        // No total: counting the resources after the cursor cost more than the page (a count of up
        // to a million rows at every page, on the SQL stores).
        total: false,
      });
      let consumed = 0;
      for (const resource of page.items) {
        consumed += 1;
        scanned += 1;
        after = resource.id;
        const info = counted.get(resource.type);
        if (info && resource.status === ResourceStatus.ready) batch.push({ info, resource });
        if (batch.length === USAGE_SYNC_BATCH) break;
      }
      // A short page read to its end: there is nothing after it.
      if (page.items.length < USAGE_SYNC_BATCH && consumed === page.items.length) {
        end = true;
        break;
      }
    }
    // Retrieves are taken in order until the run's time is up (a slow endpoint): those taken are a
    // prefix of the batch, all finished, and the cursor moves past them only.
    const until = this.deps.clock() + this.deps.runMs;
    const results = await inOrder(
      batch,
      USAGE_SYNC_CONCURRENCY,
      ({ info, resource }) => this.retrieve(info, resource),
      () => this.deps.clock() < until,
    );
    progress = tally(progress, results);
    if (results.length < batch.length) {
      after = batch[results.length - 1].resource.id;
      end = false;
    }
    if (!end)
      return {
        status: 'retry',
        afterSeconds: 0,
        output: `${summary(progress)} so far`,
        payload: { ...progress, after },
      };
    await this.scheduleNext();
    return { status: TaskStatus.succeeded, output: summary(progress) };
  }

  /** Retrieves one resource and stores what changed. */
  private async retrieve(info: ServiceInfo, resource: ResourceRecord): Promise<Retrieved> {
    const id = resource.id;
    try {
      const answer = await this.deps.transport.call({
        method: 'GET',
        path: `/${info.service}/${encodeURIComponent(id)}`,
        headers: outgoingHeaders(RequestPhase.sync, this.deps.caller()),
      });
      if (answer.status !== 200) return { kind: 'failed', reason: `${id}: ${endpointMessage(answer)}` };
      const body = answer.body;
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        return { kind: 'failed', reason: `${id}: the endpoint's answer is not a resource (a JSON object)` };
      const answered = body as Record<string, unknown>;
      // First compared with the resource as the page read it (most answers change nothing, and then
      // nothing is read again); an answer that differs is compared again with the resource as stored
      // now: another run of this batch (a process that lost its lease mid-batch) may have stored the
      // same answer meanwhile.
      let changed = changes(info, answered, resource);
      let stored = resource;
      if (Object.keys(changed).length > 0) {
        const now = await this.deps.store.getResource(id);
        if (!now) return { kind: 'unchanged', over: [] }; // gone meanwhile: nothing to store
        stored = now;
        changed = changes(info, answered, now);
      }
      const merged = { ...stored.properties, ...changed };
      const over = counterProperties(info.type).flatMap((name) => overLimit(id, name, merged[name]));
      if (Object.keys(changed).length === 0) return { kind: 'unchanged', over };
      await this.deps.write(id, changed);
      return { kind: 'changed', over };
    } catch (e) {
      return { kind: 'failed', reason: `${id}: ${failureMessage(e)}` };
    }
  }
}

/** The properties of a retrieve's answer that differ from `stored`'s. */
function changes(
  info: ServiceInfo,
  answered: Record<string, unknown>,
  stored: ResourceRecord,
): Record<string, unknown> {
  // Relation values are links, which a retrieve does not change; `aps` is the controller's.
  const relations = new Set(info.type.relations.map((r) => r.name));
  const changed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(answered)) {
    if (name === 'aps' || relations.has(name) || value === undefined) continue;
    if (stableJson(value) !== stableJson(stored.properties[name])) changed[name] = value;
  }
  return changed;
}

/**
 * `fn` over `items` in order, at most `concurrency` at once, taking a next item only while `more()`
 * says so (the first `concurrency` items are always taken): the results of the items taken, a
 * prefix of `items`, in order.
 */
async function inOrder<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
  more: () => boolean,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && (next < concurrency || more())) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results.slice(0, next);
}

function tally(progress: UsageSyncProgress, results: readonly Retrieved[]): UsageSyncProgress {
  const failures = [...(progress.failures ?? [])];
  const overLimits = [...(progress.overLimits ?? [])];
  let { retrieved = 0, synchronized = 0, changed = 0, failed = 0, overLimit = 0 } = progress;
  for (const r of results) {
    retrieved += 1;
    if (r.kind === 'failed') {
      failed += 1;
      if (failures.length < NAMED) failures.push(r.reason);
      continue;
    }
    synchronized += 1;
    if (r.kind === 'changed') changed += 1;
    for (const o of r.over) {
      overLimit += 1;
      if (overLimits.length < NAMED) overLimits.push(o);
    }
  }
  return { ...progress, retrieved, synchronized, changed, failed, failures, overLimit, overLimits };
}

/** "Synchronized 250 of 250 resources (3 changed, 1 failed: …; 1 over its limit: …)". */
function summary(p: UsageSyncProgress): string {
  const parts = [`${p.changed ?? 0} changed`];
  if ((p.failed ?? 0) > 0) parts.push(`${p.failed} failed: ${named(p.failures ?? [], p.failed ?? 0)}`);
  const counts = parts.join(', ');
  const over =
    (p.overLimit ?? 0) > 0 ? `; ${p.overLimit} over the limit: ${named(p.overLimits ?? [], p.overLimit ?? 0)}` : '';
  return `Synchronized ${p.synchronized ?? 0} of ${p.retrieved ?? 0} resources (${counts}${over})`;
}

function named(list: readonly string[], count: number): string {
  return list.join('; ') + (count > list.length ? `; and ${count - list.length} more` : '');
}

/**
 * A counter whose usage is past its limit, as retrieve reported it: stored as it is (the platform
 * bills overuse; docs.cloudblue.com/cbc/sdk/8.2/apps/proc/counters), and named in the output.
 */
function overLimit(id: string, property: string, value: unknown): string[] {
  const counter = value as { usage?: unknown; limit?: unknown } | null | undefined;
  if (typeof counter?.usage !== 'number' || typeof counter.limit !== 'number') return [];
  return counter.usage > counter.limit ? [`${id} ${property} ${counter.usage} of ${counter.limit}`] : [];
}

function endpointMessage(answer: { status: number; body: unknown }): string {
  const message = (answer.body as { message?: unknown } | null | undefined)?.message;
  return `the endpoint answered ${answer.status}${typeof message === 'string' && message !== '' ? ` (${message.slice(0, 200)})` : ''}`;
}

function failureMessage(e: unknown): string {
  if (isApsError(e)) {
    const details = Array.isArray(e.details)
      ? (e.details as Array<{ field?: unknown; message?: unknown }>)
          .map((d) => `${String(d.field)} ${String(d.message)}`)
          .join(', ')
      : '';
    return `the answer was refused: ${e.message}${details === '' ? '' : ` (${details})`}`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** JSON with object keys in order: two values that differ only in key order are the same value. */
function stableJson(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}
