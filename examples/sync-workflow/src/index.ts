/** The sync-workflow example: a simulated vendor API, its client, and the seed's operations run synchronously. */
export { Vendor, VendorRefusal, DURATIONS, NO_AUTOMATED_TRIAL } from './vendor/model';
export type { AcceptedAnswer, ErrorEntry, TenantStatus, TenantView, VendorOptions } from './vendor/model';
export { startVendorApi, type RunningVendor } from './vendor/server';
export { VendorApiError, VendorClient, type Accepted, type Call } from './vendor-client';
export { SyncWorkflow, WAITS, type Outcome, type Result, type WorkflowOptions } from './workflow';
export { formatStep, runSeed, type SeedOptions, type Step } from './seed';
