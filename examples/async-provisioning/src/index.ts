/** The async-provisioning sample's declarations: the types its endpoint serves. */
export { Globals } from './globals';
export { Provisionable } from './provisionable';
