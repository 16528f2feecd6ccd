/**
 * Links of resources: which values of a body are links (`{"aps": {"id": …}}` under a relation) and
 * which are properties, and every link a new resource gets, both ways. The way back of a link is the
 * model's answer (RelationModel.inverse, resolved once when the model was built).
 */
import { NotFoundError, type ApsTypeModel, type RelationModel, type ValidationIssue } from '@apskit/core';
import type { LinkRecord, ResourceRecord, Store } from '@apskit/store';
import type { ServiceInfo, ServiceRegistry } from '../registry/service-registry';
import { GLOBALS_ID_KEY } from '../store/key-values';

/** A body's values split into properties and links (each still without its `from`). */
export interface SplitBody {
  readonly properties: Record<string, unknown>;
  readonly links: Omit<LinkRecord, 'from'>[];
  readonly linkIssues: ValidationIssue[];
}

export class LinkPlanner {
  constructor(
    private readonly registry: ServiceRegistry,
    private readonly store: Pick<Store, 'getResource' | 'getMeta'>,
  ) {}

  /** Links from relation values `{"aps": {"id": …}}`; the rest are properties. */
  async split(info: ServiceInfo, input: Record<string, unknown>): Promise<SplitBody> {
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
        else if (found.type !== relation.type && !this.registry.implementsType(found.type, relation.type))
          linkIssues.push({ field, message: `is a ${found.type}, not a ${relation.type}` });
        else links.push({ relation: key, to: found.id });
      }
    }
    return { properties, links, linkIssues };
  }

  /**
   * The links of a new resource, both ways: those its body names, the one to its parent, and the one
   * to the application's globals when the type requires a relation to it and the body names none.
   */
  async linksOfNew(
    info: ServiceInfo,
    id: string,
    named: Omit<LinkRecord, 'from'>[],
    parent: { id: string; relation: string } | undefined,
  ): Promise<LinkRecord[]> {
    const known = new Map<string, ResourceRecord>();
    const links: LinkRecord[] = named.map((l) => ({ ...l, from: id }));
    if (parent) {
      const parentRecord = await this.store.getResource(parent.id);
      if (!parentRecord) throw new NotFoundError(`No resource ${parent.id}`);
      if (!this.registry.relation(parentRecord.type, parent.relation))
        throw new NotFoundError(`${parentRecord.type} has no relation "${parent.relation}"`);
      known.set(parentRecord.id, parentRecord);
      links.push({ from: parent.id, relation: parent.relation, to: id });
    }
    const globalsId = await this.store.getMeta(GLOBALS_ID_KEY);
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
      const other = known.get(otherId) ?? (await this.store.getResource(otherId));
      if (!other) continue;
      known.set(otherId, other);
      const reverse =
        l.from === id
          ? this.wayBack(info.type, l.relation, other.type, otherId, id)
          : this.wayBack(this.registry.find(other.type)?.type, l.relation, info.type.id, id, otherId);
      if (
        reverse &&
        !links.some((x) => x.from === reverse.from && x.relation === reverse.relation && x.to === reverse.to)
      )
        links.push(reverse);
    }
    return links;
  }

  /**
   * The link back for a link `holder --relation--> target`: from the target through the relation's
   * inverse, when the target is of the relation's type. A target of a type that only implements the
   * relation's type is not paired by the model (its relations are its own): the way back is then that
   * type's relation to the holder's type, as before the model knew inverses.
   */
  wayBack(
    holderType: ApsTypeModel | undefined,
    relationName: string,
    targetType: string,
    targetId: string,
    holderId: string,
  ): LinkRecord | undefined {
    const relation: RelationModel | undefined = holderType?.relations.find((r) => r.name === relationName);
    if (!holderType || !relation) return undefined;
    const back =
      relation.type === targetType
        ? relation.inverse
        : this.registry.find(targetType)?.type.relations.find((r) => r.type === holderType.id)?.name;
    return back === undefined ? undefined : { from: targetId, relation: back, to: holderId };
  }
}
