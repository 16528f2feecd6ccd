import { ApsType, CoreTypes, Relation } from '@apskit/core';
import { Provisionable } from './provisionable';

/**
 * The application instance's root resource. In APS every application has one: the platform creates
 * it with the instance, and the app's other resources hang off it.
 */
@ApsType({
  name: 'globals',
  id: 'http://aps-standard.org/samples/async-provisioning/globals/1.0',
  implements: [CoreTypes.application],
  doc: 'The application instance of the async-provisioning sample.',
})
export class Globals {
  // `() => Provisionable` is read only when the model is built, after both files have loaded, so the
  // two files may import each other.
  @Relation(() => Provisionable, { collection: true, doc: 'Provisionables of the instance' })
  provisionables?: Provisionable[];
}
