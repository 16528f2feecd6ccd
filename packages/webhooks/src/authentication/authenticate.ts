/**
 * How incoming webhooks are authenticated: a shared secret in a header, HMAC signatures, or both.
 * An intake without any is refused when it is created, so that an open endpoint is a decision
 * (`none: true`, for demos and tests) rather than an omission.
 */
import { decodeSigningSecret, sharedSecretProblem } from './secrets';
import { checkSharedSecret, type SharedSecretOptions } from './shared-secret';
import { verifyStandardWebhook, type HmacOptions } from './standard-webhooks';

export interface WebhookAuthentication {
  /** A shared secret in a configurable header, compared in constant time. */
  readonly sharedSecret?: SharedSecretOptions;
  /** Standard Webhooks HMAC signatures (`webhook-id`, `webhook-timestamp`, `webhook-signature`). */
  readonly hmac?: HmacOptions;
  /** Accept webhooks without authentication: only for demos and tests. */
  readonly none?: true;
}

/** Why a request is refused (answered 401), or undefined when it may pass. */
export type Authenticate = (
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: Uint8Array,
) => string | undefined;

/**
 * Checks the settings and gives the check to run per request. Every secret is checked here, at
 * configuration time, so that a missing or mangled one stops the start instead of opening the
 * intake: `setting` is how the options are named in the messages (`webhooks.authentication` for
 * startWebhookProvisioner).
 */
export function authenticator(
  options: WebhookAuthentication | undefined,
  setting: string = 'authentication',
): Authenticate {
  const { sharedSecret, hmac } = options ?? {};
  if (!sharedSecret && !hmac && options?.none !== true)
    throw new Error(
      `Webhooks must be authenticated: give ${setting}.sharedSecret, ${setting}.hmac, or both ` +
        `(${setting}.none: true turns this off, for demos and tests)`,
    );
  if (sharedSecret) checkSecrets(`${setting}.sharedSecret.secrets`, sharedSecret.secrets, sharedSecretProblem);
  if (hmac) {
    checkSecrets(`${setting}.hmac.secrets`, hmac.secrets, (s) => decodeSigningSecret(s).problem);
    const tolerance = hmac.toleranceSeconds;
    // NaN or Infinity would let any timestamp pass: replays without bound.
    if (tolerance !== undefined && !(Number.isFinite(tolerance) && tolerance > 0))
      throw new Error(`${setting}.hmac.toleranceSeconds must be a positive number of seconds`);
  }
  // With both configured, both must pass.
  return (headers, body) =>
    (sharedSecret && checkSharedSecret(headers, sharedSecret)) ||
    (hmac && verifyStandardWebhook(headers, body, hmac)) ||
    undefined;
}

/** Every secret of a list (a rotation holds several) must be usable; a message names the first that is not, never its value. */
function checkSecrets(name: string, secrets: unknown, problem: (secret: unknown) => string | undefined): void {
  if (!Array.isArray(secrets)) throw new Error(`${name} must be a list of secrets`);
  if (secrets.length === 0) throw new Error(`${name} is empty: give at least one secret`);
  secrets.forEach((secret: unknown, i) => {
    const why = problem(secret);
    if (why !== undefined) throw new Error(`${name}[${i}]: the secret ${why}`);
  });
}
