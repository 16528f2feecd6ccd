/**
 * What makes a webhook secret usable, checked in one place for every scheme. A secret that decodes
 * to nothing (`whsec_` built from an unset environment variable, a masked `whsec_***`) would make
 * every request signed with the empty key pass, so such secrets are refused when the intake is
 * configured, and the per-request checks skip them as well, should one get past configuration.
 * Problems are described without the secret: error messages end up in logs.
 */

/** The fewest bytes a secret may have once decoded. HMAC-SHA256 keys of Standard Webhooks senders are 24 to 64 bytes. */
export const MIN_SECRET_BYTES = 16;

const WHSEC = 'whsec_';
const BASE64_ALPHABET = /^[A-Za-z0-9+/]*$/;
const SIZE_RULE = `a secret must be at least ${MIN_SECRET_BYTES} bytes`;
const BASE64_RULE =
  'after whsec_ comes the key in standard, padded base64 (A–Z, a–z, 0–9, +, /, then = to a multiple of 4)';

/** A signing key's bytes, or why the secret cannot be one. */
export type Decoded =
  | { readonly key: Buffer; readonly problem?: undefined }
  /** `malformed`: not base64 at all, rather than a key too short. */
  | { readonly problem: string; readonly malformed?: true };

function describeMissing(secret: unknown): string | undefined {
  if (secret === undefined || secret === null)
    return `is ${String(secret)} (is the setting or its environment variable missing?); ${SIZE_RULE}`;
  if (secret === '') return `is empty (is the setting or its environment variable missing?); ${SIZE_RULE}`;
  return undefined;
}

/**
 * Strict base64: only the standard alphabet, padded to a multiple of 4 with at most two `=`, and
 * canonical (the unused bits of the last character are zero), because Node's decoder skips what it
 * does not understand, and a secret it half read would be a weaker key than the one configured.
 */
function base64Problem(text: string): string | undefined {
  if (/\s/.test(text)) return `holds whitespace after whsec_ (a line break read from a file?); ${BASE64_RULE}`;
  const body = text.replace(/={1,2}$/, '');
  if (body.includes('=')) return `has wrong base64 padding after whsec_; ${BASE64_RULE}`;
  if (!BASE64_ALPHABET.test(body)) return `holds a character outside the base64 alphabet after whsec_; ${BASE64_RULE}`;
  if (text.length % 4 !== 0 || Buffer.from(text, 'base64').toString('base64') !== text)
    return `has wrong base64 padding after whsec_; ${BASE64_RULE}`;
  return undefined;
}

/**
 * The HMAC key of a Standard Webhooks secret: `whsec_<base64>` is decoded (strictly), any other
 * string is its UTF-8 bytes, bytes are used as they are. Too short or malformed: a problem.
 */
export function decodeSigningSecret(secret: unknown): Decoded {
  const missing = describeMissing(secret);
  if (missing !== undefined) return { problem: missing };
  if (secret instanceof Uint8Array) {
    if (secret.length < MIN_SECRET_BYTES) return { problem: `is ${secret.length} bytes; ${SIZE_RULE}` };
    return { key: Buffer.from(secret) };
  }
  if (typeof secret !== 'string') return { problem: `must be a string or bytes, not ${typeof secret}` };
  if (secret.startsWith(WHSEC)) {
    const text = secret.slice(WHSEC.length);
    if (text === '')
      return {
        problem: `is "whsec_" with nothing after it, which decodes to 0 bytes (is the variable it is built from unset?); ${SIZE_RULE}`,
      };
    const malformed = base64Problem(text);
    if (malformed !== undefined) return { problem: malformed, malformed: true };
    const key = Buffer.from(text, 'base64');
    if (key.length < MIN_SECRET_BYTES) return { problem: `decodes to ${key.length} bytes; ${SIZE_RULE}` };
    return { key };
  }
  const key = Buffer.from(secret, 'utf8');
  if (key.length < MIN_SECRET_BYTES) return { problem: `is ${key.length} bytes (UTF-8); ${SIZE_RULE}` };
  return { key };
}

/**
 * Why a shared secret (sent as is in a header) is unusable, or undefined. Besides its length: HTTP
 * strips whitespace around a header value and carries only visible ASCII reliably, so a secret with
 * either could never match, and an intake no request can pass is a setting mistake to report now.
 */
export function sharedSecretProblem(secret: unknown): string | undefined {
  const missing = describeMissing(secret);
  if (missing !== undefined) return missing;
  if (typeof secret !== 'string') return `must be a string, not ${typeof secret}`;
  if (/^[\t ]|[\t ]$/.test(secret))
    return 'starts or ends with whitespace, which HTTP strips from a header value: no request could carry it';
  if (/[^\t\x20-\x7e]/.test(secret))
    return 'holds a character other than visible ASCII, space or tab, which a header cannot carry reliably';
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < MIN_SECRET_BYTES) return `is ${bytes} bytes; ${SIZE_RULE}`;
  return undefined;
}
