/**
 * @apskit/controller: a local APS controller. It stores resources, calls the endpoint like the
 * platform does, turns each 202 into a task and re-polls the async phase until it ends.
 */
export {
  Controller,
  taskJson,
  type ControllerOptions,
  type OperationResult,
  type KeyValuePort,
  type SubmitOptions,
  type TaskJson,
} from './controller';
export {
  controllerApi,
  DEFAULT_MAX_EVENT_CLIENTS,
  REQUEST_ID_HEADER,
  type ControllerApiOptions,
  type ControllerEvent,
} from './api/controller-api';
export { requestGuard, type RequestGuardOptions } from './api/guard';
export { DEFAULT_MAX_PAGE_BYTES, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './api/paging';
export { consoleRouter } from './console/router';
export { healthApi } from './api/health';
export { controllerOpenApi } from './api/openapi-paths';
export type { EnqueueOptions, JobContext, JobDefinition, JobResult } from './tasks/jobs';
export { serveController, startController, type RunningController, type ServeOptions } from './api/serve';
export type { ServeTlsOption, TlsServerCertificate } from './api/tls-server';
// Who calls the API (issue 18): tokens with roles, and the caller every route reads.
export type { ApiAuthentication } from './api/controller-api';
export type { Caller } from './auth/caller';
export { callerOf } from './auth/request-caller';
export {
  generateToken,
  parseTokensFile,
  readTokensFile,
  tokenFileEntry,
  TokenStore,
  TOKENS_FILE_ENV,
  type TokenDefinition,
  type TokenRole,
  type TokensOption,
} from './auth/tokens';
export { renderResource, type ResourceJson } from './wire/resource-json';
export type { CollectionLinkJson, LinkJson, RelationSelection, SingularLinkJson } from './wire/resource-links';
export { SqliteStore, type SqliteStoreOptions } from './store/sqlite-store';
export { MemoryStore, type MemoryStoreOptions } from './store/memory-store';
// The store contract lives in @apskit/store; it is re-exported so that an app needs one import.
export {
  DEFAULT_MAX_TASK_EVENTS,
  isLifecycle,
  type AttemptOutcome,
  type CompletedAndClaimed,
  type CreateResult,
  type LifecycleOperation,
  type LinkRecord,
  type ResourceQuery,
  type ResourceRecord,
  type ResourceStatus,
  type Store,
  type TaskEvent,
  type TaskEventKind,
  type TaskOperation,
  type TaskQuery,
  type TaskRecord,
  type TaskRequest,
  type TaskStatus,
} from '@apskit/store';
export { Scheduler, type ClaimedResource, type SchedulerOptions } from './tasks/scheduler';
export { HttpTransport, type ClientCertificate, type HttpTransportOptions } from './transport/http-transport';
export {
  ControllerTrust,
  type InstallCredentials,
  type InstanceIdentity,
  type KeyPairPem,
  type PeerCertificateLike,
} from './trust';
export { InProcessTransport } from './transport/in-process-transport';
export { TransportError, type EndpointAnswer, type EndpointRequest, type Transport } from './transport/transport';
