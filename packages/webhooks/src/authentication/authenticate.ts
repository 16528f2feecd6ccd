/**
 * How incoming webhooks are authenticated: a shared secret in a header, HMAC signatures, or both.
 * An intake without any is refused when it is created, so that an open endpoint is a decision
 * (`none: true`, for demos and tests) rather than an omission.
 */
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

export function authenticator(options: WebhookAuthentication | undefined): Authenticate {
  const { sharedSecret, hmac } = options ?? {};
  if (!sharedSecret && !hmac && options?.none !== true)
    throw new Error(
      'Webhooks must be authenticated: give authentication.sharedSecret, authentication.hmac, or both ' +
        '(authentication.none: true turns this off, for demos and tests)',
    );
  // An empty secret is a missing setting, not a secret: refused, rather than an intake anyone can sign for.
  const lists: ReadonlyArray<readonly [string, readonly (string | Uint8Array)[] | undefined]> = [
    ['sharedSecret', sharedSecret?.secrets],
    ['hmac', hmac?.secrets],
  ];
  for (const [name, secrets] of lists) {
    if (secrets === undefined) continue;
    if (secrets.length === 0) throw new Error(`authentication.${name}.secrets is empty: give at least one secret`);
    if (secrets.some((s) => s.length === 0))
      throw new Error(`authentication.${name}.secrets holds an empty secret: is a setting missing?`);
  }
  // With both configured, both must pass.
  return (headers, body) =>
    (sharedSecret && checkSharedSecret(headers, sharedSecret)) ||
    (hmac && verifyStandardWebhook(headers, body, hmac)) ||
    undefined;
}
