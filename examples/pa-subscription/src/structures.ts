import { Property, Structure } from '@apskit/core';

@Structure({ doc: 'Structure for resource limits' })
export class SubscriptionResourceLimit {
  @Property({ type: 'integer', required: true, doc: 'Internal resource id' })
  resourceId!: number;

  @Property({ type: 'integer', required: true, doc: 'Resource Limit' })
  resourceLimit!: number;
}

@Structure({ doc: 'Structure for activation parameters' })
export class ActivationStructure {
  @Property({ doc: 'Domain aps id for binding services to domain' })
  domainApsId?: string;

  @Property({ items: SubscriptionResourceLimit, doc: 'Limit of resources to provide' })
  subscriptionResourceLimits?: SubscriptionResourceLimit[];

  @Property({ items: String, doc: 'APS defaults structure for activation subscription with provisioning parameters' })
  apsDefaults?: string[];
}

@Structure({ doc: 'Current subscription provisioning state structure' })
export class ProvisioningState {
  @Property({ doc: 'Current provisioning state of the subscription' })
  state?: string;

  @Property({ doc: 'If provisioning is failed this field will contains error message' })
  message?: string;
}
