/** The PASubscription example: the published type with working custom operations. */
import { defineApp } from '@apskit/core';
import { PASubscription } from './pa-subscription';
import { Website } from './website';

export { PASubscription, Website };
export { ActivationStructure, ProvisioningState, SubscriptionResourceLimit } from './structures';
export { SERVICE_TEMPLATES } from './pa-subscription';

/** The services its endpoint serves. */
export const services = { subscriptions: PASubscription, websites: Website };

/** The example as an APS application, for `apskit package` and `apskit deploy`. */
export const app = defineApp({
  id: 'http://example.com/apskit/pa-subscription',
  name: 'pa-subscription',
  version: '1.0',
  release: '0',
  vendor: { name: 'APSKit examples' },
  packager: { name: 'APSKit' },
  summary: 'Subscriptions with custom operations.',
  description:
    'The PASubscription type as the APS reference publishes it, with working custom operations, and the ' +
    'websites of a subscription.',
  license: { name: 'MIT License', url: 'https://opensource.org/licenses/MIT' },
  services,
  // Website declares no `doc`, so its summary is given here.
  servicePresentation: { websites: { name: 'Website', summary: 'A website of a subscription' } },
});
