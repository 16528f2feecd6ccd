/** The PASubscription example: the published type with working custom operations. */
import { PASubscription } from './pa-subscription';
import { Website } from './website';

export { PASubscription, Website };
export { ActivationStructure, ProvisioningState, SubscriptionResourceLimit } from './structures';
export { SERVICE_TEMPLATES } from './pa-subscription';

/** The services its endpoint serves. */
export const services = { subscriptions: PASubscription, websites: Website };
