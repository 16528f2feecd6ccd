/**
 * A resource's links on the wire, as the APS controller shows them in a resource read
 * (docs.cloudblue.com/cbc/sdk/20.5/api/rest/resources/structure): a singular relation is
 * `{"aps": {"link": "strong" | "weak", "id", "href"}}` (strong when the relation is required), a
 * collection `{"aps": {"link": "collection", "href": "/aps/2/resources/<id>/<relation>"}}`, whose
 * members are read at that href.
 */
import type { RelationModel } from '@apskit/core';
import type { AttemptOutcome, LinkRecord, ResourceRecord, Store } from '@apskit/store';
import type { ServiceRegistry } from '../registry/service-registry';
import { renderResource, type ResourceJson } from './resource-json';

export interface SingularLinkJson {
  readonly aps: { readonly link: 'strong' | 'weak'; readonly id: string; readonly href: string };
}

export interface CollectionLinkJson {
  readonly aps: { readonly link: 'collection'; readonly href: string };
}

export type LinkJson = SingularLinkJson | CollectionLinkJson;

/** Which relations a read shows: every one (a resource read), or those a query's `select()` names. */
export type RelationSelection = readonly string[] | 'all';

/** The controller's URL of a resource. */
export function resourceHref(id: string): string {
  return `/aps/2/resources/${encodeURIComponent(id)}`;
}

/** A link to one resource, strong when the relation is required (the resource cannot be without it). */
export function singularLink(relation: Pick<RelationModel, 'required'>, to: string): SingularLinkJson {
  return { aps: { link: relation.required ? 'strong' : 'weak', id: to, href: resourceHref(to) } };
}

export function collectionLink(from: string, relation: string): CollectionLinkJson {
  return { aps: { link: 'collection', href: `${resourceHref(from)}/${encodeURIComponent(relation)}` } };
}

/**
 * The link values of a resource: a collection relation always (its href lists its members, none
 * or many), a singular one when it is linked.
 */
export function linkValues(
  id: string,
  relations: readonly RelationModel[],
  links: readonly LinkRecord[],
  selection: RelationSelection,
): Record<string, LinkJson> {
  const values: Record<string, LinkJson> = {};
  for (const relation of relations) {
    if (selection !== 'all' && !selection.includes(relation.name)) continue;
    if (relation.collection) {
      values[relation.name] = collectionLink(id, relation.name);
      continue;
    }
    const link = links.find((l) => l.from === id && l.relation === relation.name);
    if (link) values[relation.name] = singularLink(relation, link.to);
  }
  return values;
}

/** The store's reads a renderer needs: the links of a page at once, when the store has that. */
export type LinkReads = Pick<Store, 'linksFrom'> & {
  linksOfMany?: (ids: readonly string[]) => Promise<LinkRecord[]>;
};

/** Renders resources with the links the selection asks for (their properties first, then links). */
export class ResourceRenderer {
  constructor(
    private readonly registry: ServiceRegistry,
    private readonly store: LinkReads,
  ) {}

  async render(records: readonly ResourceRecord[], selection: RelationSelection): Promise<ResourceJson[]> {
    if (records.length === 0) return [];
    // Only a singular relation's value is read from the links (a collection's is its href): a page
    // of types without one (a usage sync's retrieve of a mailbox, say) reads no links at all.
    const singular = records.some((r) =>
      (this.registry.find(r.type)?.type.relations ?? []).some(
        (relation) => !relation.collection && (selection === 'all' || selection.includes(relation.name)),
      ),
    );
    const links = singular ? await this.linksOf(records.map((r) => r.id)) : [];
    return records.map((r) => {
      const relations = this.registry.find(r.type)?.type.relations ?? [];
      const json = renderResource(r);
      // A relation's value is its stored link, never a property of that name (an endpoint that
      // answered with its links would otherwise leave them as properties, stale once relinked).
      for (const relation of relations) delete json[relation.name];
      return Object.assign(json, linkValues(r.id, relations, links, selection));
    });
  }

  async renderOne(record: ResourceRecord): Promise<ResourceJson> {
    const [json] = await this.render([record], 'all');
    return json as ResourceJson;
  }

  private async linksOf(ids: readonly string[]): Promise<LinkRecord[]> {
    if (this.store.linksOfMany) return this.store.linksOfMany(ids);
    return (await Promise.all(ids.map((id) => this.store.linksFrom(id)))).flat();
  }
}

/**
 * A resource as the endpoint receives it in a provision or configure request: with its links, as
 * the spec says relation properties are filled with links (the same shape a read shows).
 */
export function endpointBody(
  r: ResourceRecord,
  registry: ServiceRegistry,
  store: LinkReads,
): Promise<Record<string, unknown>> {
  return new ResourceRenderer(registry, store).renderOne(r) as Promise<unknown> as Promise<Record<string, unknown>>;
}

/**
 * An attempt's outcome with no relation among the resource's properties. The endpoint answers with
 * the resource as it was sent, links and all: a relation's value is the controller's link (stored
 * as a link, changed by link operations), never a property kept beside it, which would go stale.
 */
export function withoutLinkValues(
  outcome: AttemptOutcome,
  relations: readonly Pick<RelationModel, 'name'>[],
): AttemptOutcome {
  const resource = outcome.resource;
  if (!resource || 'delete' in resource || !relations.some((r) => r.name in resource.properties)) return outcome;
  const properties = { ...resource.properties };
  for (const r of relations) delete properties[r.name];
  return { ...outcome, resource: { ...resource, properties } };
}
