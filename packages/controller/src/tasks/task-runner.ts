/**
 * Runs one attempt of a task this process holds: a lifecycle task calls the endpoint (with the APS
 * headers of its phase) and `decide`s what the answer means; a job runs its definition. Either way
 * the outcome is recorded as one step (group commit), within the polling limit of the task's type,
 * and told to whoever listens. The scheduler and the request that creates a task both come here.
 */
import { LifecycleOperation, TaskStatus } from '@apskit/core';
import { isLifecycle, type AttemptOutcome, type ResourceRecord, type Store, type TaskRecord } from '@apskit/store';
import type { ChangeEvents } from '../events/change-events';
import type { EventRaising } from '../events/event-raising';
import type { ControllerMetrics } from '../metrics';
import type { ServiceRegistry } from '../registry/service-registry';
import type { UpgradeMigration } from '../upgrade/upgrade-migration';
import type { OperationAnswers } from '../requests/request-identity';
import { outgoingHeaders, type CallerIdentity } from '../transport/aps-headers';
import { TransportError, type EndpointAnswer, type Transport } from '../transport/transport';
import { withInstallCredentials, withoutSecrets, type InstallCredentials } from '../trust/install-credentials';
import { endpointBody, withoutLinkValues } from '../wire/resource-links';
import { decide, unreachable } from './attempt';
import type { CommitQueue } from './commit-queue';
import type { JobRegistry } from './job-registry';
import { jobOutcome, type JobResult } from './jobs';
import { maxPollingFor, type MaxPollingOption } from './polling-limits';
import type { ClaimedResource } from './scheduler';

export interface TaskRunnerDeps {
  readonly store: Pick<Store, 'getResource' | 'linksFrom'>;
  readonly registry: ServiceRegistry;
  readonly transport: Transport;
  readonly jobs: JobRegistry;
  readonly commits: CommitQueue;
  readonly metrics: ControllerMetrics;
  readonly changes: ChangeEvents;
  readonly answers: OperationAnswers;
  readonly clock: () => number;
  readonly timeScale: number;
  readonly maxPollingSeconds: MaxPollingOption | undefined;
  /** Who calls the endpoint, as of now. */
  readonly caller: () => CallerIdentity;
  /** Lets the scheduler look at the store now (a task was scheduled again). */
  readonly wake: () => void;
  /** The installation handshake: the certificates the instance's creation carries (see trust/). */
  readonly install?: InstallHandshake;
  /**
   * An upgrade's second part, after its endpoint call: the stored resources of older type IDs
   * migrated, then the version recorded, before the task is recorded as done (upgrade/).
   */
  readonly upgrade?: Pick<UpgradeMigration, 'isMigrationStep' | 'afterEndpoint' | 'step'>;
  /** The events a lifecycle outcome raises: their deliveries are stored with the outcome (events/). */
  readonly events?: Pick<EventRaising, 'ofOutcome' | 'announce'>;
}

export interface InstallHandshake {
  /** `aps.x509` for this provision attempt when it creates the application instance; else undefined. */
  credentialsFor(task: TaskRecord, resource: ResourceRecord): Promise<InstallCredentials | undefined>;
  /** The endpoint has taken the instance's certificate and key (the installation succeeded). */
  installed(): Promise<void>;
}

export class TaskRunner {
  constructor(private readonly deps: TaskRunnerDeps) {}

  /**
   * One attempt, its outcome recorded; the task as recorded, or undefined if another runner took it
   * over. `claimed`: the task's resource as the store read it in the claim's own transaction, when
   * it does (SQLite's writer thread, PostgreSQL's claim statement); the attempt starts from it rather
   * than reading it again. The task is running from its claim on: no other task works on the resource
   * meanwhile, and an app's own write in between (from this process or another) fares as one made
   * during the endpoint call (the outcome is written over it).
   */
  async run(task: TaskRecord, claimed?: ClaimedResource): Promise<TaskRecord | undefined> {
    if (!isLifecycle(task.operation)) return this.runJob(task);
    if (this.deps.upgrade?.isMigrationStep(task)) return this.migrate(task, this.deps.upgrade);
    if (task.request.method === 'JOB')
      throw new Error(`Task ${task.id} is a lifecycle task without an endpoint request`);
    const { store, registry, transport } = this.deps;
    const resource = claimed ? claimed.resource : await store.getResource(task.resourceId);
    // The type's polling limit: the type of the resource the task works on (it exists while its task runs).
    const type = resource ? registry.find(resource.type)?.type : undefined;
    const timing = this.timing(maxPollingFor(this.deps.maxPollingSeconds, type?.name));
    // A provision repeats the resource as the endpoint last answered it, with its links; configure
    // repeats its new state.
    const provision = task.operation === LifecycleOperation.provision && resource;
    const body = provision ? await endpointBody(resource, registry, store) : task.request.body;
    // Creating the application instance, the request carries its certificate and key; the stored
    // resource and task never do, and the answer loses them (and any private key) before it is used.
    const x509 = provision && this.deps.install ? await this.deps.install.credentialsFor(task, resource) : undefined;
    let answer: EndpointAnswer | undefined;
    let reason = '';
    try {
      answer = await transport.call({
        method: task.request.method,
        path: task.request.path,
        headers: outgoingHeaders(task.phase, this.deps.caller()),
        body: x509 ? withInstallCredentials(body, x509) : body,
      });
      if (x509) answer = withoutSecrets(answer);
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      reason = e.message;
    }
    const now = this.deps.clock();
    const decided = withoutLinkValues(
      answer
        ? decide(task, resource, answer, { ...timing, now })
        : unreachable(task, resource, reason, { ...timing, now }),
      type?.relations ?? [],
    );
    // An upgrade the endpoint has done migrates the stored resources before it is recorded as done.
    const outcome = this.deps.upgrade ? await this.deps.upgrade.afterEndpoint(task, decided) : decided;
    if (answer && outcome.task.status === TaskStatus.failed) this.deps.answers.remember(task.id, answer);
    // The events the outcome raises (a success's) are delivered by tasks stored in the same step.
    const followUps = (await this.deps.events?.ofOutcome(task, resource, outcome)) ?? [];
    const recorded = await this.record(followUps.length > 0 ? { ...outcome, followUps } : outcome);
    if (recorded) this.deps.events?.announce(followUps);
    if (x509 && recorded?.status === TaskStatus.succeeded) await this.deps.install?.installed();
    return recorded;
  }

  /** A migration step of an upgrade whose endpoint call has succeeded: no endpoint call (see upgrade/). */
  private async migrate(
    task: TaskRecord,
    upgrade: NonNullable<TaskRunnerDeps['upgrade']>,
  ): Promise<TaskRecord | undefined> {
    const resource = await this.deps.store.getResource(task.resourceId);
    const outcome = await upgrade.step(task);
    const followUps = (await this.deps.events?.ofOutcome(task, resource, outcome)) ?? [];
    const recorded = await this.record(followUps.length > 0 ? { ...outcome, followUps } : outcome);
    if (recorded) this.deps.events?.announce(followUps);
    return recorded;
  }

  private async runJob(task: TaskRecord): Promise<TaskRecord | undefined> {
    const job = this.deps.jobs.get(task.operation);
    const timing = this.timing(job?.maxPollingSeconds ?? maxPollingFor(this.deps.maxPollingSeconds, undefined));
    let result: JobResult | { thrown: string };
    if (!job)
      result = { status: TaskStatus.failed, output: `No job "${task.operation}" is defined in this controller` };
    else {
      try {
        result = await job.run({ task, payload: task.request.body, attempt: task.attempts });
      } catch (e) {
        result = { thrown: e instanceof Error ? e.message : String(e) };
      }
    }
    return this.record(jobOutcome(task, result, { ...timing, now: this.deps.clock() }));
  }

  private timing(maxPollingSeconds: number): { timeScale: number; maxPollingSeconds: number } {
    return { timeScale: this.deps.timeScale, maxPollingSeconds };
  }

  /** Stores an attempt's outcome (group commit) and tells whoever listens. */
  private async record(outcome: AttemptOutcome): Promise<TaskRecord | undefined> {
    const applied = await this.deps.commits.commit(outcome);
    if (!applied) return undefined; // another runner took the task over: its outcome is the one that counts
    if (outcome.task.status === TaskStatus.scheduled) this.deps.wake();
    this.deps.metrics.taskOutcomes.inc({ operation: outcome.task.operation, outcome: outcome.event.kind });
    this.deps.changes.task(outcome.task);
    if (outcome.resource) {
      if ('delete' in outcome.resource) this.deps.changes.removed(outcome.resource.delete);
      else this.deps.changes.resource(outcome.resource.id);
    }
    return outcome.task;
  }
}
