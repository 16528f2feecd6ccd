/**
 * Linking through the controller, as the APS controller does it (docs.cloudblue.com/cbc/sdk/20.5/api/
 * rest/resources: "Link resources", "Relink resources", "Unlink resources", "Get linked resources"):
 * the request is checked against the type model first (a refusal calls no endpoint and stores
 * nothing), then the endpoint is asked (`POST /{service}/{id}/{relation}` with the linked resource,
 * `DELETE /{service}/{id}/{relation}/{id2}`), and the change is stored, both ways, only once the
 * endpoint has accepted it. What the endpoint's answer means is the protocol's table
 * (docs.cloudblue.com/cbc/sdk/21.0/api/rest/protocol/responses): 200 and 204 are done; 404, 405 and
 * 501 say the app has no such operation, so there is nothing for it to do and the link is stored;
 * any other answer is a failure, passed back to the caller, and nothing is stored.
 */
import {
  ApsError,
  BadRequestError,
  ConflictError,
  Events,
  invalidError,
  NotFoundError,
  RequestPhase,
  type ApsTypeModel,
  type JsonValue,
  type RelationModel,
} from '@apskit/core';
import type { LinkRecord, NewTask, ResourceRecord, Store } from '@apskit/store';
import type { ChangeEvents } from '../events/change-events';
import type { EventRaising } from '../events/event-raising';
import type { ServiceRegistry } from '../registry/service-registry';
import { outgoingHeaders, type CallerIdentity } from '../transport/aps-headers';
import type { EndpointAnswer, EndpointRequest, Transport } from '../transport/transport';
import type { ResourceJson } from '../wire/resource-json';
import { resourceHref, type ResourceRenderer } from '../wire/resource-links';
import type { LinkPlanner } from './link-planner';
import type { CollectionLimits } from '../usage/collection-limits';
import { ResourceLocks } from './resource-locks';

/** One link of a resource, as `GET /aps/2/resources/{id}/aps/links` lists it. */
export interface LinkEntryJson {
  /** The relation of the resource the link goes through. */
  readonly relation: string;
  readonly aps: { readonly link: 'strong' | 'weak'; readonly id: string; readonly href: string };
}

export interface LinkDeps {
  readonly store: Pick<Store, 'getResource' | 'linksFrom' | 'changeLinks'>;
  readonly registry: ServiceRegistry;
  readonly planner: LinkPlanner;
  readonly transport: Transport;
  readonly caller: () => CallerIdentity;
  readonly changes: ChangeEvents;
  readonly renderer: ResourceRenderer;
  /** The per-resource locks, shared with whatever else changes links (a creation checking a limit). */
  readonly locks?: ResourceLocks;
  /** Collections capped by a limit: a link into a full one is refused (usage/collection-limits). */
  readonly limits?: CollectionLimits;
  /** Raises `linked`/`unlinked` for each link record a change adds/removes (stored with the change). */
  readonly events?: Pick<EventRaising, 'raiseForLinks' | 'announce'>;
}

/** How a link change is made. */
export interface LinkOptions {
  /**
   * Whether the endpoint's link operation is called (the default). Not when the application itself
   * writes its resource's links: it knows, and would be called back in the middle of its own request.
   */
  readonly notify?: boolean;
}

/** The endpoint did the link operation. */
const DONE = new Set([200, 204]);
/** The endpoint has no such operation: nothing for the app to do, the controller still links. */
const NOTHING_TO_DO = new Set([404, 405, 501]);

export class LinkCommands {
  private readonly locks: ResourceLocks;

  constructor(private readonly deps: LinkDeps) {
    this.locks = deps.locks ?? new ResourceLocks();
  }

  /**
   * Links `{id}` to the resource the body names by `aps.id` through `relation` (a singular relation
   * is relinked: its old link goes), the way back kept in step. Answers the linked resource.
   */
  link(id: string, relationName: string, body: unknown, options: LinkOptions = {}): Promise<ResourceJson> {
    const targetId = apsIdOf(body);
    return this.locks.with([id, targetId], () => this.linkNow(id, relationName, targetId, options));
  }

  private async linkNow(
    id: string,
    relationName: string,
    targetId: string,
    options: LinkOptions,
  ): Promise<ResourceJson> {
    const { store, planner, registry } = this.deps;
    const holder = await this.resource(id);
    const info = registry.serviceOf(holder.type);
    const relation = relationOf(info.type, relationName);
    const target = await store.getResource(targetId);
    if (!target) throw invalidError(info.type.name, [{ field: 'aps.id', message: 'names no existing resource' }]);
    if (!this.accepts(relation, target.type))
      throw invalidError(info.type.name, [
        { field: 'aps.id', message: `is a ${target.type}; ${relation.name} links a ${relation.type}` },
      ]);
    const current = await store.linksFrom(id, relation.name);
    // Linking twice is refused (as the bad input list has it): the endpoint's link operation
    // tells the app of a new link, and telling it again of one it has would make it act twice.
    if (current.some((l) => l.to === targetId))
      throw new ConflictError(`${info.type.name} ${id} is already linked to ${targetId} through ${relation.name}`, [
        { field: 'aps.id', message: `is already linked through ${relation.name}` },
      ]);

    const add: LinkRecord[] = [{ from: id, relation: relation.name, to: targetId }];
    const remove: LinkRecord[] = [];
    // The types of the resources the change touches, as read on the way: their events need no more reads.
    const types = new Map([
      [id, holder.type],
      [targetId, target.type],
    ]);
    // A singular relation holds one link: relinking removes the old one, both ways.
    if (!relation.collection)
      for (const old of current) remove.push(old, ...(await this.inverses(old, info.type, types)));
    const back = planner.wayBack(info.type, relation.name, target.type, targetId, id);
    if (back) {
      add.push(back);
      // The way back may be singular too: the target leaves whatever it was linked to through it.
      const backRelation = registry.relation(target.type, back.relation);
      const targetType = registry.find(target.type)?.type;
      if (backRelation && !backRelation.collection && targetType) {
        for (const old of await store.linksFrom(targetId, back.relation))
          if (old.to !== id) remove.push(old, ...(await this.inverses(old, targetType, types)));
      }
    }

    await this.deps.limits?.check(add);
    if (options.notify !== false)
      await this.callEndpoint('link', {
        method: 'POST',
        path: `/${info.service}/${encodeURIComponent(id)}/${encodeURIComponent(relation.name)}`,
        body: await this.deps.renderer.renderOne(target),
      });
    const raised = await this.raised(remove, add, types);
    await store.changeLinks(remove, add, raised);
    this.touched([...remove, ...add]);
    this.deps.events?.announce(raised);
    return this.deps.renderer.renderOne((await store.getResource(targetId)) ?? target);
  }

  /** Unlinks `{id2}` from `{id}` through `relation`, both ways; refused when a required link would go. */
  unlink(id: string, relationName: string, targetId: string, options: LinkOptions = {}): Promise<void> {
    return this.locks.with([id, targetId], () => this.unlinkNow(id, relationName, targetId, options));
  }

  private async unlinkNow(id: string, relationName: string, targetId: string, options: LinkOptions): Promise<void> {
    const { store, registry } = this.deps;
    const holder = await this.resource(id);
    const info = registry.serviceOf(holder.type);
    const relation = relationOf(info.type, relationName);
    const current = await store.linksFrom(id, relation.name);
    const link = current.find((l) => l.to === targetId);
    if (!link)
      throw new NotFoundError(`${info.type.name} ${id} is not linked to ${targetId} through ${relation.name}`, [
        { field: relation.name, message: `has no link to ${targetId}` },
      ]);
    refuseRequired(info.type.name, relation, current.length);
    const types = new Map([[id, holder.type]]);
    const backs = await this.inverses(link, info.type, types);
    for (const back of backs) {
      const target = await store.getResource(back.from);
      const backRelation = target && registry.relation(target.type, back.relation);
      if (target && backRelation)
        refuseRequired(
          registry.find(target.type)?.type.name ?? target.type,
          backRelation,
          (await store.linksFrom(back.from, back.relation)).length,
          back.from,
        );
    }
    if (options.notify !== false)
      await this.callEndpoint('unlink', {
        method: 'DELETE',
        path: `/${info.service}/${encodeURIComponent(id)}/${encodeURIComponent(relation.name)}/${encodeURIComponent(targetId)}`,
      });
    const raised = await this.raised([link, ...backs], [], types);
    await store.changeLinks([link, ...backs], [], raised);
    this.touched([link, ...backs]);
    this.deps.events?.announce(raised);
  }

  /**
   * A new state's relation values (`PUT /aps/2/resources/{id}` naming relations): each named relation
   * ends up linked to exactly the resources named (none for `null`), through the same link and unlink
   * operations, new links first so that a required collection is never empty on the way. A required
   * relation left with nothing is refused before anything changes; a refusal part way (the endpoint's)
   * stops there, the steps before it done.
   */
  async relink(
    id: string,
    wanted: readonly { relation: string; to: readonly string[] }[],
    options: LinkOptions = {},
  ): Promise<void> {
    const holder = await this.resource(id);
    const info = this.deps.registry.serviceOf(holder.type);
    const steps: Array<() => Promise<unknown>> = [];
    const removals: Array<() => Promise<unknown>> = [];
    for (const w of wanted) {
      const relation = relationOf(info.type, w.relation);
      if (relation.required && w.to.length === 0) refuseRequired(info.type.name, relation, 0);
      const current = (await this.deps.store.linksFrom(id, relation.name)).map((l) => l.to);
      const added = w.to.filter((to, i) => !current.includes(to) && w.to.indexOf(to) === i);
      for (const to of added) steps.push(() => this.link(id, relation.name, { aps: { id: to } }, options));
      // A singular relation given a new resource is relinked by the link itself.
      const gone = relation.collection || added.length === 0 ? current.filter((to) => !w.to.includes(to)) : [];
      for (const to of gone) removals.push(() => this.unlink(id, relation.name, to, options));
    }
    for (const step of [...steps, ...removals]) await step();
  }

  /** Every link of a resource, in relation order (`GET /aps/2/resources/{id}/aps/links`). */
  async links(id: string): Promise<LinkEntryJson[]> {
    const holder = await this.resource(id);
    const type = this.deps.registry.serviceOf(holder.type).type;
    const links = await this.deps.store.linksFrom(id);
    return type.relations.flatMap((relation) =>
      links
        .filter((l) => l.relation === relation.name)
        .map((l) => ({
          relation: relation.name,
          aps: { link: relation.required ? 'strong' : 'weak', id: l.to, href: resourceHref(l.to) } as const,
        })),
    );
  }

  /** The resource linked to `{id}` through `relation` with id `targetId`; a 404 when it is not linked. */
  async linked(id: string, relationName: string, targetId: string): Promise<ResourceJson> {
    const holder = await this.resource(id);
    const info = this.deps.registry.serviceOf(holder.type);
    const relation = relationOf(info.type, relationName);
    const linked = (await this.deps.store.linksFrom(id, relation.name)).some((l) => l.to === targetId);
    const target = linked ? await this.deps.store.getResource(targetId) : undefined;
    if (!target) throw new NotFoundError(`${info.type.name} ${id} has no ${relation.name} ${targetId}`);
    return this.deps.renderer.renderOne(target);
  }

  private async resource(id: string): Promise<ResourceRecord> {
    const r = await this.deps.store.getResource(id);
    if (!r) throw new NotFoundError(`No resource ${id}`);
    return r;
  }

  /** Whether a resource of `typeId` may be linked through `relation`: its type, or one implementing it. */
  private accepts(relation: RelationModel, typeId: string): boolean {
    return typeId === relation.type || this.deps.registry.implementsType(typeId, relation.type);
  }

  /** The stored ways back of a link from a resource of `fromType` (the other side's type noted in `types`). */
  private async inverses(link: LinkRecord, fromType: ApsTypeModel, types?: Map<string, string>): Promise<LinkRecord[]> {
    const other = await this.deps.store.getResource(link.to);
    if (!other) return [];
    types?.set(other.id, other.type);
    const back = this.deps.planner.wayBack(fromType, link.relation, other.type, other.id, link.from);
    if (!back) return [];
    return (await this.deps.store.linksFrom(back.from, back.relation)).filter((l) => l.to === back.to);
  }

  private async callEndpoint(operation: 'link' | 'unlink', request: Omit<EndpointRequest, 'headers'>): Promise<void> {
    const answer = await this.deps.transport.call({
      ...request,
      headers: outgoingHeaders(RequestPhase.sync, this.deps.caller()),
    });
    if (DONE.has(answer.status) || NOTHING_TO_DO.has(answer.status)) return;
    throw endpointRefusal(operation, answer);
  }

  /**
   * The deliveries of a link change: `unlinked` for each record removed, then `linked` for each added
   * (docs.cloudblue.com/cbc/sdk/21.0/concepts/events/aps-event/event-subscriptions: the link
   * operation is tracked; each side's record is its own source).
   */
  private async raised(
    remove: readonly LinkRecord[],
    add: readonly LinkRecord[],
    known: ReadonlyMap<string, string>,
  ): Promise<NewTask[]> {
    const events = this.deps.events;
    if (!events) return [];
    return [
      ...(await events.raiseForLinks(Events.unlinked, remove, known)),
      ...(await events.raiseForLinks(Events.linked, add, known)),
    ];
  }

  private touched(links: readonly LinkRecord[]): void {
    for (const id of new Set(links.flatMap((l) => [l.from, l.to]))) this.deps.changes.resource(id);
  }
}

function relationOf(type: ApsTypeModel, name: string): RelationModel {
  const relation = type.relations.find((r) => r.name === name);
  if (!relation)
    throw new NotFoundError(`${type.name} has no relation "${name}"`, [
      { field: 'relation', message: `${JSON.stringify(name.slice(0, 100))} is not a relation of ${type.name}` },
    ]);
  return relation;
}

function apsIdOf(body: unknown): string {
  const aps = (body as { aps?: { id?: unknown } } | null | undefined)?.aps;
  if (typeof aps?.id !== 'string' || aps.id === '')
    throw new BadRequestError('The resource to link is named by its aps.id', [
      { field: 'aps.id', message: 'is required' },
    ]);
  return aps.id;
}

/** A required relation keeps its link (a collection, at least one): only a relink may replace it. */
function refuseRequired(typeName: string, relation: RelationModel, count: number, id?: string): void {
  if (!relation.required || (relation.collection && count > 1)) return;
  const whose = id === undefined ? typeName : `${typeName} ${id}`;
  throw new ConflictError(
    `${relation.name} of ${whose} is required: it cannot be unlinked (link another resource instead)`,
    [{ field: relation.name, message: 'is required' }],
  );
}

/**
 * The endpoint's failure as the caller is told it: its APS error as it is, with its status; an
 * answer that is no error (a 202, say) is no answer APS defines for a link operation, a 502.
 */
function endpointRefusal(operation: string, answer: EndpointAnswer): ApsError {
  if (answer.status < 400 || answer.status > 599)
    return new ApsError(502, 'BadGateway', `The endpoint answered the ${operation} operation with ${answer.status}`);
  const body = answer.body as { error?: unknown; message?: unknown; details?: unknown } | undefined;
  const message =
    typeof body?.message === 'string' && body.message !== ''
      ? body.message
      : `The endpoint refused the ${operation} operation (${answer.status})`;
  const error = typeof body?.error === 'string' && body.error !== '' ? body.error : 'EndpointError';
  return new ApsError(answer.status, error, message, body?.details as JsonValue | undefined);
}
