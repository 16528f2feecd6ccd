/**
 * The typed client of an APSKit controller (and of any controller that speaks its API): resources
 * typed from the app's own classes, submits with request ids, and waiting for their tasks.
 */
import { randomUUID } from 'node:crypto';
import {
  formatRql,
  LifecycleOperation,
  TaskStatus,
  type ApsSchema,
  type Class,
  type LifecycleMethod,
} from '@apskit/core';
import { Http, type HttpAnswer, type HttpOptions, type HttpRequest } from './http';
import { instanceInfo, upgrade, type InstanceInfo, type Upgrade } from './instance';
import { compareTypes, typeModelOf } from './model';
import { operationFromAnswer, type Completed, type Operation, type OperationKind } from './operation';
import { pollUntil, retrying, type PollContext, type Progress, type WaitOptions } from './poll';
import { Query } from './query';
import {
  listSubscriptions,
  subscribe,
  unsubscribe,
  type SubscribeInput,
  type SubscriptionEntry,
} from './subscriptions';
import type { Schedule } from './timing';
import type {
  CreateInput,
  DataKeys,
  InstanceOf,
  LinkedType,
  LinkEntry,
  MethodKeys,
  RelationKeys,
  Resource,
  ResourceRef,
  Task,
  UpdateInput,
  Wire,
} from './types';

export interface ClientOptions extends HttpOptions {
  /** Makes the request id when a submit names none. Default: a random UUID. */
  readonly newRequestId?: () => string;
  /**
   * How a submit retries transient failures (5xx, no answer), always with the same request id: the
   * controller answers a repeat for the first one's task, so a retry never creates twice. Default:
   * 250 ms, doubling up to 5 s, for 30 s. `false`: one attempt.
   */
  readonly submitRetry?: Schedule | false;
}

export interface SubmitOptions {
  /** The request's unique id; generated when omitted. Reusing it with the same body is idempotent. */
  readonly requestId?: string;
  readonly signal?: AbortSignal;
  /** This submit's retries; overrides the client's `submitRetry`. */
  readonly retry?: Schedule | false;
}

export interface CreateOptions extends SubmitOptions {
  /** Create the resource linked to `id` through `relation` (`POST /aps/2/resources/{id}/{relation}`). */
  readonly parent?: { readonly id: string; readonly relation: string };
}

/** Options of `link` and `unlink`: the request id the controller records (generated when omitted), and a signal. */
export interface LinkOptions {
  readonly requestId?: string;
  readonly signal?: AbortSignal;
}

/**
 * What `waitFor`'s `onProgress` gets at each read of the task: `status` is the task's status as a
 * string (`'running'`, `'succeeded'`, …), `task` the task itself (its `output`, `attempts`, …).
 */
export interface TaskProgress extends Omit<Progress<Task>, 'status'> {
  readonly status: Task['status'];
  readonly task: Task;
}

/** `waitFor`'s options: the schedule (`deadline` included), `signal`, `onProgress` with the task's status and the task. */
export type WaitForOptions = Omit<WaitOptions<Task>, 'onProgress'> & {
  onProgress?: (progress: TaskProgress) => void;
};

type AnyFunction = (...args: never[]) => unknown;
type ArgsOf<T, M extends keyof T> = NonNullable<T[M]> extends AnyFunction ? Parameters<NonNullable<T[M]>> : never;
type ResultOf<T, M extends keyof T> =
  NonNullable<T[M]> extends AnyFunction ? Wire<Awaited<ReturnType<NonNullable<T[M]>>>> : never;
/** Methods that may be custom operations: lifecycle methods are the controller's to call. */
type OperationKeys<T> = Exclude<MethodKeys<T>, LifecycleMethod>;
type Linked<V> = V extends ReadonlyArray<infer E> ? E : V;

const DEFAULT_SUBMIT_RETRY: Schedule = { interval: 250, backoff: 2, maxInterval: 5000, deadline: 30_000 };

export class ApsClient {
  private readonly http: Http;
  private readonly newRequestId: () => string;

  constructor(readonly options: ClientOptions) {
    this.http = new Http(options);
    this.newRequestId = options.newRequestId ?? randomUUID;
  }

  /** A new request id, as a submit that names none gets. */
  makeRequestId(): string {
    return this.newRequestId();
  }

  /** The resources of one APS type, typed from its class. */
  resources<C extends Class>(cls: C): ResourceClient<InstanceOf<C>> {
    return new ResourceClient<InstanceOf<C>>(this, cls);
  }

  /** Tasks: what the controller is doing, and what it did. */
  readonly tasks = {
    get: (id: string, options: { signal?: AbortSignal } = {}): Promise<Task> =>
      this.json<Task>({ method: 'GET', path: `/apskit/tasks/${encodeURIComponent(id)}`, signal: options.signal }),
    list: (query: { resourceId?: string; status?: TaskStatus } = {}): Promise<Task[]> => {
      const params = new URLSearchParams();
      if (query.resourceId !== undefined) params.set('resourceId', query.resourceId);
      if (query.status !== undefined) params.set('status', query.status);
      const q = params.size > 0 ? `?${params.toString()}` : '';
      return this.json<Task[]>({ method: 'GET', path: `/apskit/tasks${q}` });
    },
  };

  /**
   * Subscribes `resource` to an event (`POST /aps/2/resources/{id}/aps/subscriptions`): the controller
   * then POSTs a notification to the resource's `handler` operation on each event of the source.
   * Answers the subscription with its id. A refusal (an unknown event, a handler that is no
   * operation of the resource, a source that does not exist) is an ApsClientError (400) naming the field.
   */
  subscribe(
    resource: string | ResourceRef,
    subscription: SubscribeInput,
    options: { signal?: AbortSignal } = {},
  ): Promise<SubscriptionEntry> {
    return subscribe(this, resource, subscription, options);
  }

  /** Removes one of the resource's subscriptions (`DELETE …/aps/subscriptions/{subscriptionId}`); 404 if it has none such. */
  unsubscribe(
    resource: string | ResourceRef,
    subscriptionId: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    return unsubscribe(this, resource, subscriptionId, options);
  }

  /** The resource's subscriptions (`GET …/aps/subscriptions`), those its type declares (`declared`) included. */
  subscriptions(resource: string | ResourceRef, options: { signal?: AbortSignal } = {}): Promise<SubscriptionEntry[]> {
    return listSubscriptions(this, resource, options);
  }

  /** The APS schemas of the types the controller serves. */
  types(): Promise<ApsSchema[]> {
    return this.json<ApsSchema[]>({ method: 'GET', path: '/aps/2/types' });
  }

  /**
   * Checks that the server serves these classes as they are declared here (same properties,
   * relations, operations and structures), so that a typed client is not silently out of date.
   * @throws TypeMismatchError listing every difference.
   */
  async checkTypes(classes: readonly Class[]): Promise<void> {
    compareTypes(classes, await this.types());
  }

  /**
   * Waits for a submitted operation to end: polls its task until it succeeded (and answers the
   * resource as it then is), failed or was canceled (OperationFailedError with the task's output
   * and the request id), or the deadline passed (OperationTimeoutError naming the request id).
   * Transient errors while polling are retried within the deadline.
   */
  async waitFor<T, K extends OperationKind>(
    operation: Operation<T, K>,
    options: WaitForOptions = {},
  ): Promise<Completed<T, K>> {
    return this.complete(async () => operation, options, operation.requestId);
  }

  /**
   * Submits, then waits, under one deadline and one request id: the building block of
   * `createAndWait` and its kin. `submit` is called again on transient failures, with the same
   * `ctx.requestId`; it should make one attempt (`retry: false`), the loop doing the retrying.
   */
  async complete<T, K extends OperationKind>(
    submit: (ctx: PollContext) => Promise<Operation<T, K>>,
    options: WaitForOptions,
    requestId: string,
  ): Promise<Completed<T, K>> {
    // A synchronous success has no task to show, so progress is reported only while a task runs.
    const { onProgress, ...schedule } = options;
    const result = await pollUntil<Operation<T, K>, WaitState<T>>({
      ...schedule,
      requestId,
      submit,
      statusFromSubmit: (op) => (op.status === TaskStatus.succeeded ? { resource: op.resource } : undefined),
      status: (op, ctx) => this.taskState(op, ctx.signal),
      isReady: (s) => s.task === undefined || s.task.status === TaskStatus.succeeded,
      isFailed: (s) => s.task?.status === TaskStatus.failed || s.task?.status === TaskStatus.canceled,
      messageOf: (s) => s.task?.output,
      onProgress:
        onProgress &&
        ((p) => {
          const task = p.status.task;
          if (task) onProgress({ ...p, status: task.status, task });
        }),
    });
    const { submitted: operation, status } = result;
    // Finished in the submit itself (200, 204): the task is read once, so that `task` is always the
    // finished task when the controller made one (a synchronous unprovision's included).
    const task =
      status.task ??
      (operation.taskId === undefined ? undefined : await this.tasks.get(operation.taskId, { signal: options.signal }));
    return {
      requestId: operation.requestId,
      operation,
      resource: status.resource as Completed<T, K>['resource'],
      task,
      polls: result.polls,
      elapsedMs: result.elapsedMs,
    };
  }

  /** The task; once it succeeded, the resource as it is now too (read in the same step, so retried alike). */
  private async taskState<T>(op: Operation<T>, signal: AbortSignal): Promise<WaitState<T>> {
    if (op.taskId === undefined) throw new Error(`Operation ${op.requestId} is pending but names no task`);
    const task = await this.tasks.get(op.taskId, { signal });
    if (task.status !== TaskStatus.succeeded || op.kind === LifecycleOperation.unprovision) return { task };
    const resource = await this.json<Resource<T>>({
      method: 'GET',
      path: `/aps/2/resources/${encodeURIComponent(op.resourceId)}`,
      signal,
    });
    return { task, resource };
  }

  /** A submit: one request id for every attempt, retried on transient failures unless told not to. */
  async submit<T, K extends OperationKind>(
    kind: K,
    request: HttpRequest,
    options: SubmitOptions,
    resourceId?: string,
  ): Promise<Operation<T, K>> {
    const requestId = options.requestId ?? request.requestId ?? this.makeRequestId();
    const once = async (ctx: { signal?: AbortSignal }): Promise<Operation<T, K>> =>
      operationFromAnswer<T, K>(
        kind,
        await this.http.request({ ...request, requestId, signal: ctx.signal }),
        requestId,
        resourceId,
      );
    const retry = options.retry ?? this.options.submitRetry ?? DEFAULT_SUBMIT_RETRY;
    if (retry === false) return once({ signal: options.signal });
    return retrying({ ...retry, requestId, signal: options.signal }, once);
  }

  /** The application instance: its globals resource and the version it runs (`GET /apskit/instance`). */
  instance(options: { signal?: AbortSignal } = {}): Promise<InstanceInfo> {
    return instanceInfo(this, options);
  }

  /**
   * Upgrades the application instance to `version` (`POST /apskit/instance/upgrade`): the operation
   * of an "Upgrading application …" task on the globals resource, which `waitFor` follows like any
   * other (the endpoint's upgrade, then the migration of stored resources to the new type versions).
   */
  upgrade<T = Record<string, unknown>>(version: string, options: SubmitOptions = {}): Promise<Operation<T, Upgrade>> {
    return upgrade<T>(this, version, options);
  }

  /** Upgrades and waits until the task ends: `upgrade` and `waitFor` under one deadline and one request id. */
  upgradeAndWait<T = Record<string, unknown>>(
    version: string,
    options: SubmitOptions & WaitForOptions = {},
  ): Promise<Completed<T, Upgrade>> {
    const requestId = options.requestId ?? this.makeRequestId();
    return this.complete(
      (ctx) => this.upgrade<T>(version, { requestId, signal: ctx.signal, retry: false }),
      options,
      requestId,
    );
  }

  /** Any call to the controller's API, for what the typed methods do not cover. */
  request(request: HttpRequest): Promise<HttpAnswer> {
    return this.http.request(request);
  }

  /** A request whose answer is JSON of a known shape. */
  async json<R>(request: HttpRequest): Promise<R> {
    return (await this.http.request(request)).body as R;
  }
}

interface WaitState<T> {
  readonly task?: Task;
  readonly resource?: Resource<T>;
}

type Provision = typeof LifecycleOperation.provision;
type Configure = typeof LifecycleOperation.configure;
type Unprovision = typeof LifecycleOperation.unprovision;

/** The resources of one type. `T` is the class's instance type. */
export class ResourceClient<T> {
  /** The APS type id (`http://…/1.0`), from the class's @ApsType. */
  readonly typeId: string;

  constructor(
    private readonly client: ApsClient,
    private readonly cls: Class,
  ) {
    this.typeId = typeModelOf(cls).id;
  }

  /** `POST /aps/2/resources` (or under a parent): the operation, finished (200) or pending (202). */
  create(props: CreateInput<T>, options: CreateOptions = {}): Promise<Operation<T, Provision>> {
    const { parent } = options;
    const path = parent
      ? `/aps/2/resources/${encodeURIComponent(parent.id)}/${encodeURIComponent(parent.relation)}`
      : '/aps/2/resources';
    const body = { ...props, aps: { type: this.typeId } };
    return this.client.submit(LifecycleOperation.provision, { method: 'POST', path, body }, options);
  }

  /** Creates and waits until it is provisioned: `create` and `waitFor` under one deadline. */
  createAndWait(props: CreateInput<T>, options: CreateOptions & WaitForOptions = {}): Promise<Completed<T, Provision>> {
    const requestId = options.requestId ?? this.client.makeRequestId();
    // The loop retries the submit itself, under the shared deadline: one attempt per call here.
    return this.client.complete(
      (ctx) => this.create(props, { ...options, requestId, signal: ctx.signal, retry: false }),
      options,
      requestId,
    );
  }

  /** `GET /aps/2/resources/{id}` */
  get(id: string, options: { signal?: AbortSignal } = {}): Promise<Resource<T>> {
    return this.client.json({ method: 'GET', path: resourcePath(id), signal: options.signal });
  }

  /**
   * The resources of this type (`GET /aps/2/resources?implementing(<type>)`); `range` pages them
   * (`Range: items=first-last`).
   */
  list(range?: { first: number; last: number }, options: { signal?: AbortSignal } = {}): Promise<Resource<T>[]> {
    return this.client.json({
      method: 'GET',
      path: `/aps/2/resources?${this.rql()}`,
      headers: range ? { range: `items=${range.first}-${range.last}` } : undefined,
      signal: options.signal,
    });
  }

  /**
   * The resources of this type that a query selects: `query(q => q.eq('quotaMb', 10).sort('-quotaMb').limit(0, 20))`
   * asks `GET /aps/2/resources?implementing(<type>)&eq(quotaMb,10)&sort(-quotaMb)&limit(0,20)`.
   * A query the controller refuses (an unknown property, a value of the wrong type) is an
   * ApsClientError with status 400 and the controller's reason.
   */
  query(
    build: (q: Query<T>) => Query<T>,
    options: { range?: { first: number; last: number }; signal?: AbortSignal } = {},
  ): Promise<Resource<T>[]> {
    const { range } = options;
    return this.client.json({
      method: 'GET',
      path: `/aps/2/resources?${this.rql(build)}`,
      headers: range ? { range: `items=${range.first}-${range.last}` } : undefined,
      signal: options.signal,
    });
  }

  /** The RQL a query writes, `implementing(<type>)` first: what `query` sends after the `?`. */
  rql(build?: (q: Query<T>) => Query<T>): string {
    const query = build ? build(Query.create<T>()) : Query.create<T>();
    return formatRql(query.toRql({ op: 'implementing', type: this.typeId }));
  }

  /** `GET /aps/2/resources/{id}/{relation}`: the resources linked through a relation. */
  linked<K extends DataKeys<T>>(id: string, relation: K): Promise<Resource<Linked<NonNullable<T[K]>>>[]> {
    return this.client.json({ method: 'GET', path: `${resourcePath(id)}/${encodeURIComponent(relation)}` });
  }

  /**
   * Links an existing resource to `resource` through `relation` (`POST /aps/2/resources/{id}/{relation}`
   * with `{"aps":{"id":…}}`): the controller calls the endpoint's link operation, then stores the
   * link both ways. On a singular relation this relinks (the old link goes). Answers the linked
   * resource. A refusal (a resource of a type the relation does not take, one already linked, the
   * endpoint's own refusal) is an ApsClientError with the controller's status and reason.
   */
  async link<K extends RelationKeys<T>>(
    resource: string | ResourceRef,
    relation: K,
    target: string | ResourceRef,
    options: LinkOptions = {},
  ): Promise<Resource<LinkedType<T, K>>> {
    return this.client.json<Resource<LinkedType<T, K>>>({
      method: 'POST',
      path: `${resourcePath(idOf(resource))}/${encodeURIComponent(this.relationName(relation))}`,
      body: { aps: { id: idOf(target) } },
      requestId: options.requestId ?? this.client.makeRequestId(),
      signal: options.signal,
    });
  }

  /**
   * Unlinks `target` from `resource` (`DELETE /aps/2/resources/{id}/{relation}/{id2}`): the endpoint's
   * unlink operation, then the stored link, both ways. A required relation keeps its link: the
   * controller refuses (409), and nothing changes.
   */
  async unlink<K extends RelationKeys<T>>(
    resource: string | ResourceRef,
    relation: K,
    target: string | ResourceRef,
    options: LinkOptions = {},
  ): Promise<void> {
    await this.client.request({
      method: 'DELETE',
      path: `${resourcePath(idOf(resource))}/${encodeURIComponent(this.relationName(relation))}/${encodeURIComponent(idOf(target))}`,
      requestId: options.requestId ?? this.client.makeRequestId(),
      signal: options.signal,
    });
  }

  /** Every link of a resource (`GET /aps/2/resources/{id}/aps/links`), in the order its relations are declared. */
  links(resource: string | ResourceRef, options: { signal?: AbortSignal } = {}): Promise<LinkEntry<RelationKeys<T>>[]> {
    return this.client.json({
      method: 'GET',
      path: `${resourcePath(idOf(resource))}/aps/links`,
      signal: options.signal,
    });
  }

  /** `PUT /aps/2/resources/{id}`: configure. */
  update(id: string, props: UpdateInput<T>, options: SubmitOptions = {}): Promise<Operation<T, Configure>> {
    return this.client.submit(
      LifecycleOperation.configure,
      { method: 'PUT', path: resourcePath(id), body: props },
      options,
      id,
    );
  }

  updateAndWait(
    id: string,
    props: UpdateInput<T>,
    options: SubmitOptions & WaitForOptions = {},
  ): Promise<Completed<T, Configure>> {
    const requestId = options.requestId ?? this.client.makeRequestId();
    return this.client.complete(
      (ctx) => this.update(id, props, { requestId, signal: ctx.signal, retry: false }),
      options,
      requestId,
    );
  }

  /** `DELETE /aps/2/resources/{id}`: unprovision. */
  remove(id: string, options: SubmitOptions = {}): Promise<Operation<T, Unprovision>> {
    return this.client.submit(
      LifecycleOperation.unprovision,
      { method: 'DELETE', path: resourcePath(id) },
      options,
      id,
    );
  }

  removeAndWait(id: string, options: SubmitOptions & WaitForOptions = {}): Promise<Completed<T, Unprovision>> {
    const requestId = options.requestId ?? this.client.makeRequestId();
    return this.client.complete(
      (ctx) => this.remove(id, { requestId, signal: ctx.signal, retry: false }),
      options,
      requestId,
    );
  }

  /** The relation's name, checked against the class's declarations (TypeScript cannot tell a relation from a structure). */
  private relationName(name: string): string {
    const model = typeModelOf(this.cls);
    if (!model.relations.some((r) => r.name === name))
      throw new TypeError(
        `${model.name}.${name} is not a relation (@Relation); its relations: ${model.relations.map((r) => r.name).join(', ') || 'none'}`,
      );
    return name;
  }

  /**
   * Calls a custom operation (`@Operation` method) of the resource `id`: its verb and path come from
   * the declaration, each argument goes where its `@Param` says (body, query, path). Answers what
   * the method returns, as JSON carries it (undefined for 204).
   */
  async call<M extends OperationKeys<T>>(id: string, method: M, ...args: ArgsOf<T, M>): Promise<ResultOf<T, M>> {
    const op = typeModelOf(this.cls).operations.find((o) => o.method === method);
    if (!op) throw new TypeError(`${typeModelOf(this.cls).name}.${method} is not a custom operation (@Operation)`);
    if (op.static)
      throw new TypeError(`${op.name} is static: the controller's API reaches operations of a resource only`);
    let path = op.path.replace(/^\/+/, '');
    const query = new URLSearchParams();
    let body: unknown;
    for (const p of op.parameters) {
      const value: unknown = args[p.index];
      if (value === undefined) continue;
      if (p.kind === 'body') body = value;
      else if (p.kind === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(String(value)));
      else query.set(p.name, typeof value === 'string' ? value : JSON.stringify(value));
    }
    const q = query.size > 0 ? `?${query.toString()}` : '';
    return this.client.json({
      method: op.verb as HttpRequest['method'],
      path: `${resourcePath(id)}/${path}${q}`,
      body,
    });
  }
}

function idOf(resource: string | ResourceRef): string {
  return typeof resource === 'string' ? resource : resource.aps.id;
}

function resourcePath(id: string): string {
  return `/aps/2/resources/${encodeURIComponent(id)}`;
}

/** A client of the controller at `baseUrl`. */
export function createClient(options: ClientOptions): ApsClient {
  return new ApsClient(options);
}
