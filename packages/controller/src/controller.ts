/**
 * The embedded controller: it keeps resources, calls the endpoint the way the APS platform does,
 * turns every 202 into a task, and re-polls the async phase on schedule until it ends. This class is
 * a facade over its parts, each a file named for its role: the service registry (registry/), links
 * (links/), request identity (requests/), lifecycle commands (resources/), custom operations
 * (operations/), the task runner, jobs and task admin (tasks/), and the wire form (wire/). The HTTP
 * API in ./api is a thin layer over the methods here. The store is private: what others need of it
 * is a method with a name.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { ConflictError, invalidError, type TypeModel } from '@apskit/core';
import { createEndpoint } from '@apskit/express';
import type { LinkRecord, ResourceQuery, ResourceRecord, Store, TaskQuery } from '@apskit/store';
import { AccessRules } from './access/access-rules';
import type { ControllerOptions } from './controller-options';
import { ChangeEvents } from './events/change-events';
import { eventDeliveryJob } from './events/event-delivery';
import { EVENT_DELIVERY_JOB, EventRaising } from './events/event-raising';
import { EventSerial } from './events/serial';
import { EventSubscriptions, type EventSubscription } from './events/subscriptions';
import { EventVisibility } from './events/visibility';
import { LinkCommands, type LinkEntryJson } from './links/link-commands';
import { LinkPlanner } from './links/link-planner';
import { ResourceLocks } from './links/resource-locks';
import { ControllerMetrics } from './metrics';
import { forwardCustomOperation } from './operations/custom-operation';
import { resourceListQuery, type ResourceListQuery } from './query/resource-query';
import { ServiceRegistry, type ServiceInfo } from './registry/service-registry';
import { OperationAnswers, type OperationResult } from './requests/request-identity';
import { AppRegistration } from './resources/app-registration';
import { LifecycleCommands, type SubmitOptions } from './resources/lifecycle-commands';
import { defaultStore } from './store/default-store';
import { indexedPropertyPaths } from './store/property-indexes';
import {
  APP_VERSION_KEY,
  GLOBALS_ID_KEY,
  GLOBALS_REQUEST_ID_KEY,
  INSTANCE_ID_KEY,
  keyValuePort,
  type KeyValuePort,
} from './store/key-values';
import { CommitQueue } from './tasks/commit-queue';
import { JobRegistry } from './tasks/job-registry';
import type { EnqueueOptions, JobDefinition } from './tasks/jobs';
import { Scheduler } from './tasks/scheduler';
import { TaskAdmin } from './tasks/task-admin';
import { TaskRunner } from './tasks/task-runner';
import type { CallerIdentity } from './transport/aps-headers';
import { HttpTransport } from './transport/http-transport';
import { InProcessTransport } from './transport/in-process-transport';
import { appSecretFetch } from './auth/app-secret';
import { ControllerTrust } from './trust/controller-trust';
import type { EndpointAnswer, EndpointRequest, Transport } from './transport/transport';
import { MigrationPlan } from './upgrade/migration-plan';
import { UpgradeMigration } from './upgrade/upgrade-migration';
import { CollectionLimits } from './usage/collection-limits';
import { DEFAULT_USAGE_SYNC_SECONDS, USAGE_SYNC_JOB, UsageSync } from './usage/usage-sync';
import type { ResourceJson } from './wire/resource-json';
import { endpointBody, ResourceRenderer, type RelationSelection } from './wire/resource-links';
import { taskJson, type TaskJson } from './wire/task-json';

export type { ControllerOptions } from './controller-options';
export type { OperationResult } from './requests/request-identity';
export type { SubmitOptions } from './resources/lifecycle-commands';
export type { KeyValuePort } from './store/key-values';
export { taskJson, type TaskJson };

export class Controller {
  readonly model: TypeModel;
  readonly timeScale: number;
  /**
   * Changes made by this process: `task` (a TaskJson) whenever a task is created or changes,
   * `resource` (its id) whenever a resource changes or goes, and `removed` (its id) once one is gone.
   * For consoles and tests.
   */
  readonly events = new EventEmitter();
  /** Prometheus metrics of this controller (served at `/metrics`). */
  readonly metrics: ControllerMetrics;
  /**
   * Durable values for an add-on beside the controller's own (webhooks keep which resource a
   * marketplace subscription is here), in this controller's store.
   */
  readonly keyValues: KeyValuePort;
  /**
   * Access rules (issue 18): what each caller reaches, is shown, and may write, link and call; the
   * API's routes apply them to every request (see access/access-rules).
   */
  readonly access: AccessRules;
  /** This controller's URL, sent to the endpoint as APS-Controller-URI (set by `listen`). */
  controllerUri: string | undefined;
  /**
   * Its certificates (a CA of its own, its client certificate, the instance's certificate) and
   * `trust.identify(peerCertificate)`: the instance a client certificate proves (see trust/).
   */
  readonly trust: ControllerTrust;
  private readonly store: Store;
  private readonly registry: ServiceRegistry;
  private readonly transport: Transport;
  private readonly scheduler: Scheduler;
  private readonly jobs: JobRegistry;
  private readonly commands: LifecycleCommands;
  private readonly admin: TaskAdmin;
  private readonly renderer: ResourceRenderer;
  private readonly linkCommands: LinkCommands;
  private readonly registration: AppRegistration;
  /** Which older type IDs an upgrade migrates, and how (upgrade/). */
  private readonly migrations: MigrationPlan;
  private readonly usage: UsageSync;
  private readonly subscriptions: EventSubscriptions;
  private readonly clock: () => number;
  private readonly caller: () => CallerIdentity;
  private instanceId = '';
  private opened = false;
  private started = false;
  private stopping = false;

  constructor(readonly options: ControllerOptions) {
    const endpoint = options.endpoint ?? { inProcess: true };
    this.store = options.store ?? defaultStore(options);
    this.trust = new ControllerTrust({ meta: this.store, directory: trustDirectory(options), clock: options.clock });
    if ('call' in endpoint || 'url' in endpoint) {
      this.registry = new ServiceRegistry(options.app.services);
      this.transport =
        'call' in endpoint
          ? endpoint
          : new HttpTransport(endpoint.url, {
              fetch: endpoint.fetch,
              timeoutMs: endpoint.timeoutMs,
              ca: endpoint.ca,
              // Over HTTPS the controller presents its own certificate, which the endpoint pins at installation.
              clientCertificate: () => this.trust.clientCredentials,
            });
    } else {
      // In process, the endpoint's model is the controller's: one model, its validators compiled once.
      const inProcess = createEndpoint({
        services: options.app.services,
        // The endpoint reads current state straight from this controller's store.
        loadResource: async ({ id }) => {
          const r = await this.store.getResource(id);
          return r && endpointBody(r, this.registry, this.store);
        },
        logger: false,
      });
      this.registry = new ServiceRegistry(options.app.services, inProcess);
      // Its calls back (controllerClient) are the app's: they carry this controller's in-process
      // secret to its own URI, never anywhere else (auth/app-secret.ts).
      this.transport = new InProcessTransport(inProcess, () =>
        this.instanceId === ''
          ? undefined
          : { instanceId: this.instanceId, controllerUri: this.controllerUri, fetch: appSecretFetch(this) },
      );
    }
    this.model = this.registry.model;
    this.clock = options.clock ?? Date.now;
    this.timeScale = options.timeScale ?? Number(process.env.APSKIT_TIME_SCALE ?? 1);
    if (!(this.timeScale > 0)) throw new Error(`The time scale must be a positive number, not ${this.timeScale}`);
    this.controllerUri = options.controllerUri;
    this.keyValues = keyValuePort(this.store);
    this.access = new AccessRules(this.model.types, this.store);
    const owner = `controller-${randomUUID()}`;
    // Read at each call: the instance id is known once started, the URI once listening.
    const caller = (): CallerIdentity => ({ instanceId: this.instanceId, controllerUri: this.controllerUri });
    this.caller = caller;
    const changes = new ChangeEvents(this.events);
    // Checked here, so that an entry no served type takes fails at start rather than mid-upgrade.
    this.migrations = new MigrationPlan(
      this.registry,
      Object.values(options.app.services).map((cls) => this.registry.serviceOf(this.model.get(cls).id)),
      options.app.upgrade?.migrate,
    );
    const wake = (): void => this.scheduler.wake();
    this.metrics = new ControllerMetrics(this.store);
    this.jobs = new JobRegistry({ store: this.store, clock: this.clock, changes, wake });
    // Events (issue 19): raised by the writes below, delivered by the `aps.event.deliver` job (events/).
    const events = new EventRaising({
      store: this.store,
      registry: this.registry,
      visibility: new EventVisibility(this.model.types, this.store),
      serial: new EventSerial(this.clock),
      clock: this.clock,
      changes,
      wake,
    });
    this.jobs.define(
      EVENT_DELIVERY_JOB,
      eventDeliveryJob({
        store: this.store,
        registry: this.registry,
        transport: this.transport,
        caller,
        clock: this.clock,
        timeScale: this.timeScale,
      }),
    );
    this.subscriptions = new EventSubscriptions({
      store: this.store,
      exists: async (id) => (await this.store.getResource(id)) !== undefined,
      types: this.model.types,
      typeOf: (typeId) => this.registry.find(typeId)?.type,
      clock: this.clock,
    });
    const answers = new OperationAnswers(this.store);
    // A batch sent to a writer off the event loop at four times `concurrency` outcomes: each batch
    // pays one disk sync (0.5 to 1 ms on the benchmark machine) against some 45 µs of statements an
    // outcome; at twice, the syncs were a third of the SQLite writer thread's time.
    const commits = new CommitQueue(this.store, owner, 4 * (options.concurrency ?? 16));
    const runner = new TaskRunner({
      store: this.store,
      registry: this.registry,
      transport: this.transport,
      jobs: this.jobs,
      commits,
      metrics: this.metrics,
      changes,
      answers,
      clock: this.clock,
      timeScale: this.timeScale,
      maxPollingSeconds: options.maxPollingSeconds,
      caller,
      wake,
      events,
      // Records the version too, before the task is done (a crash between them repeats an attempt).
      // An attempt's batches stop well within its lease, lest another runner take the task over.
      upgrade: new UpgradeMigration({
        store: this.store,
        plan: this.migrations,
        changes,
        clock: this.clock,
        attemptMs: Math.min(500, (options.leaseMs ?? 120_000) / 4),
      }),
      install: {
        // The request that creates the instance (the globals' provisioning), to an endpoint over
        // HTTPS (or a transport of your own): one in this process or over plain HTTP has no TLS to
        // use a certificate with, and the key never crosses a network in clear.
        credentialsFor: async (task, resource) =>
          this.transport instanceof InProcessTransport ||
          (this.transport instanceof HttpTransport && !this.transport.isHttps) ||
          resource.type !== this.registry.globals()?.type.id ||
          task.requestId !== (await this.store.getMeta(GLOBALS_REQUEST_ID_KEY))
            ? undefined
            : this.trust.installCredentials(),
        installed: () => this.trust.installed(),
      },
    });
    this.renderer = new ResourceRenderer(this.registry, this.store);
    // One lock per resource for every link change, so that a collection's limit is checked and
    // written under its holder's lock by creations and links alike (usage/collection-limits).
    const locks = new ResourceLocks();
    const limits = new CollectionLimits({ store: this.store, registry: this.registry, locks });
    this.commands = new LifecycleCommands({
      store: this.store,
      registry: this.registry,
      links: new LinkPlanner(this.registry, this.store),
      answers,
      runner,
      changes,
      clock: this.clock,
      owner,
      leaseMs: options.leaseMs ?? 120_000,
      appName: options.app.name,
      renderer: this.renderer,
      relink: (id, wanted, options) => this.linkCommands.relink(id, wanted, options),
      limits,
      events,
    });
    this.linkCommands = new LinkCommands({
      store: this.store,
      registry: this.registry,
      planner: new LinkPlanner(this.registry, this.store),
      transport: this.transport,
      caller,
      changes,
      renderer: this.renderer,
      locks,
      limits,
      events,
    });
    this.registration = new AppRegistration(
      {
        store: this.store,
        registry: this.registry,
        links: new LinkPlanner(this.registry, this.store),
        changes,
        clock: this.clock,
        services: options.app.services,
        events,
      },
      this.model,
    );
    this.admin = new TaskAdmin({ store: this.store, changes, clock: this.clock, wake });
    this.usage = new UsageSync({
      store: this.store,
      registry: this.registry,
      transport: this.transport,
      caller,
      // Stored as the app's own write (not a configure): validated, announced, no endpoint call.
      write: (id, properties) => this.updateByApp(id, properties),
      enqueue: (kind, enqueue) => this.jobs.enqueue(kind, enqueue),
      clock: this.clock,
      timeScale: this.timeScale,
      // A run stops starting retrieves at a quarter of the lease: its last ones end well within it.
      runMs: (options.leaseMs ?? 120_000) / 4,
      periodSeconds: options.usageSyncSeconds ?? usageSyncSecondsFromEnv(),
      subject: () => `usage-sync:${this.instanceId}`,
      appName: options.app.name,
    });
    this.jobs.define(USAGE_SYNC_JOB, this.usage.job());
    this.scheduler = new Scheduler(this.store, async (task, claimed) => void (await runner.run(task, claimed)), {
      concurrency: options.concurrency ?? 16,
      owner,
      leaseMs: options.leaseMs ?? 120_000,
      pollMs: options.pollMs ?? 1000,
      clock: this.clock,
      pipelined: () => this.store.writesOffEventLoop === true,
      onClaim: (task, latenessMs) => {
        this.metrics.lateness.observe(latenessMs / 1000);
        options.onClaim?.(task, latenessMs);
      },
      onError: (e) => console.error('apskit controller: scheduler error', e),
    });
    // Outcomes and the claims that fill their slots in one commit, where the store can (issue 23).
    commits.claimWith(this.scheduler);
  }

  /**
   * Opens the store and loads the certificates (made the first time): the instance id and the CA are
   * known from here on, before anything is served (`start` does it when not done yet).
   */
  async open(): Promise<void> {
    if (this.opened) return;
    await this.store.init();
    try {
      await this.store.ensurePropertyIndexes?.(indexedPropertyPaths(this.model));
      // Several processes may start on one new database at once: the first one's id is everyone's.
      this.instanceId = await this.store.setMetaIfAbsent(INSTANCE_ID_KEY, randomUUID());
      await this.trust.open(this.instanceId);
    } catch (e) {
      await this.store.close().catch(() => undefined);
      throw e;
    }
    this.opened = true;
  }

  /** Opens the store, creates the application instance (with its globals) once, and starts the scheduler. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.open();
    this.started = true;
    this.scheduler.start();
    await this.ensureGlobals();
    // The next period's usage sync (one per period whatever the number of processes).
    await this.usage.scheduleNext();
  }

  /**
   * Stops taking up tasks, waits for the attempts under way to record their outcomes (so that no task
   * is left running: it is scheduled again, or ended), then closes the store.
   */
  async stop(): Promise<void> {
    if (!this.started) {
      // Opened but never started (serving failed before the start): the store is closed all the same.
      if (this.opened) await this.store.close();
      this.opened = false;
      return;
    }
    this.stopping = true;
    try {
      await this.scheduler.stop();
      await this.store.close();
    } finally {
      this.opened = false;
      this.started = false;
      this.stopping = false;
    }
  }

  /** Started, and not stopping: what readiness reports. */
  get ready(): boolean {
    return this.started && !this.stopping;
  }

  get instance(): { id: string; globalsId: Promise<string | undefined> } {
    return { id: this.instanceId, globalsId: this.store.getMeta(GLOBALS_ID_KEY) };
  }

  private async ensureGlobals(): Promise<void> {
    const globals = this.registry.globals();
    if (!globals || (await this.store.getMeta(GLOBALS_ID_KEY))) return;
    // One process creates the globals, even when several start on a new database at once: the one
    // whose request id is stored first. The others find its resource through that request id.
    const requestId = await this.store.setMetaIfAbsent(GLOBALS_REQUEST_ID_KEY, `globals-${randomUUID()}`);
    // The platform installs an instance with "global application configuration properties" in the
    // POST to the root service (docs.cloudblue.com/cbc/sdk/21.0/api/rest/application/deployment).
    const settings = this.options.globals ?? {};
    const result = await this.provision({ ...settings, aps: { type: globals.type.id } }, { requestId });
    if (result.resource) await this.store.setMetaIfAbsent(GLOBALS_ID_KEY, result.resource.aps.id);
  }

  // ---- resources ----------------------------------------------------------------------------

  /** The service of a type ID or name: a 400 naming the types served when there is none. */
  serviceOf(typeRef: unknown): ServiceInfo {
    return this.registry.serviceOf(typeRef);
  }

  /** A resource; a 404 when there is none. */
  getResource(id: string): Promise<ResourceRecord> {
    return this.commands.getResource(id);
  }

  /** A resource, or undefined when there is none. */
  findResource(id: string): Promise<ResourceRecord | undefined> {
    return this.store.getResource(id);
  }

  /** Resources in creation order (of a type, if asked), paged, with the total the query matches. */
  listResources(query: ResourceQuery): Promise<{ items: ResourceRecord[]; total: number }> {
    return this.store.listResources(query);
  }

  /**
   * What an RQL query (the text after `?` in `GET /aps/2/resources?…`) asks of the store and of the
   * list, checked against the served types and typed from their schemas; a 400 with the position
   * when it is malformed or names what no type has (see query/resource-query).
   */
  resourceQuery(rql: string): ResourceListQuery {
    return resourceListQuery(rql, this.registry);
  }

  /** The links from a resource (through one relation, if asked). */
  linksFrom(id: string, relation?: string): Promise<LinkRecord[]> {
    return this.store.linksFrom(id, relation);
  }

  /**
   * Resources as reads show them, with the links `relations` names (`'all'`: every relation, as a
   * resource read shows them; a list shows those its `select()` names).
   */
  renderResources(records: readonly ResourceRecord[], relations: RelationSelection): Promise<ResourceJson[]> {
    return this.renderer.render(records, relations);
  }

  /** Links `id` to the resource `body` names by `aps.id` through `relation` (see links/link-commands). */
  link(id: string, relation: string, body: unknown): Promise<ResourceJson> {
    return this.linkCommands.link(id, relation, body);
  }

  /** Unlinks `targetId` from `id` through `relation`, endpoint first (see links/link-commands). */
  unlink(id: string, relation: string, targetId: string): Promise<void> {
    return this.linkCommands.unlink(id, relation, targetId);
  }

  /** Every link of a resource (`GET /aps/2/resources/{id}/aps/links`). */
  links(id: string): Promise<LinkEntryJson[]> {
    return this.linkCommands.links(id);
  }

  /** One linked resource (`GET /aps/2/resources/{id}/{relation}/{id2}`); a 404 when it is not linked. */
  linkedResource(id: string, relation: string, targetId: string): Promise<ResourceJson> {
    return this.linkCommands.linked(id, relation, targetId);
  }

  /** See LifecycleCommands.provision. */
  provision(body: unknown, options: SubmitOptions = {}): Promise<OperationResult> {
    return this.commands.provision(body, options);
  }

  /**
   * Stores a resource the application created itself, of the type `service` serves, without calling
   * the endpoint (see resources/app-registration).
   */
  registerResource(service: string, body: unknown): Promise<ResourceRecord> {
    return this.registration.register(service, body);
  }

  /** See LifecycleCommands.updateByApp. */
  updateByApp(id: string, body: unknown): Promise<ResourceJson> {
    return this.commands.updateByApp(id, body);
  }

  configure(id: string, body: unknown, options: SubmitOptions = {}): Promise<OperationResult> {
    return this.commands.configure(id, body, options);
  }

  unprovision(id: string, options: SubmitOptions = {}): Promise<OperationResult> {
    return this.commands.unprovision(id, options);
  }

  /** The application version the instance runs: the last successful upgrade's, if any. */
  get appVersion(): Promise<string | undefined> {
    return this.store.getMeta(APP_VERSION_KEY);
  }

  /**
   * Upgrades the application instance to `version`: an "Upgrading application …" task on the globals
   * resource (`aps:upgrading` while it runs), which calls the endpoint's `upgrade` operation.
   */
  async upgrade(version: unknown, options: SubmitOptions = {}): Promise<OperationResult> {
    if (typeof version !== 'string' || version.trim() === '')
      throw invalidError('upgrade', [{ field: 'version', message: 'is required: the version to upgrade to' }]);
    const rootId = await this.store.getMeta(GLOBALS_ID_KEY);
    if (!rootId) throw new ConflictError('The application instance has no globals resource to upgrade');
    return this.commands.upgrade(rootId, version, await this.appVersion, options, (typeId) =>
      this.migrations.serviceOf(typeId),
    );
  }

  /**
   * Forwards a custom operation to the endpoint and passes its answer back. `path` is relative to the
   * resource (`resize`, `items/abc`), its segments percent-encoded; `query` is empty or starts with
   * `?`. Only an operation the resource's type declares is forwarded (see operations/custom-operation).
   */
  async customOperation(
    id: string,
    method: EndpointRequest['method'],
    path: string,
    query: string,
    body: unknown,
  ): Promise<EndpointAnswer> {
    const current = await this.getResource(id);
    const info = this.registry.serviceOf(current.type);
    return forwardCustomOperation(this.transport, this.caller(), { id, info }, { method, path, query, body });
  }

  // ---- event subscriptions (events/subscriptions) --------------------------------------------

  /** The event subscriptions of a resource, in creation order. */
  listSubscriptions(subscriberId: string): Promise<EventSubscription[]> {
    return this.subscriptions.list(subscriberId);
  }

  /** One event subscription of a resource; a 404 when it has none with that id. */
  getSubscription(subscriberId: string, id: string): Promise<EventSubscription> {
    return this.subscriptions.get(subscriberId, id);
  }

  /**
   * Subscribes `subscriber` to the events the body names (the spec's EventSubscription); a 400
   * naming the field, and nothing stored, when it is bad. `sees`: whether the caller sees a source.
   */
  subscribe(
    subscriber: { id: string; type: string },
    body: unknown,
    sees?: (id: string) => Promise<boolean>,
  ): Promise<EventSubscription> {
    return this.subscriptions.create(subscriber, body, sees);
  }

  /** Removes an event subscription; a 404 when the resource has none with that id. */
  unsubscribe(subscriberId: string, id: string): Promise<void> {
    return this.subscriptions.remove(subscriberId, id);
  }

  /**
   * Synchronizes resource usage now (`POST /apskit/usage/sync`): the "Synchronize resource usage"
   * task under way if there is one (`created: false`), else a new one (see usage/usage-sync).
   */
  syncUsage(): Promise<{ task: TaskJson; created: boolean }> {
    return this.usage.trigger();
  }

  // ---- tasks ----------------------------------------------------------------------------------

  /** Registers a kind of job; tasks of that kind are run by `definition.run`. */
  defineJob<P>(kind: string, definition: JobDefinition<P>): void {
    this.jobs.define(kind, definition);
  }

  /** Schedules a job; with a `requestId`, idempotently (see JobRegistry.enqueue). */
  enqueueJob<P>(kind: string, options: EnqueueOptions<P>): Promise<{ task: TaskJson; created: boolean }> {
    return this.jobs.enqueue(kind, options);
  }

  /** A task; `withHistory`, with its events (the newest `historyLimit` of them, if given). */
  getTask(id: string, withHistory = false, historyLimit?: number): Promise<TaskJson> {
    return this.admin.getTask(id, withHistory, historyLimit);
  }

  /** Tasks in creation order; `offset` and `limit` page them (no limit unless given). */
  listTasks(query: TaskQuery): Promise<TaskJson[]> {
    return this.admin.listTasks(query);
  }

  /** How many tasks a listTasks query's filters match: the total of its pages. */
  countTasks(query: TaskQuery): Promise<number> {
    return this.admin.countTasks(query);
  }

  /** The task submitted with this request id, if any. */
  async findTaskByRequestId(requestId: string): Promise<TaskJson | undefined> {
    const task = await this.store.findTaskByRequestId(requestId);
    return task && taskJson(task);
  }

  /** The scheduled or running task of a resource, if any. */
  async activeTask(resourceId: string): Promise<TaskJson | undefined> {
    const task = await this.store.activeTask(resourceId);
    return task && taskJson(task);
  }

  /** Runs a failed task again, from the phase it failed in (restarting provisioning, say). */
  rerun(id: string): Promise<TaskJson> {
    return this.admin.rerun(id);
  }

  cancel(id: string): Promise<TaskJson> {
    return this.admin.cancel(id);
  }

  /** Lets the scheduler look at the store now (tests and benchmarks that add tasks directly). */
  wake(): void {
    this.scheduler.wake();
  }

  /** Whether tasks are running in this process now. */
  get busy(): number {
    return this.scheduler.busy;
  }
}

/** APSKIT_USAGE_SYNC_SECONDS, else the default period (3600 s); `false` or `0` turn it off. */
function usageSyncSecondsFromEnv(): number | false {
  const text = process.env.APSKIT_USAGE_SYNC_SECONDS;
  if (text === undefined || text.trim() === '') return DEFAULT_USAGE_SYNC_SECONDS;
  if (text.trim() === 'false') return false;
  const seconds = Number(text);
  if (!(seconds >= 0)) throw new Error(`APSKIT_USAGE_SYNC_SECONDS must be a number of seconds, not ${text}`);
  return seconds;
}

/**
 * Where the CA and the controller's certificate are kept as files: beside the default SQLite store,
 * in its data directory. With PostgreSQL, or a store passed in, they are kept in the store (shared by
 * every process of the database; in memory for the memory store): see trust/credential-keeping.
 */
function trustDirectory(options: ControllerOptions): string | undefined {
  if (options.store || options.databaseUrl || process.env.APSKIT_DATABASE_URL) return undefined;
  return join(options.dataDir ?? process.env.APSKIT_DATA_DIR ?? '.apskit', 'trust');
}
