/**
 * The upgrade task's second part: once the endpoint's upgrade has succeeded, the resources stored
 * under older type IDs become resources of the types served now (./migration-plan), and only then
 * is the new version recorded and the task recorded as done.
 *
 * It runs as the same task, a batch at a time: the first batch in the attempt whose endpoint call
 * succeeded, then, while old resources remain, the task is scheduled again at once with its request
 * turned into the migration's progress (`{ method: 'JOB', path: 'upgrade/migrate', body }`), which
 * the next attempt (this process or another, after a crash) continues from. Each batch reads the
 * oldest resources still under the old ID (at most `batchSize`): a migrated resource leaves that set
 * in its own write, so no batch reads one twice and nothing is loaded whole; the progress says which
 * old IDs are left and how many moved. A resource changed meanwhile is read again; one already moved
 * (by a runner that lost its lease) is skipped.
 *
 * A migration that throws, or answers properties the new type refuses, fails the task naming the
 * resource (the instance `aps:ready` again, its version unchanged, the resources moved so far
 * moved); rerunning the failed task continues the migration without calling the endpoint again.
 */
import { LifecycleOperation, RequestPhase, ResourceStatus, TaskEventKind, TaskStatus } from '@apskit/core';
import type { AttemptOutcome, ResourceRecord, Store, TaskEvent, TaskRecord } from '@apskit/store';
import type { ChangeEvents } from '../events/change-events';
import { withDefaults } from '../resources/defaults';
import { APP_VERSION_KEY } from '../store/key-values';
import type { MigrationPlan, TypeMove } from './migration-plan';

/** The migration's progress, stored as the upgrade task's request while it runs. */
export interface MigrationProgress {
  /** The version the upgrade records once done. */
  readonly to: string;
  /** Old type IDs with resources left, in order; the first is migrating now. */
  readonly pending: readonly string[];
  /** Resources moved so far. */
  readonly migrated: number;
}

/** The request path that marks an upgrade task's migration phase. */
export const MIGRATION_PATH = 'upgrade/migrate';

export interface UpgradeMigrationDeps {
  readonly store: Pick<Store, 'getResource' | 'listResources' | 'putResource' | 'setMeta'>;
  readonly plan: MigrationPlan;
  readonly changes: ChangeEvents;
  readonly clock: () => number;
  /** Resources read per batch. Default 100. */
  readonly batchSize?: number;
  /** How long one attempt keeps taking batches before it lets the task be scheduled again. Default 500 ms. */
  readonly attemptMs?: number;
}

export class UpgradeMigration {
  constructor(private readonly deps: UpgradeMigrationDeps) {}

  /** Whether this upgrade task's next attempt is a migration step (its endpoint call has succeeded). */
  isMigrationStep(task: TaskRecord): boolean {
    return task.operation === LifecycleOperation.upgrade && task.request.method === 'JOB';
  }

  /**
   * The outcome of an upgrade task's endpoint call, migration included: a success migrates (a first
   * batch now) before it is recorded; anything else is left as it is.
   */
  async afterEndpoint(task: TaskRecord, outcome: AttemptOutcome): Promise<AttemptOutcome> {
    if (task.operation !== LifecycleOperation.upgrade || outcome.task.status !== TaskStatus.succeeded) return outcome;
    const to = (task.request.body as { to?: unknown } | undefined)?.to;
    const pending: string[] = [];
    for (const typeId of this.deps.plan.oldTypeIds)
      if ((await this.deps.store.listResources({ type: typeId, limit: 1 })).items.length > 0) pending.push(typeId);
    // The history keeps the endpoint's word ("Completed: the endpoint answered HTTP 200") with the first step's.
    return this.continue(outcome.task, { to: typeof to === 'string' ? to : '', pending, migrated: 0 }, outcome.event);
  }

  /** One migration attempt of an upgrade task whose endpoint call succeeded earlier. */
  async step(task: TaskRecord): Promise<AttemptOutcome> {
    const now = this.deps.clock();
    const base = { ...task, leaseOwner: null, leaseUntil: null, updatedAt: now };
    return this.continue(base, task.request.body as MigrationProgress);
  }

  private async continue(task: TaskRecord, start: MigrationProgress, endpoint?: TaskEvent): Promise<AttemptOutcome> {
    const { store, clock } = this.deps;
    const until = clock() + (this.deps.attemptMs ?? 500);
    let progress = start;
    let failure: string | undefined;
    while (progress.pending.length > 0 && clock() < until) {
      const typeId = progress.pending[0] as string;
      const move = this.deps.plan.moveOf(typeId);
      const page = move ? (await store.listResources({ type: typeId, limit: this.deps.batchSize ?? 100 })).items : [];
      if (page.length === 0) {
        progress = { ...progress, pending: progress.pending.slice(1) };
        continue;
      }
      let moved = 0;
      for (const resource of page) {
        try {
          if (await this.move(resource, move as TypeMove)) moved++;
        } catch (e) {
          failure = `Migrating resource ${resource.id} from ${typeId} to ${(move as TypeMove).to.type.id} failed: ${e instanceof Error ? e.message : String(e)}`;
          break;
        }
      }
      progress = { ...progress, migrated: progress.migrated + moved };
      if (failure) break;
    }
    const now = clock();
    const request = { method: 'JOB' as const, path: MIGRATION_PATH, body: progress };
    const root = await store.getResource(task.resourceId);
    const rootAs = (status: ResourceStatus): ResourceRecord | undefined =>
      root && { ...root, status, revision: root.revision + 1, modified: now };
    const event = (kind: TaskEvent['kind'], message: string): TaskEvent => ({
      taskId: task.id,
      at: now,
      kind,
      message: endpoint ? `${endpoint.message}; ${message}` : message,
      attempt: task.attempts,
    });
    const ended = { ...task, request, nextRunAt: null, endedAt: now, updatedAt: now };
    if (failure)
      return {
        // Answered as an async failure (202, then the task): the endpoint's own answer was a success.
        task: { ...ended, status: TaskStatus.failed, phase: RequestPhase.async, output: failure },
        event: event(TaskEventKind.failed, failure),
        resource: rootAs(ResourceStatus.ready),
      };
    if (progress.pending.length > 0) {
      const output = `Migrating resources to the new type versions: ${progress.migrated} moved so far, ${progress.pending.join(', ')} to go`;
      return {
        task: {
          ...task,
          request,
          status: TaskStatus.scheduled,
          phase: RequestPhase.async,
          nextRunAt: now,
          updatedAt: now,
          output,
        },
        event: event(TaskEventKind.rescheduled, output),
      };
    }
    // Recorded before the task is: a crash between the two finds the task running, and its next
    // attempt (nothing left to migrate) records it done.
    if (progress.to !== '') await store.setMeta(APP_VERSION_KEY, progress.to);
    const output =
      progress.migrated > 0
        ? `Upgraded to ${progress.to}: ${progress.migrated} resources migrated to the new type versions`
        : `Upgraded to ${progress.to}`;
    return {
      task: { ...ended, status: TaskStatus.succeeded, output, description: task.description || output },
      event: event(TaskEventKind.succeeded, output),
      resource: rootAs(ResourceStatus.ready),
    };
  }

  /** Moves one resource to its new type ID; false when it had moved already. */
  private async move(first: ResourceRecord, move: TypeMove): Promise<boolean> {
    let current: ResourceRecord | undefined = first;
    // A resource written meanwhile (a revision conflict) is read again, a few times.
    for (let tries = 0; tries < 5; tries++) {
      if (!current || current.type !== move.from) return false;
      const given = move.migration
        ? await move.migration(current.properties, { id: current.id, type: current.type })
        : { ...current.properties };
      if (given === null || typeof given !== 'object' || Array.isArray(given))
        throw new Error('the migration answered no properties object');
      const { aps: _aps, ...plain } = given;
      const properties = withDefaults(move.to.type, plain);
      const issues = move.to.validators.update(properties);
      if (issues.length > 0)
        throw new Error(
          `${move.to.type.name} refuses the migrated properties: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
        );
      const next: ResourceRecord = {
        ...current,
        type: move.to.type.id,
        properties,
        revision: current.revision + 1,
        modified: this.deps.clock(),
      };
      if (await this.deps.store.putResource(next, current.revision)) {
        this.deps.changes.resource(current.id);
        return true;
      }
      current = await this.deps.store.getResource(current.id);
    }
    throw new Error('it kept changing while it was being migrated');
  }
}
