/**
 * The embedded controller: it keeps resources, calls the endpoint the way the APS platform does,
 * turns every 202 into a task, and re-polls the async phase on schedule until it ends. The HTTP API
 * in ./api is a thin layer over the methods here.
 */
import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  BadRequestError,
  buildTypeModel,
  compileImmutableChecks,
  compileResourceValidators,
  ConflictError,
  CoreTypes,
  NotFoundError,
  type ApsTypeModel,
  type Class,
  type ImmutableChecks,
  type ResourceValidators,
  type TypeModel,
  type ValidationIssue,
} from '@apskit/core';
import { createEndpoint } from '@apskit/express';
import { decide, IN_PROGRESS, unreachable } from './tasks/attempt';
import { CommitQueue } from './tasks/commit-queue';
import { ControllerMetrics } from './metrics';
import { jobOutcome, type EnqueueOptions, type JobDefinition, type JobResult } from './tasks/jobs';
import { Scheduler } from './tasks/scheduler';
import { defaultStore } from './store/default-store';
import {
  isLifecycle,
  type LifecycleOperation,
  type LinkRecord,
  type ResourceRecord,
  type TaskEvent,
  type TaskOperation,
  type TaskRecord,
  type AttemptOutcome,
  type Store,
  type TaskQuery,
} from '@apskit/store';
import { HttpTransport } from './transport/http-transport';
import { InProcessTransport } from './transport/in-process-transport';
import { TransportError, type EndpointAnswer, type EndpointRequest, type Transport } from './transport/transport';
import { renderResource, type ResourceJson } from './resources/render';

export interface ControllerOptions {
  /** The application: its name (in task names) and its services, as the endpoint serves them. */
  app: { name: string; services: Readonly<Record<string, Class>> };
  /**
   * Where the endpoint is. `{ url }`: any APS endpoint over HTTP, in whatever runtime. `{ inProcess:
   * true }` (the default): APSKit serves `app.services` in this process, reading resources from this
   * controller's store. Or a Transport of your own.
   */
  endpoint?: { url: string; fetch?: typeof fetch; timeoutMs?: number } | { inProcess: true } | Transport;
  /**
   * Default: PostgreSQL when `databaseUrl` (or APSKIT_DATABASE_URL) is set, through
   * @apskit/store-postgres; else SQLite at `<dataDir>/apskit.sqlite`.
   */
  store?: Store;
  /** `postgres://…`: the database several controller processes share; default APSKIT_DATABASE_URL. */
  databaseUrl?: string;
  /** Where the SQLite file lives; default APSKIT_DATA_DIR, then `.apskit`. */
  dataDir?: string;
  /** Multiplies every APS-Retry-Timeout; default APSKIT_TIME_SCALE, then 1. 0.01 turns 30 s into 300 ms. */
  timeScale?: number;
  /** How long a task may keep answering 202 before it fails, in seconds: one number, or per type name. Default 24 h. */
  maxPollingSeconds?: number | Readonly<Record<string, number>>;
  /** Tasks running at once. Default 16. */
  concurrency?: number;
  /** This controller's URL, sent to the endpoint as APS-Controller-URI (set by `listen`). */
  controllerUri?: string;
  /** Milliseconds since the epoch; replaceable in tests. */
  clock?: () => number;
  /** How long a claimed task stays this process's. Default 2 min. */
  leaseMs?: number;
  /** The longest the scheduler sleeps before looking at the store again. Default 1 s. */
  pollMs?: number;
  /** Called as the scheduler claims a task, with its lateness: for benchmarks and metrics. */
  onClaim?: (task: TaskRecord, latenessMs: number) => void;
  /**
   * Host names (without port) the API and the console answer to, besides the loopback names
   * (localhost, 127.0.0.1, [::1]) and the host of `controllerUri`: a request naming another Host is
   * refused (421), which is what stops DNS rebinding. `['*']` turns the check off. Default
   * APSKIT_ALLOWED_HOSTS (comma-separated), else none.
   */
  allowedHosts?: readonly string[];
  /**
   * Page sizes of the API's lists (resources, tasks, a task's history): `default` when the request
   * names no range, `max` at most whatever it names. Default 1000 and 1000 (APS's own default count).
   */
  pageSize?: { readonly default?: number; readonly max?: number };
  /**
   * A page of resources or tasks ends early, at the item that takes its JSON past this many bytes
   * (it has one item at least); Content-Range says where it ended. Default 8 MiB.
   */
  maxPageBytes?: number;
  /** Clients of `GET /apskit/events` at once; one more is answered 503 with Retry-After. Default 100. */
  maxEventClients?: number;
  /** Events the default store keeps per task, the newest ones (a store you pass has its own option). Default 100. */
  maxTaskEvents?: number;
}

export interface TaskJson {
  id: string;
  resourceId: string;
  requestId: string | null;
  operation: TaskOperation;
  name: string;
  description: string;
  output: string;
  status: TaskRecord['status'];
  attempts: number;
  nextRunAt: string | null;
  deadlineAt: string | null;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
  history?: Array<{ at: string; kind: TaskEvent['kind']; message: string; attempt: number }>;
}

/** What a lifecycle call answers: the resource, and the task when the endpoint answered 202. */
export interface OperationResult {
  readonly status: number;
  readonly resource?: ResourceJson;
  readonly task?: TaskJson;
  /** The endpoint's error body, passed through, when it refused. */
  readonly error?: unknown;
}

interface ServiceInfo {
  readonly service: string;
  readonly type: ApsTypeModel;
  readonly validators: ResourceValidators;
  readonly immutables: ImmutableChecks;
}

/** What a caller may add to a submit. */
export interface SubmitOptions {
  /** The caller's unique id for this request: recorded on the task, and what makes a repeat idempotent. */
  requestId?: string;
  /** Create the resource linked to this one through this relation (`POST /aps/2/resources/{id}/{relation}`). */
  parent?: { id: string; relation: string };
}

type RequestIdentity = Pick<TaskRecord, 'requestId' | 'requestHash'>;

/** The request id, and a digest of what was asked with it (keys sorted, so their order does not matter). */
function requestOf(requestId: string | undefined, what: unknown): RequestIdentity {
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

const DAY = 24 * 60 * 60;
const VERB: Record<LifecycleOperation, string> = {
  provision: 'Provisioning',
  configure: 'Configuring',
  unprovision: 'Unprovisioning',
};

export class Controller {
  readonly model: TypeModel;
  readonly store: Store;
  readonly timeScale: number;
  private readonly transport: Transport;
  private readonly services = new Map<string, ServiceInfo>();
  private readonly byType = new Map<string, ServiceInfo>();
  private readonly scheduler: Scheduler;
  private readonly commits: CommitQueue;
  private readonly jobs = new Map<string, JobDefinition<unknown>>();
  /**
   * Changes made by this process: `task` (a TaskJson) whenever a task is created or changes, and
   * `resource` (its id) whenever a resource changes or goes. For consoles and tests.
   */
  readonly events = new EventEmitter();
  /** Prometheus metrics of this controller (served at `/metrics`). */
  readonly metrics: ControllerMetrics;
  private readonly clock: () => number;
  private readonly owner = `controller-${randomUUID()}`;
  private instanceId = '';
  private started = false;
  private stopping = false;
  controllerUri: string | undefined;

  constructor(readonly options: ControllerOptions) {
    this.model = buildTypeModel(Object.values(options.app.services));
    for (const [service, cls] of Object.entries(options.app.services)) {
      const type = this.model.get(cls);
      const info = {
        service,
        type,
        validators: compileResourceValidators(type),
        immutables: compileImmutableChecks(type),
      };
      this.services.set(service, info);
      this.byType.set(type.id, info);
      this.byType.set(type.name, info);
    }
    this.clock = options.clock ?? Date.now;
    this.timeScale = options.timeScale ?? Number(process.env.APSKIT_TIME_SCALE ?? 1);
    if (!(this.timeScale > 0)) throw new Error(`The time scale must be a positive number, not ${this.timeScale}`);
    this.controllerUri = options.controllerUri;
    this.store = options.store ?? defaultStore(options);
    this.transport = this.makeTransport(options.endpoint ?? { inProcess: true });
    this.commits = new CommitQueue(this.store, this.owner);
    this.metrics = new ControllerMetrics(this.store);
    this.scheduler = new Scheduler(this.store, async (task) => void (await this.runAttempt(task)), {
      concurrency: options.concurrency ?? 16,
      owner: this.owner,
      leaseMs: options.leaseMs ?? 120_000,
      pollMs: options.pollMs ?? 1000,
      clock: this.clock,
      onClaim: (task, latenessMs) => {
        this.metrics.lateness.observe(latenessMs / 1000);
        options.onClaim?.(task, latenessMs);
      },
      onError: (e) => console.error('apskit controller: scheduler error', e),
    });
  }

  private makeTransport(endpoint: NonNullable<ControllerOptions['endpoint']>): Transport {
    if ('call' in endpoint) return endpoint;
    if ('url' in endpoint)
      return new HttpTransport(endpoint.url, { fetch: endpoint.fetch, timeoutMs: endpoint.timeoutMs });
    const inProcess = createEndpoint({
      services: this.options.app.services,
      // The endpoint reads current state straight from this controller's store.
      loadResource: async ({ id }) => {
        const r = await this.store.getResource(id);
        return r && (renderResource(r) as unknown as Record<string, unknown>);
      },
      logger: false,
    });
    return new InProcessTransport(inProcess);
  }

  /** Opens the store, creates the application instance (with its globals) once, and starts the scheduler. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.store.init();
    // Several processes may start on one new database at once: the first one's id is everyone's.
    this.instanceId = await this.store.setMetaIfAbsent('instanceId', randomUUID());
    this.started = true;
    this.scheduler.start();
    await this.ensureGlobals();
  }

  /**
   * Stops taking up tasks, waits for the attempts under way to record their outcomes (so that no task
   * is left running: it is scheduled again, or ended), then closes the store.
   */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.stopping = true;
    try {
      await this.scheduler.stop();
      await this.store.close();
    } finally {
      this.started = false;
      this.stopping = false;
    }
  }

  /** Started, and not stopping: what readiness reports. */
  get ready(): boolean {
    return this.started && !this.stopping;
  }

  get instance(): { id: string; globalsId: Promise<string | undefined> } {
    return { id: this.instanceId, globalsId: this.store.getMeta('globalsId') };
  }

  /** The type ID an app's `globals` (the application resource) has, if it declares one. */
  private globalsService(): ServiceInfo | undefined {
    return [...this.services.values()].find((s) => s.type.implements.includes(CoreTypes.application));
  }

  private async ensureGlobals(): Promise<void> {
    const globals = this.globalsService();
    if (!globals || (await this.store.getMeta('globalsId'))) return;
    // One process creates the globals, even when several start on a new database at once: the one
    // whose request id is stored first. The others find its resource through that request id.
    const requestId = await this.store.setMetaIfAbsent('globalsRequestId', `globals-${randomUUID()}`);
    const result = await this.provision({ aps: { type: globals.type.id } }, { requestId });
    if (result.resource) await this.store.setMetaIfAbsent('globalsId', result.resource.aps.id);
  }

  // ---- resources ----------------------------------------------------------------------------

  serviceOf(typeRef: unknown): ServiceInfo {
    if (typeof typeRef !== 'string' || typeRef === '')
      throw new BadRequestError('The resource has no aps.type', [{ field: 'aps.type', message: 'is required' }]);
    const info = this.byType.get(typeRef);
    if (!info) {
      const known = [...this.services.values()].map((s) => s.type.id).join(', ');
      throw new BadRequestError(`Unknown type "${typeRef}"; this application serves ${known}`, [
        { field: 'aps.type', message: 'is not a type this application serves' },
      ]);
    }
    return info;
  }

  async getResource(id: string): Promise<ResourceRecord> {
    const r = await this.store.getResource(id);
    if (!r) throw new NotFoundError(`No resource ${id}`);
    return r;
  }

  /**
   * Creates a resource: stored, then provisioned; answers once the first call has an outcome. With a
   * `requestId`, a repeated call with the same body answers for the first one's task instead of
   * creating another, and the same id with another body is refused (409).
   */
  async provision(body: unknown, options: SubmitOptions = {}): Promise<OperationResult> {
    const parent = options.parent;
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new BadRequestError('Expected the resource as a JSON object');
    const input = body as Record<string, unknown>;
    const aps = (input.aps ?? {}) as Record<string, unknown>;
    const info = this.serviceOf(aps.type);
    const { aps: _aps, ...rest } = input;
    const issues = [...info.validators.create(input), ...info.immutables.create(input)];
    const { properties, links, linkIssues } = await this.splitRelations(info, rest);
    issues.push(...linkIssues);
    if (issues.length > 0) throw invalid(info.type.name, issues);

    const now = this.clock();
    const id: string = randomUUID();
    const resource: ResourceRecord = {
      id,
      type: info.type.id,
      status: 'aps:provisioning',
      revision: 1,
      modified: now,
      properties,
    };
    const allLinks = await this.linksOfNew(info, id, links, parent);
    const task = this.newTask(
      'provision',
      info,
      resource,
      {
        method: 'POST',
        path: `/${info.service}/`,
        body: renderResource(resource) as unknown as Record<string, unknown>,
      },
      requestOf(options.requestId, ['provision', info.type.id, parent ?? null, input]),
    );
    const created = await this.store.createResourceWithTask(resource, task, createdEvent(task), allLinks);
    if (!created.created) return this.answerDuplicate(created.existing, task);
    this.emitTask(task);
    this.emitResource(resource.id);
    return this.answer(await this.runAttempt(task), task.id);
  }

  /**
   * The application's own write to one of its resources, as APS apps make through the controller's
   * API: the properties are validated and stored, read-only ones included (the app is who sets them),
   * final ones refused; the endpoint is not called and no task is made.
   */
  async updateByApp(id: string, body: unknown): Promise<ResourceJson> {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new BadRequestError('Expected the properties to write as a JSON object');
    const current = await this.getResource(id);
    const info = this.serviceOf(current.type);
    const input = withoutAps(body as Record<string, unknown>);
    const finals = info.type.properties.filter((p) => p.schema.final).map((p) => p.name);
    const issues = [
      ...info.validators.update(input),
      ...finals
        .filter(
          (name) =>
            input[name] !== undefined && JSON.stringify(input[name]) !== JSON.stringify(current.properties[name]),
        )
        .map((field) => ({ field, message: 'is final: it cannot change once the resource exists' })),
    ];
    const { properties, linkIssues } = await this.splitRelations(info, input);
    issues.push(...linkIssues);
    if (issues.length > 0) throw invalid(info.type.name, issues);
    const next: ResourceRecord = {
      ...current,
      properties: { ...current.properties, ...properties },
      revision: current.revision + 1,
      modified: this.clock(),
    };
    if (!(await this.store.putResource(next, current.revision))) {
      throw new ConflictError(`Resource ${id} changed while it was being written; read it again and retry`);
    }
    this.emitResource(id);
    return renderResource(next);
  }

  async configure(id: string, body: unknown, options: SubmitOptions = {}): Promise<OperationResult> {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new BadRequestError('Expected the new state as a JSON object');
    const current = await this.getResource(id);
    const info = this.serviceOf(current.type);
    const input = body as Record<string, unknown>;
    const issues = [...info.validators.update(input), ...info.immutables.update(input, current.properties)];
    const { properties, linkIssues } = await this.splitRelations(info, withoutAps(input));
    issues.push(...linkIssues);
    if (issues.length > 0) throw invalid(info.type.name, issues);
    const next: ResourceRecord = { ...current, properties: { ...current.properties, ...properties } };
    return this.startOperation(
      'configure',
      info,
      current,
      {
        method: 'PUT',
        path: `/${info.service}/${id}`,
        body: renderResource(next) as unknown as Record<string, unknown>,
      },
      requestOf(options.requestId, ['configure', id, input]),
    );
  }

  async unprovision(id: string, options: SubmitOptions = {}): Promise<OperationResult> {
    if (options.requestId !== undefined) {
      // A repeated unprovision finds its task even after the resource is gone.
      const existing = await this.store.findTaskByRequestId(options.requestId);
      if (existing)
        return this.answerDuplicate(existing, {
          requestHash: requestOf(options.requestId, ['unprovision', id]).requestHash,
        });
    }
    const current = await this.getResource(id);
    const info = this.serviceOf(current.type);
    return this.startOperation(
      'unprovision',
      info,
      current,
      { method: 'DELETE', path: `/${info.service}/${id}` },
      requestOf(options.requestId, ['unprovision', id]),
    );
  }

  /**
   * Forwards a custom operation to the endpoint and passes its answer back. `path` is relative to the
   * resource (`resize`, `items/abc`), its segments percent-encoded; `query` is empty or starts with
   * `?`. Only an operation the resource's type declares is forwarded (or its upgrade, when it has
   * one): any other path, and any `.` or `..` segment however it is encoded, is a 404 and the
   * endpoint is not called. A path that left the resource would reach whatever else the endpoint's
   * host serves, with this controller's headers and client certificate (issue 15 #3).
   */
  async customOperation(
    id: string,
    method: EndpointRequest['method'],
    path: string,
    query: string,
    body: unknown,
  ): Promise<EndpointAnswer> {
    const current = await this.getResource(id);
    const info = this.serviceOf(current.type);
    const segments = operationSegments(path);
    if (!segments || !declaresOperation(info.type, method, segments))
      throw new NotFoundError(`${info.type.name} has no operation ${method} ${JSON.stringify(path.slice(0, 200))}`);
    if (query !== '' && !query.startsWith('?'))
      throw new BadRequestError('The query of an operation must start with "?"');
    return this.transport.call({
      method,
      path: `/${info.service}/${encodeURIComponent(id)}/${segments.map(encodeURIComponent).join('/')}${query}`,
      headers: this.headers('sync'),
      body,
    });
  }

  private async startOperation(
    operation: LifecycleOperation,
    info: ServiceInfo,
    current: ResourceRecord,
    request: TaskRecord['request'],
    submitted: RequestIdentity,
  ): Promise<OperationResult> {
    const now = this.clock();
    const resource: ResourceRecord = {
      ...current,
      status: IN_PROGRESS[operation],
      revision: current.revision + 1,
      modified: now,
    };
    const task = this.newTask(operation, info, resource, request, submitted);
    const created = await this.store.createTaskUnlessBusy(task, createdEvent(task), resource);
    if (!created.created && created.reason === 'duplicate') return this.answerDuplicate(created.existing, task);
    if (!created.created) {
      const busy = created.existing;
      throw new ConflictError(
        `Resource ${current.id} is busy: task ${busy.id} (${busy.name}) is ${busy.status}; try again when it has ended`,
        {
          taskId: busy.id,
          status: busy.status,
        },
      );
    }
    this.emitTask(task);
    this.emitResource(resource.id);
    return this.answer(await this.runAttempt(task), task.id);
  }

  private newTask(
    operation: LifecycleOperation,
    info: ServiceInfo,
    resource: ResourceRecord,
    request: TaskRecord['request'],
    submitted: RequestIdentity,
  ): TaskRecord {
    const now = this.clock();
    return {
      id: randomUUID(),
      resourceId: resource.id,
      ...submitted,
      operation,
      name: `${VERB[operation]} "${info.type.name}" for APS application ${this.options.app.name}`,
      description: '',
      output: '',
      status: 'running',
      attempts: 1,
      nextRunAt: now,
      deadlineAt: null,
      phase: 'sync',
      request,
      createdAt: now,
      updatedAt: now,
      endedAt: null,
      // The first attempt runs right away, in the request that created the task.
      leaseOwner: this.owner,
      leaseUntil: now + (this.options.leaseMs ?? 120_000),
    };
  }

  private async answer(task: TaskRecord | undefined, taskId: string): Promise<OperationResult> {
    const t = task ?? (await this.store.getTask(taskId));
    if (!t) throw new Error(`Task ${taskId} vanished`);
    const record = await this.store.getResource(t.resourceId);
    const resource = record && renderResource(record);
    if (t.status === 'succeeded')
      return { status: t.operation === 'unprovision' ? 204 : 200, resource, task: taskJson(t) };
    if (t.status === 'failed' && t.attempts === 1 && t.phase === 'sync') {
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
  private async answerDuplicate(
    existing: TaskRecord,
    attempt: Pick<TaskRecord, 'requestHash'>,
  ): Promise<OperationResult> {
    if (existing.requestHash !== attempt.requestHash) {
      throw new ConflictError(
        `Request id ${existing.requestId} was already used for another request (task ${existing.id}); use a new id for a new request`,
        { requestId: existing.requestId, taskId: existing.id },
      );
    }
    const answered = await this.answer(existing, existing.id);
    // A create that was refused outright answered with the endpoint's error: so does its repeat.
    return answered;
  }

  /** Errors the endpoint answered on a task's first attempt, for the API to pass back. */
  private readonly lastAnswer = new Map<string, EndpointAnswer>();

  /**
   * The links of a new resource, both ways: those its body names, the one to its parent, and the one
   * to the application's globals when the type requires a relation to it and the body names none.
   */
  private async linksOfNew(
    info: ServiceInfo,
    id: string,
    named: Omit<LinkRecord, 'from'>[],
    parent: { id: string; relation: string } | undefined,
  ): Promise<LinkRecord[]> {
    const targets = new Map<string, ResourceRecord>();
    const links: LinkRecord[] = named.map((l) => ({ ...l, from: id }));
    if (parent) {
      const parentRecord = await this.getResource(parent.id);
      const relation = this.byType.get(parentRecord.type)?.type.relations.find((r) => r.name === parent.relation);
      if (!relation) throw new NotFoundError(`${parentRecord.type} has no relation "${parent.relation}"`);
      targets.set(parentRecord.id, parentRecord);
      links.push({ from: parent.id, relation: parent.relation, to: id });
    }
    const globalsId = await this.store.getMeta('globalsId');
    const globals = globalsId ? await this.store.getResource(globalsId) : undefined;
    if (globals) {
      for (const r of info.type.relations) {
        if (
          r.required &&
          !r.collection &&
          r.type === globals.type &&
          !links.some((l) => l.from === id && l.relation === r.name)
        ) {
          links.push({ from: id, relation: r.name, to: globals.id });
        }
      }
    }
    // Each link gets its way back, where the other type declares a relation to this one.
    for (const l of [...links]) {
      const otherId = l.from === id ? l.to : l.from;
      const other = targets.get(otherId) ?? (await this.store.getResource(otherId));
      if (!other) continue;
      targets.set(otherId, other);
      const otherType = this.byType.get(other.type)?.type;
      const fromOther = l.from === id;
      const back = fromOther
        ? otherType?.relations.find((r) => r.type === info.type.id)
        : info.type.relations.find((r) => r.type === other.type);
      if (!back) continue;
      const reverse = fromOther
        ? { from: otherId, relation: back.name, to: id }
        : { from: id, relation: back.name, to: otherId };
      if (!links.some((x) => x.from === reverse.from && x.relation === reverse.relation && x.to === reverse.to))
        links.push(reverse);
    }
    return links;
  }

  /** Links from relation values `{"aps": {"id": …}}`; the rest are properties. */
  private async splitRelations(
    info: ServiceInfo,
    input: Record<string, unknown>,
  ): Promise<{
    properties: Record<string, unknown>;
    links: Omit<LinkRecord, 'from'>[];
    linkIssues: ValidationIssue[];
  }> {
    const properties: Record<string, unknown> = {};
    const links: Omit<LinkRecord, 'from'>[] = [];
    const linkIssues: ValidationIssue[] = [];
    for (const [key, value] of Object.entries(input)) {
      const relation = info.type.relations.find((r) => r.name === key);
      if (!relation) {
        properties[key] = value;
        continue;
      }
      const targets = (Array.isArray(value) ? value : value === null || value === undefined ? [] : [value]) as Array<{
        aps?: { id?: unknown };
      }>;
      for (const [i, target] of targets.entries()) {
        const to = target?.aps?.id;
        const field = Array.isArray(value) ? `${key}[${i}].aps.id` : `${key}.aps.id`;
        const found = typeof to === 'string' ? await this.store.getResource(to) : undefined;
        if (!found) linkIssues.push({ field, message: `names no existing resource` });
        else if (found.type !== relation.type && !this.implementsType(found.type, relation.type))
          linkIssues.push({ field, message: `is a ${found.type}, not a ${relation.type}` });
        else links.push({ relation: key, to: found.id });
      }
    }
    return { properties, links, linkIssues };
  }

  private implementsType(typeId: string, wanted: string): boolean {
    return this.byType.get(typeId)?.type.implements.includes(wanted) ?? false;
  }

  // ---- tasks ----------------------------------------------------------------------------------

  /** One call to the endpoint for a task this process holds, and its outcome recorded atomically. */
  private async runAttempt(task: TaskRecord): Promise<TaskRecord | undefined> {
    if (!isLifecycle(task.operation)) return this.runJob(task);
    if (task.request.method === 'JOB')
      throw new Error(`Task ${task.id} is a lifecycle task without an endpoint request`);
    const resource = await this.store.getResource(task.resourceId);
    const info = this.serviceForTask(task);
    const timing = { timeScale: this.timeScale, maxPollingSeconds: this.maxPollingFor(info?.type.name) };
    // A provision repeats the resource as the endpoint last answered it; configure repeats its new state.
    const body = task.operation === 'provision' && resource ? renderResource(resource) : task.request.body;
    let answer: EndpointAnswer | undefined;
    let reason = '';
    try {
      answer = await this.transport.call({
        method: task.request.method,
        path: task.request.path,
        headers: this.headers(task.phase),
        body,
      });
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      reason = e.message;
    }
    const now = this.clock();
    const outcome = answer
      ? decide(task, resource, answer, { ...timing, now })
      : unreachable(task, resource, reason, { ...timing, now });
    if (answer && outcome.task.status === 'failed') this.rememberAnswer(task.id, answer);
    return this.record(outcome);
  }

  /** Stores an attempt's outcome (group commit) and tells whoever listens. */
  private async record(outcome: AttemptOutcome): Promise<TaskRecord | undefined> {
    const applied = await this.commits.commit(outcome);
    if (!applied) return undefined; // another runner took the task over: its outcome is the one that counts
    if (outcome.task.status === 'scheduled') this.scheduler.wake();
    this.metrics.taskOutcomes.inc({ operation: outcome.task.operation, outcome: outcome.event.kind });
    this.emitTask(outcome.task);
    if (outcome.resource)
      this.emitResource('delete' in outcome.resource ? outcome.resource.delete : outcome.resource.id);
    return outcome.task;
  }

  private async runJob(task: TaskRecord): Promise<TaskRecord | undefined> {
    const job = this.jobs.get(task.operation);
    const timing = {
      timeScale: this.timeScale,
      maxPollingSeconds: job?.maxPollingSeconds ?? this.maxPollingFor(undefined),
    };
    let result: JobResult | { thrown: string };
    if (!job) result = { status: 'failed', output: `No job "${task.operation}" is defined in this controller` };
    else {
      try {
        result = await job.run({ task, payload: task.request.body, attempt: task.attempts });
      } catch (e) {
        result = { thrown: e instanceof Error ? e.message : String(e) };
      }
    }
    return this.record(jobOutcome(task, result, { ...timing, now: this.clock() }));
  }

  /** Registers a kind of job; tasks of that kind are run by `definition.run`. */
  defineJob<P>(kind: string, definition: JobDefinition<P>): void {
    if (isLifecycle(kind)) throw new Error(`"${kind}" is a lifecycle operation, not a job kind`);
    this.jobs.set(kind, definition as JobDefinition<unknown>);
  }

  /**
   * Schedules a job. With a `requestId`, a job already enqueued with it is returned instead of a new
   * one (whatever its payload): enqueueing is idempotent, so a redelivered request schedules once.
   */
  async enqueueJob<P>(kind: string, options: EnqueueOptions<P>): Promise<{ task: TaskJson; created: boolean }> {
    const job = this.jobs.get(kind);
    if (!job) throw new Error(`No job "${kind}" is defined: call defineJob first`);
    const now = this.clock();
    const task: TaskRecord = {
      id: randomUUID(),
      resourceId: options.subjectId,
      requestId: options.requestId ?? null,
      requestHash: null,
      operation: kind,
      name: job.name(options.payload),
      description: '',
      output: '',
      status: 'scheduled',
      attempts: 0,
      nextRunAt: options.runAt ?? now,
      deadlineAt: null,
      phase: 'async',
      request: { method: 'JOB', path: kind, body: options.payload },
      createdAt: now,
      updatedAt: now,
      endedAt: null,
      leaseOwner: null,
      leaseUntil: null,
    };
    const created = await this.store.createTask(task, createdEvent(task));
    if (!created.created) return { task: taskJson(created.existing), created: false };
    this.scheduler.wake();
    this.emitTask(task);
    return { task: taskJson(task), created: true };
  }

  private rememberAnswer(taskId: string, answer: EndpointAnswer): void {
    this.lastAnswer.set(taskId, answer);
    // Only the request that created the task reads it, right away; keep the map small.
    if (this.lastAnswer.size > 1000) this.lastAnswer.delete(this.lastAnswer.keys().next().value as string);
  }

  private emitTask(task: TaskRecord): void {
    if (this.events.listenerCount('task') > 0) this.events.emit('task', taskJson(task));
  }

  private emitResource(id: string): void {
    if (this.events.listenerCount('resource') > 0) this.events.emit('resource', id);
  }

  private serviceForTask(task: TaskRecord): ServiceInfo | undefined {
    const service = task.request.path.split('/')[1];
    return service ? this.services.get(service) : undefined;
  }

  private maxPollingFor(typeName: string | undefined): number {
    const option = this.options.maxPollingSeconds;
    if (option === undefined) return DAY;
    if (typeof option === 'number') return option;
    return (typeName !== undefined ? option[typeName] : undefined) ?? option['*'] ?? DAY;
  }

  private headers(phase: 'sync' | 'async'): Record<string, string> {
    const h: Record<string, string> = {
      'APS-Request-Phase': phase,
      'APS-Transaction-ID': randomUUID(),
      'APS-Instance-ID': this.instanceId,
      'APS-Version': '2.0',
    };
    if (this.controllerUri) h['APS-Controller-URI'] = this.controllerUri;
    return h;
  }

  /** A task; `withHistory`, with its events (the newest `historyLimit` of them, if given). */
  async getTask(id: string, withHistory = false, historyLimit?: number): Promise<TaskJson> {
    const task = await this.store.getTask(id);
    if (!task) throw new NotFoundError(`No task ${id}`);
    return taskJson(task, withHistory ? await this.store.taskEvents(id, historyLimit) : undefined);
  }

  /** Tasks in creation order; `offset` and `limit` page them (no limit unless given). */
  async listTasks(query: TaskQuery): Promise<TaskJson[]> {
    return (await this.store.listTasks(query)).map((t) => taskJson(t));
  }

  /** How many tasks a listTasks query's filters match: the total of its pages. */
  async countTasks(query: TaskQuery): Promise<number> {
    return this.store.countTasks(query);
  }

  /** Runs a failed task again, from the phase it failed in (restarting provisioning, say). */
  async rerun(id: string): Promise<TaskJson> {
    const task = await this.store.getTask(id);
    if (!task) throw new NotFoundError(`No task ${id}`);
    if (task.status !== 'failed')
      throw new ConflictError(`Task ${id} is ${task.status}: only a failed task can be rerun`);
    const lifecycle = isLifecycle(task.operation);
    const resource = lifecycle ? await this.store.getResource(task.resourceId) : undefined;
    if (lifecycle && !resource)
      throw new ConflictError(`Task ${id} cannot be rerun: its resource ${task.resourceId} no longer exists`);
    const now = this.clock();
    const next: TaskRecord = {
      ...task,
      status: 'scheduled',
      // The failure's message is history now; the output is the latest word, and it is this.
      output: 'Run again on request',
      nextRunAt: now,
      deadlineAt: null,
      endedAt: null,
      updatedAt: now,
    };
    const ok = await this.store.transitionTask(next, ['failed'], {
      taskId: id,
      at: now,
      kind: 'rerun',
      message: 'Run again on request',
      attempt: task.attempts,
    });
    if (!ok)
      throw new ConflictError(`Task ${id} cannot be rerun now: it changed, or another task is active on its resource`);
    if (resource && isLifecycle(task.operation))
      await this.store.putResource({
        ...resource,
        status: IN_PROGRESS[task.operation],
        revision: resource.revision + 1,
        modified: now,
      });
    this.scheduler.wake();
    this.emitTask(next);
    if (resource) this.emitResource(resource.id);
    return this.getTask(id);
  }

  async cancel(id: string): Promise<TaskJson> {
    const task = await this.store.getTask(id);
    if (!task) throw new NotFoundError(`No task ${id}`);
    const now = this.clock();
    const next: TaskRecord = { ...task, status: 'canceled', nextRunAt: null, endedAt: now, updatedAt: now };
    const ok = await this.store.transitionTask(next, ['scheduled'], {
      taskId: id,
      at: now,
      kind: 'canceled',
      message: 'Canceled on request',
      attempt: task.attempts,
    });
    if (!ok) throw new ConflictError(`Task ${id} is ${task.status}: only a scheduled task can be canceled`);
    this.emitTask(next);
    return this.getTask(id);
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

/** How many more times a segment is decoded, looking for what a later hop's decoding would make of it. */
const DECODE_ROUNDS = 4;

/**
 * The decoded segments of an operation path (each percent-encoded), or undefined when one of them
 * is not safe to forward (see safeSegment) or not valid percent-encoding.
 */
function operationSegments(path: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (!safeSegment(segment)) return undefined;
    segments.push(segment);
  }
  return segments;
}

/**
 * Not empty, not `.` or `..`, and without a slash, backslash or NUL: neither as it is nor after any
 * further decoding (`%2e%2E` and `%252e%252e` are dot segments to a server or proxy that decodes
 * once more), since any of these could take the request out of the resource's path.
 */
function safeSegment(segment: string): boolean {
  let value = segment;
  for (let round = 0; round < DECODE_ROUNDS; round++) {
    if (value === '' || value === '.' || value === '..' || /[/\\\0]/.test(value)) return false;
    if (!value.includes('%')) return true;
    try {
      value = decodeURIComponent(value);
    } catch {
      return true; // a literal %, not an encoding: nothing decodes it further
    }
  }
  return false; // still encoded after that many rounds: no operation needs that
}

/** Whether the type declares an instance operation at these segments for this method (or is upgraded by it). */
function declaresOperation(type: ApsTypeModel, method: string, segments: readonly string[]): boolean {
  if (method === 'POST' && segments.length === 1 && segments[0] === 'upgrade' && type.lifecycle.has('upgrade'))
    return true;
  return type.operations.some((op) => {
    if (op.static || op.verb !== method) return false;
    const pattern = op.path.split('/').filter((s) => s !== '');
    if (pattern.length !== segments.length) return false;
    // `{name}` and `:name` are parameters, as the endpoint's route table reads them.
    return pattern.every((p, i) => /^(?::[A-Za-z_]\w*|\{[A-Za-z_]\w*\})$/.test(p) || p === segments[i]);
  });
}

function withoutAps(body: Record<string, unknown>): Record<string, unknown> {
  const { aps: _aps, ...rest } = body;
  return rest;
}

function createdEvent(task: TaskRecord): TaskEvent {
  return { taskId: task.id, at: task.createdAt, kind: 'created', message: task.name, attempt: 0 };
}

function invalid(typeName: string, issues: readonly ValidationIssue[]): BadRequestError {
  return new BadRequestError(
    `Invalid ${typeName}: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
    issues.map((i) => ({ field: i.field, message: i.message })),
  );
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function taskJson(t: TaskRecord, events?: readonly TaskEvent[]): TaskJson {
  const json: TaskJson = {
    id: t.id,
    resourceId: t.resourceId,
    requestId: t.requestId,
    operation: t.operation,
    name: t.name,
    description: t.description,
    output: t.output,
    status: t.status,
    attempts: t.attempts,
    nextRunAt: t.status === 'scheduled' ? iso(t.nextRunAt) : null,
    deadlineAt: iso(t.deadlineAt),
    createdAt: iso(t.createdAt) as string,
    updatedAt: iso(t.updatedAt) as string,
    endedAt: iso(t.endedAt),
  };
  if (events)
    json.history = events.map((e) => ({
      at: iso(e.at) as string,
      kind: e.kind,
      message: e.message,
      attempt: e.attempt,
    }));
  return json;
}
