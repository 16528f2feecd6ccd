/**
 * The simulated marketplace: another company's side of the webhooks, written from the seed and the
 * Standard Webhooks specification, sharing no code with APSKit (test/marketplace-independence.test.ts).
 */
export {
  DELIVERIES,
  SimulatedMarketplace,
  type AttemptRecord,
  type MarketplaceOptions,
  type Order,
  type RequestRecord,
  type ResultPost,
  type ResultRecord,
  type SendOptions,
} from './marketplace';
export { MAX_ERROR_MESSAGE_UNITS, readResult, type ResultBody } from './result-rules';
export { signDelivery, type SignedHeaders } from './signing';
