/** The async-provisioning sample's declarations: the types its endpoint serves. */
import { Globals } from './globals';
import { Provisionable } from './provisionable';

export { Globals, Provisionable };

/** The services the sample's endpoint serves: service name (a URL path segment) → type. */
export const services = { globals: Globals, provisionables: Provisionable };
