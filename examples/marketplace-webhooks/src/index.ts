/** The marketplace-webhooks example: a provisioner for Acme Notes workspaces and a simulated marketplace. */
export { AccountDirectory, accounts } from './accounts';
export { RenewalTerm, Workspace } from './workspace';
export { Outage, type OutageKind } from './outage';
export { startProvisioner, workspaceOf, type Provisioner, type ProvisionerConfig } from './provisioner';
export {
  DELIVERIES,
  SimulatedMarketplace,
  type AttemptRecord,
  type MarketplaceOptions,
  type Order,
  type RequestRecord,
  type ResultRecord,
} from './marketplace';
export { runDemo, type DemoOptions, type DemoReport, type ScenarioReport } from './demo';

/** The services the provisioner serves: service name → type. */
export { Workspace as default } from './workspace';
