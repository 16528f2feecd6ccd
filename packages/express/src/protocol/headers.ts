/** The APS headers, as the controller sends them and the endpoint answers with them. */
export const ApsHeaders = {
  controllerUri: 'aps-controller-uri',
  instanceId: 'aps-instance-id',
  transactionId: 'aps-transaction-id',
  requestPhase: 'aps-request-phase',
  identityId: 'aps-identity-id',
  actorId: 'aps-actor-id',
  applicationId: 'aps-application-id',
  version: 'aps-version',
  /** On a 202: the message for the task (its description first, its output later). */
  info: 'APS-Info',
  /** On a 202: seconds until the controller calls the async phase. */
  retryTimeout: 'APS-Retry-Timeout',
  transactionIdOut: 'APS-Transaction-ID',
} as const;

/**
 * A header value as it goes on the wire. Node accepts only Latin-1 in headers; the bytes of a UTF-8
 * message are passed through as Latin-1 characters, so the controller receives the UTF-8 the APS PHP
 * runtime would send. Line breaks would end the header, so they become spaces.
 */
export function headerValue(text: string): string {
  const oneLine = text.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e\t]*$/.test(oneLine) ? oneLine : Buffer.from(oneLine, 'utf8').toString('latin1');
}
