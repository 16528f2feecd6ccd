/**
 * Collections capped by a limit. On the platform the APS controller refuses to create more
 * resources than the subscription's limits allow: 403 "Creation of resource with type '…' is not
 * allowed" (KB 119958, kb.cloudblue.com/pdf/en/119958/). The embedded controller has no subscriptions, so
 * the rule is ours: a collection relation declared with `limit: '<property>'` (a `Counter` or
 * `Limit` property of the same type) holds at most that property's `limit` resources. Creating a
 * resource linked into a full collection (provisioned through the relation, or naming the holder in
 * its body) or linking one into it (a link, a relink) is refused with a 403 naming the limit, before
 * the endpoint is called and with nothing stored. No `limit` value: unlimited.
 *
 * The check and the write it guards run under the holder's lock (links/resource-locks, shared with
 * the link commands), so that two creations at once in one process cannot both pass at limit - 1.
 * Processes sharing a database do not share these locks (see docs/controller.md).
 */
import { ForbiddenError, type RelationModel } from '@apskit/core';
import type { LinkRecord, ResourceCondition, ResourceRecord, Store } from '@apskit/store';
import type { ResourceLocks } from '../links/resource-locks';
import type { ServiceRegistry } from '../registry/service-registry';

export interface CollectionLimitsDeps {
  readonly store: Pick<Store, 'getResource' | 'listResources'>;
  readonly registry: ServiceRegistry;
  /** The locks the link commands take: one lock per resource, whoever changes its links. */
  readonly locks: ResourceLocks;
}

/** A limited collection one of the new links goes into. */
interface Capped {
  readonly holderId: string;
  readonly relation: RelationModel & { readonly limit: string };
}

export class CollectionLimits {
  constructor(private readonly deps: CollectionLimitsDeps) {}

  /**
   * Runs `write` (which stores `links`, with `created`, the new resource, when it is one) under the
   * locks of the limited collections the links go into, once `check` has passed.
   */
  async guardCreate<T>(created: ResourceRecord, links: readonly LinkRecord[], write: () => Promise<T>): Promise<T> {
    const capped = await this.capped(links, created);
    if (capped.length === 0) return write();
    return this.deps.locks.with(
      capped.map((c) => c.holderId),
      async () => {
        await this.check(links, created, 'create');
        return write();
      },
    );
  }

  /**
   * Refuses (403) links beyond a collection's limit. `created`: the new resource, which is not stored
   * yet (its own limits are read from it). The caller holds the holders' locks (the link commands
   * hold both ends of a link).
   */
  async check(
    links: readonly LinkRecord[],
    created?: ResourceRecord,
    action: 'create' | 'link' = 'link',
  ): Promise<void> {
    const capped = await this.capped(links, created);
    for (const { holderId, relation } of capped) {
      const holder = holderId === created?.id ? created : await this.deps.store.getResource(holderId);
      const limit = (holder?.properties[relation.limit] as { limit?: unknown } | undefined)?.limit;
      if (typeof limit !== 'number') continue; // no limit value: unlimited
      const adding = [
        ...new Set(links.filter((l) => l.from === holderId && l.relation === relation.name).map((l) => l.to)),
      ];
      // Counted by the store (a collection may be large: its links are not loaded to count them).
      const members: ResourceCondition = { op: 'linkedFrom', from: holderId, relation: relation.name };
      const isNew = holderId === created?.id;
      const has = isNew ? 0 : await this.count(members);
      const linked = isNew
        ? 0
        : await this.count({ op: 'and', of: [members, { op: 'in', field: { aps: 'id' }, values: adding }] });
      if (has + adding.length - linked <= limit) continue;
      const memberType = adding[0] === undefined ? undefined : await this.memberType(adding[0], created);
      const what = action === 'create' ? 'Creation of resource' : 'Linking of resource';
      const field = `${relation.limit}.limit`;
      throw new ForbiddenError(
        `${what} with type '${memberType ?? relation.type}' is not allowed: ${holderId} has ${has} of ${limit} ${relation.name} (${field})`,
        [{ field, message: `allows ${limit} ${relation.name}; ${holderId} has ${has}` }],
      );
    }
  }

  /**
   * The links that go into a collection with a limit. Only a link through a relation name that some
   * served type limits costs a read (of its holder's type).
   */
  private async capped(links: readonly LinkRecord[], created: ResourceRecord | undefined): Promise<Capped[]> {
    const out: Capped[] = [];
    const seen = new Set<string>();
    for (const l of links) {
      const key = `${l.from} ${l.relation}`;
      if (seen.has(key) || !this.limitedNames().has(l.relation)) continue;
      seen.add(key);
      const typeId = l.from === created?.id ? created.type : (await this.deps.store.getResource(l.from))?.type;
      const relation = typeId === undefined ? undefined : this.deps.registry.relation(typeId, l.relation);
      if (relation?.limit !== undefined)
        out.push({ holderId: l.from, relation: { ...relation, limit: relation.limit } });
    }
    return out;
  }

  private limited: Set<string> | undefined;

  /** The names of the limited relations of the served types. */
  private limitedNames(): Set<string> {
    this.limited ??= new Set(
      this.deps.registry.model.types.flatMap((t) =>
        t.relations.filter((r) => r.limit !== undefined).map((r) => r.name),
      ),
    );
    return this.limited;
  }

  private async count(where: ResourceCondition): Promise<number> {
    return (await this.deps.store.listResources({ where, limit: 0 })).total;
  }

  private async memberType(id: string, created: ResourceRecord | undefined): Promise<string | undefined> {
    if (id === created?.id) return created.type;
    return (await this.deps.store.getResource(id))?.type;
  }
}
