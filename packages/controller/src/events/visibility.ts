/**
 * Which events a subscriber may hear of. The spec: "To receive event notifications from an event
 * publisher, the event subscriber must either share the same owner with the event publisher, or be
 * linked directly with the event publisher" (docs.cloudblue.com/cbc/sdk/8.2/concepts/events/aps-event,
 * "Visibility Scope"; event-processing: "The event-source resource is linked to the event-target
 * resource directly … The event-source owner has a link to the event-target resource").
 *
 * Owners are issue 18's accounts (access/ownership: a resource belongs to account A when it is A, is
 * linked with A, or is linked with a subscription linked with A). Our rule, where the spec leaves the
 * provider's side open: a subscriber that belongs to no account, and the application's globals (the
 * instance's root), are the provider's and hear of every source; a subscriber of account A hears of
 * the sources of A and of those linked with it directly (either way).
 *
 * Only called when a subscription matches: a change nobody subscribes to costs no query here.
 */
import { CoreTypes, type ApsTypeModel } from '@apskit/core';
import type { LinkRecord, ResourceCondition, ResourceRecord, Store } from '@apskit/store';
import { Ownership } from '../access/ownership';

/** More accounts than this for one subscriber is not a shape we expect; the first ones count. */
const MAX_ACCOUNTS = 100;

export class EventVisibility {
  private readonly ownership: Ownership;
  private readonly accountTypes: readonly string[];
  private readonly subscriptionTypes: readonly string[];
  private readonly providerTypes: ReadonlySet<string>;

  constructor(
    types: readonly ApsTypeModel[],
    private readonly store: Pick<Store, 'listResources'>,
  ) {
    this.ownership = new Ownership(types, store);
    const implementing = (core: string): string[] =>
      types.filter((t) => t.id === core || t.implements.includes(core)).map((t) => t.id);
    this.accountTypes = implementing(CoreTypes.account);
    this.subscriptionTypes = implementing(CoreTypes.subscription);
    this.providerTypes = new Set(implementing(CoreTypes.application));
  }

  /**
   * Whether `subscriber` hears of events of the resource `sourceId`. `pending` are links written in
   * the same step as the event (a registered resource's), not stored yet: they count as stored.
   */
  async sees(subscriber: ResourceRecord, sourceId: string, pending: readonly LinkRecord[] = []): Promise<boolean> {
    if (subscriber.id === sourceId || this.providerTypes.has(subscriber.type)) return true;
    const accounts = await this.accountsOf(subscriber);
    if (accounts.length === 0) return true;
    const joins = (a: string, b: string): boolean =>
      pending.some((l) => (l.from === a && l.to === b) || (l.from === b && l.to === a));
    if (joins(sourceId, subscriber.id) || (await this.matches(sourceId, { op: 'linkedWith', id: subscriber.id })))
      return true;
    for (const account of accounts) {
      if (await this.matches(sourceId, await this.ownership.condition(account))) return true;
      if (pending.length > 0) {
        const anchors = await this.ownership.anchors(account);
        if (anchors.has(sourceId) || [...anchors].some((anchor) => joins(sourceId, anchor))) return true;
      }
    }
    return false;
  }

  /** The accounts the subscriber belongs to (as access/ownership reads it). */
  private async accountsOf(subscriber: ResourceRecord): Promise<string[]> {
    if (this.accountTypes.length === 0) return [];
    if (this.accountTypes.includes(subscriber.type)) return [subscriber.id];
    const near: ResourceCondition[] = [{ op: 'linkedWith', id: subscriber.id }];
    if (this.subscriptionTypes.length > 0) {
      const subscriptions = await this.store.listResources({
        where: {
          op: 'and',
          of: [
            { op: 'typeIn', types: this.subscriptionTypes },
            { op: 'linkedWith', id: subscriber.id },
          ],
        },
        limit: MAX_ACCOUNTS,
      });
      for (const s of subscriptions.items) near.push({ op: 'linkedWith', id: s.id });
    }
    const accounts = await this.store.listResources({
      where: {
        op: 'and',
        of: [
          { op: 'typeIn', types: this.accountTypes },
          { op: 'or', of: near },
        ],
      },
      limit: MAX_ACCOUNTS,
    });
    return accounts.items.map((a) => a.id);
  }

  private async matches(id: string, condition: ResourceCondition): Promise<boolean> {
    const where: ResourceCondition = { op: 'and', of: [{ op: 'eq', field: { aps: 'id' }, value: id }, condition] };
    // The first match, not a count: one statement instead of a page and its total.
    return (await this.store.listResources({ where, limit: 1, total: false })).items.length > 0;
  }
}
