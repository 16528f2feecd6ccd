/**
 * What the endpoint's logger never writes: an installation's `aps.x509` (it holds the instance's
 * private key) and any PEM private key wherever it appears, in a logged object or in a message.
 * The endpoint itself never logs a body; this guards against a body (or an error quoting one) that
 * reaches the logger some other way, an app's own `ctx.logger.info({ body })` included.
 */
import type { LoggerOptions } from 'pino';

const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
export const REDACTED = '[redacted]';

/** Paths pino removes from every logged object. */
export const REDACT_PATHS = [
  'aps.x509',
  '*.aps.x509',
  '*.*.aps.x509',
  'x509',
  '*.x509',
  'instanceKey',
  '*.instanceKey',
  'privateKey',
  '*.privateKey',
];

/** A string with every PEM private key replaced by `[redacted]`. */
export function scrubText(text: string): string {
  return text.includes('PRIVATE KEY-----') ? text.replace(PEM_PRIVATE_KEY, REDACTED) : text;
}

/** A copy of `value` with PEM private keys scrubbed from its strings (objects and arrays to a few levels). */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) return value; // pino's serializer reads it; messages are scrubbed in logMethod.
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, depth + 1);
  return out;
}

/** pino options that keep keys out of the log: redaction of the known paths, scrubbing of PEM keys. */
export function redactingLoggerOptions(): Pick<LoggerOptions, 'redact' | 'formatters' | 'hooks'> {
  return {
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    formatters: { log: (object) => scrubValue(object) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as Parameters<typeof method>;
        method.apply(this, scrubbed);
      },
    },
  };
}
