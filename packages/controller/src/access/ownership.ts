/**
 * Which resources belong to an account, as a condition the store runs (so that a list's paging and
 * total count only what the owner reaches; nothing is filtered out of a page afterwards).
 *
 * On the platform a resource is created in an account's subscription and belongs to that account
 * (kb.odin.com/en/118247: under an account's identity, "all account resources are available").
 * This controller has no subscriptions of its own, so it reads ownership from links (our rule, in
 * docs/security.md "Access rules"): a resource belongs to account A when it is A, when a link joins
 * it and A (either way, through any relation: its `account` relation, or the account's collection of
 * it), or when a link joins it and a resource implementing the core subscription type that a link
 * joins with A (the subscription's account). Only subscriptions carry ownership one step further:
 * a shared resource (a plan, the application's globals) linked with several accounts passes none of
 * them on to what links to it.
 */
import { CoreTypes, type ApsTypeModel } from '@apskit/core';
import type { ResourceCondition, ResourceQuery, ResourceRecord } from '@apskit/store';

/** The store's reads ownership needs. */
export interface OwnershipReads {
  listResources(query: ResourceQuery): Promise<{ items: ResourceRecord[]; total: number }>;
}

/** More subscriptions than this for one account is not a shape this controller expects: a clear error. */
const MAX_SUBSCRIPTIONS = 1000;

export class Ownership {
  private readonly subscriptionTypes: readonly string[];

  constructor(
    types: readonly ApsTypeModel[],
    private readonly reads: OwnershipReads,
  ) {
    this.subscriptionTypes = types
      .filter((t) => t.id === CoreTypes.subscription || t.implements.includes(CoreTypes.subscription))
      .map((t) => t.id);
  }

  /** The resources of `accountId`: itself, those linked with it, and those linked with its subscriptions. */
  async condition(accountId: string): Promise<ResourceCondition> {
    const own: ResourceCondition[] = [
      { op: 'eq', field: { aps: 'id' }, value: accountId },
      { op: 'linkedWith', id: accountId },
    ];
    if (this.subscriptionTypes.length === 0) return { op: 'or', of: own };
    const subscriptions = await this.reads.listResources({
      where: {
        op: 'and',
        of: [
          { op: 'typeIn', types: this.subscriptionTypes },
          { op: 'linkedWith', id: accountId },
        ],
      },
      limit: MAX_SUBSCRIPTIONS + 1,
    });
    if (subscriptions.total > MAX_SUBSCRIPTIONS)
      throw new Error(`Account ${accountId} has more than ${MAX_SUBSCRIPTIONS} subscriptions`);
    return {
      op: 'or',
      of: [...own, ...subscriptions.items.map((s): ResourceCondition => ({ op: 'linkedWith', id: s.id }))],
    };
  }

  /** The ids a new resource of `accountId` may be anchored to: the account and its subscriptions. */
  async anchors(accountId: string): Promise<ReadonlySet<string>> {
    const anchors = new Set([accountId]);
    if (this.subscriptionTypes.length === 0) return anchors;
    const subscriptions = await this.reads.listResources({
      where: {
        op: 'and',
        of: [
          { op: 'typeIn', types: this.subscriptionTypes },
          { op: 'linkedWith', id: accountId },
        ],
      },
      limit: MAX_SUBSCRIPTIONS,
    });
    for (const s of subscriptions.items) anchors.add(s.id);
    return anchors;
  }
}
