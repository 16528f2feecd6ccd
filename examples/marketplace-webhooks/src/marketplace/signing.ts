/**
 * How the simulated marketplace signs a notification, written from the Standard Webhooks
 * specification (https://www.standardwebhooks.com/, "Signature scheme") and nothing else: it shares
 * no code with @apskit/webhooks, as another company's marketplace would not, so that a mistake in
 * APSKit's verification shows up as a refused delivery instead of agreeing with itself.
 *
 *   webhook-id: <message id>
 *   webhook-timestamp: <Unix seconds>
 *   webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">
 *
 * A secret written `whsec_<base64>` is the base64-decoded key, as the specification's libraries
 * take it; any other string is used as its UTF-8 bytes.
 */
import { createHmac } from 'node:crypto';

export interface SignedHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

function keyOf(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret);
}

/** The three headers of a signed delivery of `body` (the exact bytes sent). */
export function signDelivery(
  secret: string,
  messageId: string,
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
): SignedHeaders {
  const signature = createHmac('sha256', keyOf(secret)).update(`${messageId}.${timestamp}.${body}`).digest('base64');
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${signature}`,
  };
}
