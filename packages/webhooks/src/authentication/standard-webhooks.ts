/**
 * HMAC-signed webhooks, the Standard Webhooks way: the sender signs `${webhook-id}.${webhook-timestamp}.${body}`
 * with HMAC-SHA256 and sends `webhook-signature: v1,<base64>` (several space-separated signatures
 * while it rotates its secret). The receiver checks the timestamp against a tolerance, which bounds
 * replays, and compares signatures in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeSigningSecret } from './secrets';

/**
 * A signing secret: `whsec_<base64>` (the Standard Webhooks form, base64-decoded as its libraries
 * do, strictly), any other string (its UTF-8 bytes), or the key bytes. At least 16 bytes once
 * decoded (MIN_SECRET_BYTES): shorter ones are refused when the intake is configured.
 */
export type SigningSecret = string | Uint8Array;

export interface HmacOptions {
  /** The accepted secrets; more than one during a rotation. */
  readonly secrets: readonly SigningSecret[];
  /** How far `webhook-timestamp` may be from now, either way, in seconds. Default 300. */
  readonly toleranceSeconds?: number;
  /** Milliseconds since the epoch; replaceable in tests. */
  readonly clock?: () => number;
}

export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * The key a sender signs with. Senders are not held to the 16-byte minimum (a test may sign with a
 * wrong, short key), but a `whsec_` secret that is not base64 is refused: it names no key at all.
 */
function signingKey(secret: SigningSecret): Buffer {
  const decoded = decodeSigningSecret(secret);
  if (decoded.problem === undefined) return decoded.key;
  if (typeof secret !== 'string') return Buffer.from(secret);
  if (!secret.startsWith('whsec_')) return Buffer.from(secret, 'utf8');
  // Well-formed but short base64 still names a key; anything else does not.
  if (decoded.malformed) throw new Error(`The signing secret cannot be used: ${decoded.problem}`);
  return Buffer.from(secret.slice('whsec_'.length), 'base64');
}

function hmac(key: Buffer, id: string, timestamp: string, body: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(body).digest();
}

/** The `webhook-signature` value for a message: `v1,<base64>`. For senders, and for tests. */
export function signStandardWebhook(
  secret: SigningSecret,
  id: string,
  timestamp: number,
  body: string | Uint8Array,
): string {
  return `v1,${hmac(signingKey(secret), id, String(timestamp), body).toString('base64')}`;
}

/** The three headers of a signed webhook, for senders (the simulated marketplace, tests). */
export function standardWebhookHeaders(
  secret: SigningSecret,
  id: string,
  body: string | Uint8Array,
  timestamp: number = Math.floor(Date.now() / 1000),
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signStandardWebhook(secret, id, timestamp, body),
  };
}

function header(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Why the request fails the check, or undefined when it passes. */
export function verifyStandardWebhook(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: Uint8Array,
  options: HmacOptions,
): string | undefined {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  const missing = [
    ['webhook-id', id],
    ['webhook-timestamp', timestamp],
    ['webhook-signature', signatures],
  ]
    .filter(([, v]) => v === undefined || v === '')
    .map(([n]) => n);
  if (missing.length > 0) return `Missing the signature header${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
  if (!/^\d{1,12}$/.test(timestamp as string)) return 'webhook-timestamp must be a Unix time in seconds';
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = Math.floor((options.clock ?? Date.now)() / 1000);
  const skew = now - Number(timestamp);
  if (Math.abs(skew) > tolerance)
    return `webhook-timestamp is ${Math.abs(skew)} s ${skew > 0 ? 'old' : 'in the future'}: the tolerance is ${tolerance} s`;

  const given = (signatures as string)
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  if (given.length === 0) return 'webhook-signature has no v1 signature';
  // Every pair is compared, matched or not, so that timing does not tell which one matched. A
  // secret that configuration would refuse (empty, short, not base64) is no key: it never matches,
  // so that a request signed with the empty key cannot pass even where the start check was skipped.
  let matched = false;
  for (const secret of options.secrets) {
    const decoded = decodeSigningSecret(secret);
    if (decoded.problem !== undefined) continue;
    const expected = hmac(decoded.key, id as string, timestamp as string, body);
    for (const signature of given)
      matched = (signature.length === expected.length && timingSafeEqual(signature, expected)) || matched;
  }
  return matched ? undefined : 'No webhook-signature matches the message with an accepted secret';
}
