import { Accepted, ApsType, CoreTypes, Relation } from '@apskit/core';
import { Globals } from './globals';

/**
 * A dummy resource that does nothing but provision itself asynchronously, as the APS sample does.
 */
@ApsType({
  name: 'provisionable',
  id: 'http://aps-standard.org/samples/async-provisioning/provisionable/1.0',
  implements: [CoreTypes.resource],
  doc: 'A resource that provisions itself asynchronously.',
})
export class Provisionable {
  /** Heads or tails; replace it to make provisioning deterministic (in tests, say). */
  static flipCoin: () => boolean = () => Math.random() < 0.5;

  @Relation(() => Globals, { required: true, doc: 'The application instance' })
  globals?: Globals;

  provision(): void {
    // Throwing Accepted answers 202 Accepted and starts the asynchronous phase: the controller
    // calls provisionAsync() again in 30 seconds.
    throw new Accepted(this, 'Provisioning the resource', 30);
  }

  provisionAsync(): void {
    // Heads: not done yet, check back in 30 seconds. Tails: returning is success.
    if (Provisionable.flipCoin()) throw new Accepted(this, 'Still provisioning', 30);
  }
}
