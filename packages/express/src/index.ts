/**
 * @apskit/express: the APS endpoint runtime. `createEndpoint({ services })` gives an express router
 * that a real APS controller (or APSKit's own) can call.
 */
export { createEndpoint, type ApsEndpoint, type EndpointOptions } from './create-endpoint';
export { controllerResourceLoader, type ResourceLoader, type ResourceRequest } from './resources/loader';
export { fingerprintOf, type ClientCertificateOptions } from './security/client-certificate';
export {
  certificateFromHeader,
  peerCertificateReader,
  trustedProxyFromEnv,
  DEFAULT_CERTIFICATE_HEADER,
  TRUSTED_PROXY_ADDRESSES_ENV,
  type IgnoredHeader,
  type PeerCertificate,
  type PeerCertificateOf,
  type TrustedProxyOptions,
} from './security/peer-certificate';
export { ApsHeaders } from './protocol/headers';
export type { ApsCall, ApsReply } from './protocol/call';
export { createDispatcher, type Dispatcher, type DispatchRequest } from './dispatch';
export type { ListenOptions, RunningEndpoint } from './server/listen';
export { sendJson, sendError, errorBody } from './protocol/send';
export { jsonBody, bodyErrors, mayHoldUnsafeKeys } from './server/body';
export { controllerClient, type ControllerClient, type ControllerClientOptions } from './controller-client';
export {
  configureResource,
  saveResource,
  type OwnResource,
  type ResourceWriteOptions,
  type StartedConfigure,
} from './resource-writes';
export { apsFallbacks } from './server/fallbacks';
export { guardProcess } from './server/process-guard';
export { CONTROLLER_URI_ENV } from './controller-uri';
export {
  CREDENTIALS_DIR_ENV,
  fileCredentialStore,
  memoryCredentialStore,
  type CredentialStore,
  type InstanceCredentials,
} from './trust/credential-store';
export type { InstallationOptions, InstallationRequest } from './trust/instance-trust';
export { redactingLoggerOptions } from './trust/redact';
export type { InstanceBinding } from './trust/instance-fetch';
