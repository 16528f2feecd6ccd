/**
 * Access rules, enforced for every caller of the controller's API (issue 18): which resources a
 * caller reaches (an account owner: its account's, see ./ownership), which of their members it is
 * shown, and what it may write, link and call (./access-policy, compiled once per type).
 *
 * - A resource the caller does not reach is a 404 with the same words as one that does not exist
 *   (never a 403), so that an owner cannot learn which ids other accounts have.
 * - A member the caller may not read is absent from every resource it is shown (reads, lists, RQL
 *   results, link reads, lifecycle answers, events); a query that filters or sorts on it is a 400
 *   naming it (rather than a filter on a value it cannot see, which would leak the value).
 * - A write, link or call the caller may not make is a 403 naming the member, checked before anything
 *   is stored or the endpoint is called.
 * - Encrypted properties go to the application only (Caller `app`), never to a role.
 */
import {
  BadRequestError,
  ForbiddenError,
  NotFoundError,
  type ApsTypeModel,
  type OperationModel,
  type RelationModel,
} from '@apskit/core';
import type { FieldPath, ResourceCondition, ResourceQuery, ResourceRecord, SortKey } from '@apskit/store';
import type { Caller } from '../auth/caller';
import type { ResourceJson } from '../wire/resource-json';
import { compileTypePolicy, roleOf, ROLE_NAMES, type AccessRole, type TypePolicy } from './access-policy';
import { Ownership, type OwnershipReads } from './ownership';

export interface AccessReads extends OwnershipReads {
  getResource(id: string): Promise<ResourceRecord | undefined>;
}

/** What a caller reaches a resource for: reading it, or changing it (a global type is read-only to non-owners). */
export type Purpose = 'read' | 'write';

export class AccessRules {
  private readonly policies = new Map<string, TypePolicy>();
  private readonly ownership: Ownership;

  constructor(
    types: readonly ApsTypeModel[],
    private readonly reads: AccessReads,
  ) {
    for (const type of types) this.policies.set(type.id, compileTypePolicy(type));
    this.ownership = new Ownership(types, reads);
  }

  /** The compiled policy of a served type. */
  policy(typeId: string): TypePolicy | undefined {
    return this.policies.get(typeId);
  }

  /**
   * The resources `caller` reaches, as a store condition to AND into its query; undefined when it
   * reaches every resource (the application; an administrator of types that hide none from it).
   */
  async scope(caller: Caller, purpose: Purpose = 'read'): Promise<ResourceCondition | undefined> {
    const role = roleOf(caller);
    if (role === 'app') return undefined;
    const parts: ResourceCondition[] = [];
    const unseen = [...this.policies.values()].filter((p) => !p.seesType[role]).map((p) => p.typeId);
    if (unseen.length > 0) parts.push({ op: 'not', of: { op: 'typeIn', types: unseen } });
    if (caller.kind === 'owner') {
      const owned = await this.ownership.condition(caller.accountId);
      const global =
        purpose === 'read'
          ? [...this.policies.values()].filter((p) => p.global && p.seesType.owner).map((p) => p.typeId)
          : [];
      parts.push(global.length === 0 ? owned : { op: 'or', of: [owned, { op: 'typeIn', types: global }] });
    }
    if (parts.length === 0) return undefined;
    return parts.length === 1 ? (parts[0] as ResourceCondition) : { op: 'and', of: parts };
  }

  /** `where` narrowed to what the caller reaches. */
  async narrow(
    caller: Caller,
    where: ResourceCondition | undefined,
    purpose: Purpose = 'read',
  ): Promise<ResourceCondition | undefined> {
    const scope = await this.scope(caller, purpose);
    if (scope === undefined) return where;
    return where === undefined ? scope : { op: 'and', of: [where, scope] };
  }

  /** Whether the caller reaches the resource `id` (which exists). */
  async reaches(caller: Caller, id: string, purpose: Purpose = 'read'): Promise<boolean> {
    const scope = await this.scope(caller, purpose);
    if (scope === undefined) return true;
    const where: ResourceCondition = { op: 'and', of: [{ op: 'eq', field: { aps: 'id' }, value: id }, scope] };
    // The first match, not a count: one statement instead of a page and its total.
    return (await this.reads.listResources({ where, limit: 1, total: false })).items.length > 0;
  }

  /**
   * The resource `id` if the caller reaches it; otherwise the 404 of a resource that does not exist
   * (the same words, so that ids of other accounts do not leak). To change a resource it may only
   * read (a global type's), the caller gets a 403.
   */
  async reach(caller: Caller, id: string, purpose: Purpose = 'read'): Promise<ResourceRecord> {
    const record = await this.reads.getResource(id);
    if (!record || !(await this.reaches(caller, id, 'read'))) throw new NotFoundError(`No resource ${id}`);
    if (purpose === 'write' && !(await this.reaches(caller, id, 'write')))
      throw new ForbiddenError(`${capital(ROLE_NAMES[roleIn(caller)])} may read resource ${id}, not change it`);
    return record;
  }

  /** A resource as `caller` is shown it: without what its role may not read, and without encrypted values. */
  view(caller: Caller, json: ResourceJson): ResourceJson {
    const role = roleOf(caller);
    if (role === 'app') return json;
    const policy = this.policies.get(json.aps.type);
    if (!policy) return json;
    const shown = { ...json };
    for (const name of policy.hidden[role]) delete shown[name];
    for (const name of policy.encrypted) delete shown[name];
    return shown;
  }

  viewAll(caller: Caller, jsons: readonly ResourceJson[]): ResourceJson[] {
    return jsons.map((json) => this.view(caller, json));
  }

  /**
   * Refuses (403, naming each) the members of a create or configure body that the caller's role may
   * not write: properties and relations alike (a relation's value is a link).
   */
  checkWrite(caller: Caller, typeId: string, body: unknown): void {
    const role = roleOf(caller);
    if (role === 'app' || typeof body !== 'object' || body === null || Array.isArray(body)) return;
    const policy = this.policies.get(typeId);
    if (!policy) return;
    const refused = Object.keys(body).filter(
      (key) => key !== 'aps' && policy.members.has(key) && !policy.writable[role].has(key),
    );
    if (refused.length === 0) return;
    throw new ForbiddenError(
      `${capital(ROLE_NAMES[role])} may not write ${refused.map((k) => `"${k}"`).join(', ')} of ${policy.typeName}`,
      refused.map((field) => ({ field, message: `may not be written by ${ROLE_NAMES[role]}` })),
    );
  }

  /** Refuses (403, naming it) reading or changing links through a relation the caller's role may not. */
  checkRelation(caller: Caller, typeId: string, relation: Pick<RelationModel, 'name'>, purpose: Purpose): void {
    const role = roleOf(caller);
    if (role === 'app') return;
    const policy = this.policies.get(typeId);
    if (!policy) return;
    const allowed =
      purpose === 'read' ? !policy.hidden[role].has(relation.name) : policy.writable[role].has(relation.name);
    if (allowed) return;
    throw new ForbiddenError(
      `${capital(ROLE_NAMES[role])} may not ${purpose === 'read' ? 'read' : 'change'} the links of relation "${relation.name}" of ${policy.typeName}`,
      [
        {
          field: relation.name,
          message: `may not be ${purpose === 'read' ? 'read' : 'changed'} by ${ROLE_NAMES[role]}`,
        },
      ],
    );
  }

  /** Refuses (403, naming it) an operation the caller's role may not call. */
  checkOperation(caller: Caller, typeId: string, operation: Pick<OperationModel, 'name' | 'access'>): void {
    const role = roleOf(caller);
    if (role === 'app') return;
    const policy = this.policies.get(typeId);
    if (!policy || policy.mayCall(role, operation)) return;
    throw new ForbiddenError(
      `${capital(ROLE_NAMES[role])} may not call operation "${operation.name}" of ${policy.typeName}`,
      [{ field: operation.name, message: `may not be called by ${ROLE_NAMES[role]}` }],
    );
  }

  /**
   * Refuses (400, naming it) a query that filters or sorts on a property the caller may not read (or
   * an encrypted one): its answers would tell the hidden value. A property name counts as hidden
   * when any type the query may return hides it.
   */
  checkQuery(caller: Caller, query: Pick<ResourceQuery, 'type' | 'where' | 'sort'>): void {
    const role = roleOf(caller);
    if (role === 'app') return;
    const policies =
      query.type === undefined
        ? [...this.policies.values()]
        : [this.policies.get(query.type)].filter((p) => p !== undefined);
    const hidden = (name: string): boolean => policies.some((p) => p.hidden[role].has(name) || p.encrypted.has(name));
    const names = new Set<string>();
    const visit = (c: ResourceCondition): void => {
      if (c.op === 'and' || c.op === 'or') c.of.forEach(visit);
      else if (c.op === 'not') visit(c.of);
      else if ('field' in c) addField(c.field);
    };
    const addField = (field: FieldPath): void => {
      if ('property' in field && field.property[0] !== undefined && hidden(field.property[0]))
        names.add(field.property[0]);
    };
    if (query.where) visit(query.where);
    for (const key of query.sort ?? ([] as readonly SortKey[])) addField(key.field);
    if (names.size === 0) return;
    const list = [...names];
    throw new BadRequestError(
      `The query filters or sorts on ${list.map((n) => `"${n}"`).join(', ')}, which ${ROLE_NAMES[role]} may not read`,
      list.map((field) => ({ field, message: `may not be read by ${ROLE_NAMES[role]}` })),
    );
  }

  /**
   * For an account owner creating a resource: every resource the body (or the parent) links it to
   * must be one the owner reaches (see checkLinkTargets), and one of them must be its account or one
   * of its subscriptions, so that the new resource is the account's (else a 403: the owner would
   * create what it could not see).
   */
  async checkNewResource(
    caller: Caller,
    typeId: string,
    body: unknown,
    parent: { readonly id: string } | undefined,
  ): Promise<void> {
    if (caller.kind !== 'owner' || !this.policies.has(typeId)) return;
    const targets = await this.checkLinkTargets(caller, typeId, body, parent);
    const anchors = await this.ownership.anchors(caller.accountId);
    if ([...targets].some((id) => anchors.has(id))) return;
    throw new ForbiddenError(
      `An account owner creates resources linked to its account (${caller.accountId}) or to one of its subscriptions`,
      [{ field: 'aps', message: 'links the new resource to neither the account nor one of its subscriptions' }],
    );
  }

  /**
   * For an account owner: every resource a create or configure body links to (and the parent) must be
   * one it reaches, else the 404 of a missing one, naming the field: an owner links its resources to
   * its account's, never into another account. Answers the ids linked to.
   */
  async checkLinkTargets(
    caller: Caller,
    typeId: string,
    body: unknown,
    parent?: { readonly id: string },
  ): Promise<ReadonlySet<string>> {
    const policy = this.policies.get(typeId);
    const targets = new Map<string, string>(); // id → the field that names it
    if (parent) targets.set(parent.id, 'parent');
    if (policy && typeof body === 'object' && body !== null) {
      for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
        if (!policy.relations.has(key)) continue;
        const values = Array.isArray(value) ? value : [value];
        values.forEach((v, i) => {
          const id = (v as { aps?: { id?: unknown } } | null)?.aps?.id;
          if (typeof id === 'string') targets.set(id, Array.isArray(value) ? `${key}[${i}].aps.id` : `${key}.aps.id`);
        });
      }
    }
    if (caller.kind !== 'owner') return new Set(targets.keys());
    for (const [id, field] of targets) {
      if ((await this.reads.getResource(id)) === undefined) continue; // the link planner's 400 names it
      if (!(await this.reaches(caller, id, 'read')))
        throw new NotFoundError(`No resource ${id}`, [{ field, message: 'names no existing resource' }]);
    }
    return new Set(targets.keys());
  }
}

function roleIn(caller: Caller): AccessRole {
  const role = roleOf(caller);
  return role === 'app' ? 'admin' : role;
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
