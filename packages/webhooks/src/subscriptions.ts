/**
 * Which APS resource a marketplace subscription is. An Update or a Deprovision names the
 * subscription, not the resource, and nothing else in the controller maps one to the other, so the
 * mapping is kept in the store's meta table (one durable write, made as soon as the resource exists
 * and made again, idempotently, whenever processing runs again after a crash).
 */
import type { Store } from '@apskit/controller';
import type { WebhookKeys } from './keys';

export class SubscriptionIndex {
  constructor(
    private readonly store: Store,
    private readonly keys: WebhookKeys,
  ) {}

  async resourceOf(subscriptionKey: string | undefined): Promise<string | undefined> {
    if (subscriptionKey === undefined) return undefined;
    const id = await this.store.getMeta(this.keys.subscription(subscriptionKey));
    return id === '' ? undefined : id;
  }

  async remember(subscriptionKey: string | undefined, resourceId: string): Promise<void> {
    if (subscriptionKey === undefined) return;
    if ((await this.resourceOf(subscriptionKey)) === resourceId) return;
    await this.store.setMeta(this.keys.subscription(subscriptionKey), resourceId);
  }
}
