/**
 * A shared secret in a header, as marketplaces send it (the header name is configured on both
 * sides). Several secrets may be accepted at once, so that a secret is rotated without downtime.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { sharedSecretProblem } from './secrets';

export interface SharedSecretOptions {
  /** The header that carries the secret. Default `x-webhook-secret`. */
  readonly header?: string;
  /**
   * The accepted secrets: the current one, and during a rotation the next (or previous) one. Each
   * at least 16 bytes of visible ASCII, refused when the intake is configured otherwise.
   */
  readonly secrets: readonly string[];
}

export const DEFAULT_SECRET_HEADER = 'x-webhook-secret';

// Digests have one length whatever the secrets' lengths, so the comparison leaks neither the
// secret nor its length, and timingSafeEqual (which needs equal lengths) always applies.
const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Why the request fails the check, or undefined when it passes. */
export function checkSharedSecret(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  options: SharedSecretOptions,
): string | undefined {
  const name = (options.header ?? DEFAULT_SECRET_HEADER).toLowerCase();
  const value = headers[name];
  const given = Array.isArray(value) ? value[0] : value;
  if (given === undefined || given === '') return `Missing the shared secret header ${name}`;
  const mine = digest(given);
  // Every secret is compared, matched or not, so that timing does not tell which one matched. One
  // that configuration would refuse (empty, short) never matches, even where that check was skipped.
  let matched = false;
  for (const secret of options.secrets)
    if (sharedSecretProblem(secret) === undefined) matched = timingSafeEqual(mine, digest(secret)) || matched;
  return matched ? undefined : `The shared secret in header ${name} is not an accepted one`;
}
