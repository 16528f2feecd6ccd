import { ApsHeader, ApsHeaderKey } from '@apskit/core';

/**
 * The APS headers, as the controller sends them (lower-cased, as Node presents incoming headers) and
 * as the endpoint answers with them. Kept for the package's public API; the names themselves are
 * core's (`ApsHeader`, `ApsHeaderKey`), which this package's own code uses directly.
 */
export const ApsHeaders = {
  controllerUri: ApsHeaderKey.controllerUri,
  instanceId: ApsHeaderKey.instanceId,
  transactionId: ApsHeaderKey.transactionId,
  requestPhase: ApsHeaderKey.requestPhase,
  identityId: ApsHeaderKey.identityId,
  actorId: ApsHeaderKey.actorId,
  applicationId: ApsHeaderKey.applicationId,
  version: ApsHeaderKey.version,
  /** On a 202: the message for the task (its description first, its output later). */
  info: ApsHeader.info,
  /** On a 202: seconds until the controller calls the async phase. */
  retryTimeout: ApsHeader.retryTimeout,
  transactionIdOut: ApsHeader.transactionId,
} as const;

/**
 * The most bytes a header value built from app or request data may take. HTTP clients refuse a
 * whole answer whose headers pass their limit (16 KiB in Node's), so a long message would turn a
 * 202 into a failed call; 4 KiB of task message is plenty.
 */
export const MAX_HEADER_BYTES = 4096;

// Control characters (C0 but tab, DEL, C1): Node's setHeader throws on C0 and DEL (CR and LF would
// end the header), and C1 has no business in a one-line message. A run of them becomes one space.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f]+/g;
// eslint-disable-next-line no-control-regex
const CONTROLS_BUT_C1 = /[\x00-\x08\x0a-\x1f\x7f]+/g;
const PRINTABLE_ASCII = /^[\x20-\x7e\t]*$/;

/**
 * A header value from text (an `Accepted` message, say) as it goes on the wire, never one Node
 * refuses. Node accepts only Latin-1 in headers; the bytes of a UTF-8 message are passed through as
 * Latin-1 characters, so the controller receives the UTF-8 the APS PHP runtime would send (UTF-8
 * encodes no character as a byte below 0x80, so this adds no control byte). Control characters,
 * line breaks included, are replaced by a space, never percent-encoded: APS-Info is text shown to
 * people, and the controller does not decode escapes. Longer than MAX_HEADER_BYTES, the value is
 * cut at a character boundary and ends with "…".
 */
export function headerValue(text: string): string {
  const oneLine = String(text).replace(CONTROLS, ' ');
  if (PRINTABLE_ASCII.test(oneLine)) return oneLine.length > MAX_HEADER_BYTES ? cut(oneLine) : oneLine;
  const bytes = Buffer.from(oneLine, 'utf8');
  return (bytes.length > MAX_HEADER_BYTES ? Buffer.from(cut(oneLine), 'utf8') : bytes).toString('latin1');
}

/**
 * A request header value echoed back (APS-Transaction-ID). Node gives incoming header bytes as
 * Latin-1 characters; sent back as they are, the caller gets its own bytes. Control characters
 * become spaces as in headerValue; a character past Latin-1 (only a caller in process can pass one)
 * goes as its UTF-8 bytes.
 */
export function echoHeaderValue(raw: string): string {
  const clean = String(raw).replace(CONTROLS_BUT_C1, ' ');
  // eslint-disable-next-line no-control-regex
  const value = /^[\x00-\xff]*$/.test(clean) ? clean : Buffer.from(clean, 'utf8').toString('latin1');
  return value.length > MAX_HEADER_BYTES ? value.slice(0, MAX_HEADER_BYTES) : value;
}

/** The first code points of `text` whose UTF-8 fits MAX_HEADER_BYTES with the final "…" (3 bytes). */
function cut(text: string): string {
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > MAX_HEADER_BYTES - 3) break;
    bytes += size;
    end += ch.length;
  }
  return `${text.slice(0, end)}…`;
}
