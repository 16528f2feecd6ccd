/** The marketplace-webhooks example: a provisioner for Acme Notes workspaces and a simulated marketplace. */
export { AccountDirectory, accounts, type AccountStore, type ClaimOutcome } from './accounts';
export { RenewalTerm, Workspace } from './workspace';
export { Outage, type OutageKind } from './outage';
export { startProvisioner, workspaceOf, type Provisioner, type ProvisionerConfig } from './provisioner';
export {
  DELIVERIES,
  MAX_ERROR_MESSAGE_UNITS,
  SimulatedMarketplace,
  signDelivery,
  type AttemptRecord,
  type MarketplaceOptions,
  type Order,
  type RequestRecord,
  type ResultPost,
  type ResultRecord,
  type SendOptions,
} from './marketplace';
export { runDemo, type DemoOptions, type DemoReport, type ScenarioReport } from './demo';

/** The services the provisioner serves: service name → type. */
export { Workspace as default } from './workspace';
