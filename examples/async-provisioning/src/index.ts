/** The async-provisioning sample's declarations: the types its endpoint serves. */
import { defineApp } from '@apskit/core';
import { Globals } from './globals';
import { Provisionable } from './provisionable';

export { Globals, Provisionable };

/** The services the sample's endpoint serves: service name (a URL path segment) → type. */
export const services = { globals: Globals, provisionables: Provisionable };

/**
 * The sample as an APS application: what `apskit package` writes into APP-META.xml, and what
 * `apskit deploy` serves. Each service's name and summary come from its type (`name`, `doc`).
 */
export const app = defineApp({
  id: 'http://aps-standard.org/samples/async-provisioning',
  name: 'async-provisioning',
  version: '1.0',
  release: '0',
  vendor: { name: 'APSKit examples' },
  packager: { name: 'APSKit' },
  summary: 'Provisions resources asynchronously.',
  description:
    'A basic package with two resources, globals and provisionable. A provisionable provisions itself ' +
    'asynchronously: provision() answers 202 Accepted, and the controller checks back every 30 seconds ' +
    'until provisionAsync() says it is done.',
  license: { name: 'MIT License', url: 'https://opensource.org/licenses/MIT' },
  changelog: [{ version: '1.0', release: '0', entries: ['The sample, declared with APSKit.'] }],
  services,
});
