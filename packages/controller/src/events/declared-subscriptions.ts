/**
 * The event subscriptions a type declares (`@OnEvent`, ApsTypeModel.subscriptions) as the records a
 * new resource of that type is stored with. APS has no schema field for them: the PHP runtime
 * subscribes in `provision()` (docs.cloudblue.com/cbc/sdk/8.2/concepts/events/aps-event/event-subscriptions/);
 * the controller does it for the app, in the same step that stores the resource.
 *
 * Ids are deterministic (a UUID made from the subscriber, handler, event, source and relation), so
 * adding the same declared subscription again is a no-op (`Store.addSubscription` leaves a stored id
 * as it is): a retried registration cannot store it twice.
 */
import { createHash } from 'node:crypto';
import type { ApsTypeModel, DeclaredSubscription } from '@apskit/core';
import type { SubscriptionRecord } from '@apskit/store';

/** The subscriptions `type` declares, for its new resource `subscriberId`, created at `now`. */
export function declaredSubscriptions(
  type: Pick<ApsTypeModel, 'subscriptions'>,
  subscriberId: string,
  now: number,
): SubscriptionRecord[] {
  return type.subscriptions.map((s) => ({
    id: declaredSubscriptionId(subscriberId, s),
    subscriberId,
    event: s.event,
    sourceType: s.source.type,
    sourceId: null,
    relation: s.relation ?? null,
    handler: s.handler,
    declared: true,
    createdAt: now,
  }));
}

/**
 * A UUID-shaped digest (RFC 9562 version 8, "custom": the bits are SHA-256's) of what makes a
 * declared subscription itself: the same inputs always give the same id, different ones never
 * collide in practice.
 */
export function declaredSubscriptionId(subscriberId: string, s: DeclaredSubscription): string {
  const digest = createHash('sha256')
    .update(
      JSON.stringify([
        'apskit-declared-subscription',
        subscriberId,
        s.handler,
        s.event,
        s.source.type,
        s.relation ?? null,
      ]),
    )
    .digest();
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x80; // version 8
  b[8] = (b[8] & 0x3f) | 0x80; // the RFC variant
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
