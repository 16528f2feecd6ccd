/**
 * Which APS resource a marketplace subscription is. An Update or a Deprovision names the
 * subscription, not the resource, and nothing else in the controller maps one to the other, so the
 * mapping is kept through the controller's key-value port, in its store (one durable write, made as
 * soon as the resource exists and made again, idempotently, whenever processing runs again after a
 * crash).
 */
import type { KeyValuePort } from '@apskit/controller';
import type { WebhookKeys } from './keys';

export class SubscriptionIndex {
  constructor(
    private readonly values: KeyValuePort,
    private readonly keys: WebhookKeys,
  ) {}

  async resourceOf(subscriptionKey: string | undefined): Promise<string | undefined> {
    if (subscriptionKey === undefined) return undefined;
    const id = await this.values.get(this.keys.subscription(subscriptionKey));
    return id === '' ? undefined : id;
  }

  async remember(subscriptionKey: string | undefined, resourceId: string): Promise<void> {
    if (subscriptionKey === undefined) return;
    if ((await this.resourceOf(subscriptionKey)) === resourceId) return;
    await this.values.set(this.keys.subscription(subscriptionKey), resourceId);
  }
}
