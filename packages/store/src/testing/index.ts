/**
 * `@apskit/store/testing`: the store contract as a test suite, and record builders for store tests.
 * Any store runs it, in jest (or a runner with jest's globals):
 *
 *     import { runStoreContract } from '@apskit/store/testing';
 *     runStoreContract('my', () => new MyStore());
 */
export { runStoreContract, type StoreFactory } from './contract';
export { exampleEvent, exampleResource, exampleSubscription, exampleTask } from './records';
export { subscriptionsContract } from './subscriptions-contract';
