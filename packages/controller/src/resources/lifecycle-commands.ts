/**
 * The lifecycle commands on resources: provision, configure, unprovision, and the application's own
 * write. Each validates its body once, against the service registry's model, plans the resource's
 * links, makes the task with its request identity, stores both in one step, and runs the first
 * attempt at once, in the request that asked; what it answers is the task's first outcome.
 */
import { randomUUID } from 'node:crypto';
import {
  BadRequestError,
  ConflictError,
  Events,
  invalidError,
  LifecycleOperation,
  NotFoundError,
  RequestPhase,
  ResourceStatus,
  TaskStatus,
} from '@apskit/core';
import type { ResourceRecord, Store, TaskRecord } from '@apskit/store';
import type { ChangeEvents } from '../events/change-events';
import { sameJson, type EventRaising } from '../events/event-raising';
import { declaredSubscriptions } from '../events/declared-subscriptions';
import type { LinkOptions } from '../links/link-commands';
import type { LinkPlanner } from '../links/link-planner';
import type { ServiceInfo, ServiceRegistry } from '../registry/service-registry';
import {
  requestOf,
  type OperationAnswers,
  type OperationResult,
  type RequestIdentity,
} from '../requests/request-identity';
import { IN_PROGRESS } from '../tasks/attempt';
import { createdEvent } from '../tasks/job-registry';
import { newTaskId } from '../tasks/task-id';
import type { TaskRunner } from '../tasks/task-runner';
import { resourceBody, type ResourceJson } from '../wire/resource-json';
import { linkValues, type ResourceRenderer } from '../wire/resource-links';
import type { CollectionLimits } from '../usage/collection-limits';
import { withDefaults } from './defaults';

/** What a caller may add to a submit. */
export interface SubmitOptions {
  /** The caller's unique id for this request: recorded on the task, and what makes a repeat idempotent. */
  requestId?: string;
  /** Create the resource linked to this one through this relation (`POST /aps/2/resources/{id}/{relation}`). */
  parent?: { id: string; relation: string };
}

export interface LifecycleDeps {
  readonly store: Store;
  readonly registry: ServiceRegistry;
  readonly links: LinkPlanner;
  readonly answers: OperationAnswers;
  readonly runner: TaskRunner;
  readonly changes: ChangeEvents;
  readonly clock: () => number;
  /** This process, as the holder of a new task's lease while its first attempt runs. */
  readonly owner: string;
  readonly leaseMs: number;
  /** The application's name, in task names. */
  readonly appName: string;
  /** Resources with their links, as the endpoint receives them in a configure request. */
  readonly renderer: ResourceRenderer;
  /** A new state's relation values applied as links (each relation to exactly the resources named). */
  readonly relink: (id: string, wanted: readonly RelationTargets[], options?: LinkOptions) => Promise<void>;
  /** Collections capped by a limit: a creation into a full one is refused (usage/collection-limits). */
  readonly limits: CollectionLimits;
  /** Raises `changed` for an application write (its deliveries stored with the write). */
  readonly events?: Pick<EventRaising, 'raise' | 'announce'>;
}

/** The resources a relation is to be linked to, as a PUT's body names them. */
export interface RelationTargets {
  readonly relation: string;
  readonly to: readonly string[];
}

const VERB: Record<LifecycleOperation, string> = {
  provision: 'Provisioning',
  configure: 'Configuring',
  unprovision: 'Unprovisioning',
  upgrade: 'Upgrading',
};

function objectBody(body: unknown, what: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    // No body at all is most often a client that sent none, or sent it without its JSON type.
    const hint =
      body === undefined
        ? ': the request has no JSON body (send one, with Content-Type: application/json)'
        : `, not ${Array.isArray(body) ? 'an array' : body === null ? 'null' : `a ${typeof body}`}`;
    throw new BadRequestError(`Expected ${what}${hint}`, [{ field: '(body)', message: `must be ${what}` }]);
  }
  return body as Record<string, unknown>;
}

function withoutAps(body: Record<string, unknown>): Record<string, unknown> {
  const { aps: _aps, ...rest } = body;
  return rest;
}

export class LifecycleCommands {
  constructor(private readonly deps: LifecycleDeps) {}

  async getResource(id: string): Promise<ResourceRecord> {
    const r = await this.deps.store.getResource(id);
    if (!r) throw new NotFoundError(`No resource ${id}`);
    return r;
  }

  /**
   * Creates a resource: stored, then provisioned; answers once the first call has an outcome. With a
   * `requestId`, a repeated call with the same body answers for the first one's task instead of
   * creating another, and the same id with another body is refused (409).
   */
  async provision(body: unknown, options: SubmitOptions = {}): Promise<OperationResult> {
    const { registry, links, store } = this.deps;
    const parent = options.parent;
    const input = objectBody(body, 'the resource as a JSON object');
    const aps = (input.aps ?? {}) as Record<string, unknown>;
    const info = registry.serviceOf(aps.type);
    // Declared defaults fill what the body leaves out, before validation (./defaults); read-only
    // properties are checked on what the caller sent, so a read-only default is filled, not refused.
    const filled = withDefaults(info.type, input);
    const issues = [...info.validators.create(filled), ...info.immutables.create(input)];
    const split = await links.split(info, withoutAps(filled));
    issues.push(...split.linkIssues);
    if (issues.length > 0) throw invalidError(info.type.name, issues);

    const resource: ResourceRecord = {
      id: randomUUID(),
      type: info.type.id,
      status: ResourceStatus.provisioning,
      revision: 1,
      modified: this.deps.clock(),
      properties: split.properties,
    };
    const allLinks = await links.linksOfNew(info, resource.id, split.links, parent);
    const task = this.newTask(
      LifecycleOperation.provision,
      info,
      resource,
      // The links go with the resource (the task runner renders them again at each attempt).
      {
        method: 'POST',
        path: `/${info.service}/`,
        body: { ...resourceBody(resource), ...linkValues(resource.id, info.type.relations, allLinks, 'all') },
      },
      requestOf(options.requestId, [LifecycleOperation.provision, info.type.id, parent ?? null, input]),
    );
    // The subscriptions its type declares (@OnEvent) are stored with it, in the same step.
    const subscriptions = declaredSubscriptions(info.type, resource.id, resource.modified);
    const created = await this.deps.limits.guardCreate(resource, allLinks, () =>
      store.createResourceWithTask(resource, task, createdEvent(task), allLinks, subscriptions),
    );
    if (!created.created) return this.deps.answers.duplicate(created.existing, task);
    this.deps.changes.task(task);
    this.deps.changes.resource(resource.id);
    return this.deps.answers.answer(await this.deps.runner.run(task), task.id);
  }

  /**
   * The application's own write to one of its resources, as APS apps make through the controller's
   * API: the properties are validated and stored, read-only ones included (the app is who sets them),
   * final ones refused; the endpoint is not called and no task is made.
   */
  async updateByApp(id: string, body: unknown): Promise<ResourceJson> {
    const given = objectBody(body, 'the properties to write as a JSON object');
    const current = await this.getResource(id);
    const info = this.deps.registry.serviceOf(current.type);
    const input = withoutAps(given);
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
    const { properties, links, linkIssues } = await this.deps.links.split(info, input);
    issues.push(...linkIssues);
    if (issues.length > 0) throw invalidError(info.type.name, issues);
    // Its relation values relink (the app, who asks, is not called back), before the properties are
    // written, so that a refused relink (a required relation left empty) writes nothing.
    await this.relinkNamed(info, id, input, links, { notify: false });
    const next: ResourceRecord = {
      ...current,
      properties: { ...current.properties, ...properties },
      revision: current.revision + 1,
      modified: this.deps.clock(),
    };
    // One `changed` per write, and none for a write that changed nothing (a usage sync's, often).
    const changed = sameJson(next.properties, current.properties)
      ? []
      : ((await this.deps.events?.raise(Events.changed, next)) ?? []);
    if (!(await this.deps.store.putResource(next, current.revision, changed))) {
      throw new ConflictError(`Resource ${id} changed while it was being written; read it again and retry`);
    }
    this.deps.changes.resource(id);
    this.deps.events?.announce(changed);
    return this.deps.renderer.renderOne(next);
  }

  async configure(id: string, body: unknown, options: SubmitOptions = {}): Promise<OperationResult> {
    const input = objectBody(body, 'the new state as a JSON object');
    const current = await this.getResource(id);
    const info = this.deps.registry.serviceOf(current.type);
    const issues = [...info.validators.update(input), ...info.immutables.update(input, current.properties)];
    const { properties, links, linkIssues } = await this.deps.links.split(info, withoutAps(input));
    issues.push(...linkIssues);
    if (issues.length > 0) throw invalidError(info.type.name, issues);
    // Relation values in the new state relink (through the endpoint's link operations) before the
    // endpoint is asked to configure, so that its configure sees the links the state names.
    await this.relinkNamed(info, id, input, links, {});
    const next: ResourceRecord = { ...current, properties: { ...current.properties, ...properties } };
    return this.startOperation(
      LifecycleOperation.configure,
      info,
      current,
      { method: 'PUT', path: `/${info.service}/${id}`, body: await this.deps.renderer.renderOne(next) },
      requestOf(options.requestId, [LifecycleOperation.configure, id, input]),
    );
  }

  async unprovision(id: string, options: SubmitOptions = {}): Promise<OperationResult> {
    const submitted = requestOf(options.requestId, [LifecycleOperation.unprovision, id]);
    if (options.requestId !== undefined) {
      // A repeated unprovision finds its task even after the resource is gone.
      const existing = await this.deps.store.findTaskByRequestId(options.requestId);
      if (existing) return this.deps.answers.duplicate(existing, submitted);
    }
    const current = await this.getResource(id);
    const info = this.deps.registry.serviceOf(current.type);
    return this.startOperation(
      LifecycleOperation.unprovision,
      info,
      current,
      { method: 'DELETE', path: `/${info.service}/${id}` },
      submitted,
    );
  }

  /**
   * Applies a new version of the application to its instance: the root (globals) resource goes
   * `aps:upgrading` and its endpoint's `upgrade` operation is called with the version it upgrades
   * from (`?version=` and the body's `version`), as a task like any lifecycle call (202 re-polls).
   * See docs.cloudblue.com/cbc/sdk/21.0/api/rest/application/upgrade: the controller, not the app, triggers it.
   * `serviceOf` finds the root's service when its stored type ID is an older one the upgrade migrates.
   */
  async upgrade(
    rootId: string,
    to: string,
    from: string | undefined,
    options: SubmitOptions = {},
    serviceOf: (typeId: string) => ServiceInfo = (typeId) => this.deps.registry.serviceOf(typeId),
  ): Promise<OperationResult> {
    const current = await this.getResource(rootId);
    const info = serviceOf(current.type);
    const query = from === undefined ? '' : `?version=${encodeURIComponent(from)}`;
    return this.startOperation(
      LifecycleOperation.upgrade,
      info,
      current,
      { method: 'POST', path: `/${info.service}/${rootId}/upgrade${query}`, body: { version: from ?? null, to } },
      requestOf(options.requestId, [LifecycleOperation.upgrade, rootId, to]),
    );
  }

  /** Relinks each relation the body names to exactly the resources it names (see LinkCommands.relink). */
  private async relinkNamed(
    info: ServiceInfo,
    id: string,
    input: Record<string, unknown>,
    links: readonly { relation: string; to: string }[],
    options: LinkOptions,
  ): Promise<void> {
    const named = info.type.relations.filter((r) => Object.prototype.hasOwnProperty.call(input, r.name));
    if (named.length === 0) return;
    const wanted = named.map((r) => ({
      relation: r.name,
      to: links.filter((l) => l.relation === r.name).map((l) => l.to),
    }));
    await this.deps.relink(id, wanted, options);
  }

  private async startOperation(
    operation: LifecycleOperation,
    info: ServiceInfo,
    current: ResourceRecord,
    request: TaskRecord['request'],
    submitted: RequestIdentity,
  ): Promise<OperationResult> {
    const resource: ResourceRecord = {
      ...current,
      status: IN_PROGRESS[operation],
      revision: current.revision + 1,
      modified: this.deps.clock(),
    };
    const task = this.newTask(operation, info, resource, request, submitted);
    const created = await this.deps.store.createTaskUnlessBusy(task, createdEvent(task), resource);
    if (!created.created && created.reason === 'duplicate') return this.deps.answers.duplicate(created.existing, task);
    if (!created.created) {
      const busy = created.existing;
      throw new ConflictError(
        `Resource ${current.id} is busy: task ${busy.id} (${busy.name}) is ${busy.status}; try again when it has ended`,
        { taskId: busy.id, status: busy.status },
      );
    }
    this.deps.changes.task(task);
    this.deps.changes.resource(resource.id);
    return this.deps.answers.answer(await this.deps.runner.run(task), task.id);
  }

  /** A lifecycle task whose first attempt this process runs now, in the request that made it. */
  private newTask(
    operation: LifecycleOperation,
    info: ServiceInfo,
    resource: ResourceRecord,
    request: TaskRecord['request'],
    submitted: RequestIdentity,
  ): TaskRecord {
    const now = this.deps.clock();
    return {
      id: newTaskId(),
      resourceId: resource.id,
      ...submitted,
      operation,
      name:
        operation === LifecycleOperation.upgrade
          ? `Upgrading application ${this.deps.appName}`
          : `${VERB[operation]} "${info.type.name}" for APS application ${this.deps.appName}`,
      description: '',
      output: '',
      status: TaskStatus.running,
      attempts: 1,
      nextRunAt: now,
      deadlineAt: null,
      phase: RequestPhase.sync,
      request,
      createdAt: now,
      updatedAt: now,
      endedAt: null,
      leaseOwner: this.deps.owner,
      leaseUntil: now + this.deps.leaseMs,
    };
  }
}
