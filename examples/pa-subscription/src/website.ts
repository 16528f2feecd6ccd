import { ApsType, CoreTypes, Property, Relation } from '@apskit/core';
import { PASubscription } from './pa-subscription';

/** A website of a subscription: what relates the application to the subscription in this example. */
@ApsType({ name: 'paWebsite', id: 'http://parallels.com/aps/types/pa/website/1.0', implements: [CoreTypes.resource] })
export class Website {
  @Property({ required: true, doc: 'The domain the website answers for' })
  domain!: string;

  @Relation(() => PASubscription, { required: true, doc: 'The subscription the website belongs to' })
  subscription?: PASubscription;
}
