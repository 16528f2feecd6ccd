/**
 * @apskit/webhooks: marketplace-webhook provisioning on APSKit. A provision notification is
 * acknowledged as soon as it is stored (without judging its content; acknowledgements of a moment in
 * one write), processed as a task of the controller's task engine through the APS lifecycle of a
 * declared type, and answered with one result, for the attempt the marketplace holds; an orphan (a
 * provisioning the marketplace gave up on) is compensated or raised.
 */
export { createWebhooks, type OrphanOptions, type WebhookOptions, type Webhooks } from './webhooks';
export { AckBatch, type IntakePayload, type PendingAcknowledgement } from './ack-batch';
export { AckGate } from './ack-gate';
export { OrphanCounter, ORPHANS_METRIC, type OrphanOutcome } from './orphan-metric';
export type { OrphanPayload } from './jobs/orphan-job';
export {
  startWebhookProvisioner,
  type ControllerApiListener,
  type ProvisionerOptions,
  type RunningProvisioner,
} from './serve';
export { intakeRouter, type Acknowledgement, type IntakeOptions } from './intake';
export {
  REQUEST_TYPES,
  checkEnvelope,
  contentProblem,
  detailIdOf,
  typeLabel,
  isRequestType,
  type EnvelopeCheck,
  type ProvisionAttempt,
  type ProvisionDetail,
  type ProvisionNotification,
  type ProvisionRequest,
  type RequestType,
} from './notification';
export { DEFAULT_REQUEST_HANDLING, type RequestHandling, type ResourceMapper } from './request-types';
export { authenticator, type Authenticate, type WebhookAuthentication } from './authentication/authenticate';
export { decodeSigningSecret, MIN_SECRET_BYTES, sharedSecretProblem, type Decoded } from './authentication/secrets';
export { checkSharedSecret, DEFAULT_SECRET_HEADER, type SharedSecretOptions } from './authentication/shared-secret';
export {
  DEFAULT_TOLERANCE_SECONDS,
  signStandardWebhook,
  standardWebhookHeaders,
  verifyStandardWebhook,
  type HmacOptions,
  type SigningSecret,
} from './authentication/standard-webhooks';
export {
  ResultPoster,
  type PostOutcome,
  type ProvisionResult,
  type ResultsAuthentication,
  type ResultsOptions,
} from './results/result-poster';
export { OAuth2TokenSource, TokenError, type OAuth2ClientCredentials } from './results/oauth2';
export { backoffSeconds, type BackoffOptions } from './results/backoff';
export { cutErrorMessage, MAX_ERROR_MESSAGE } from './results/error-message';
export { WebhookKeys } from './keys';
export type { NotificationPayload } from './jobs/context';
export type { ResultPayload } from './jobs/result-job';
