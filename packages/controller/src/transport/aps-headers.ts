/**
 * The APS headers of every call the controller makes to the endpoint, as the platform sends them:
 * the phase, a new transaction id per call, the application instance, the protocol version, and
 * where the controller is when it knows.
 */
import { randomUUID } from 'node:crypto';
import { APS_PROTOCOL_VERSION, ApsHeader, type RequestPhase } from '@apskit/core';

/** Who is calling (the controller reads it afresh for each call: the instance id is known once started). */
export interface CallerIdentity {
  readonly instanceId: string;
  readonly controllerUri: string | undefined;
}

export function outgoingHeaders(phase: RequestPhase, caller: CallerIdentity): Record<string, string> {
  const h: Record<string, string> = {
    [ApsHeader.requestPhase]: phase,
    [ApsHeader.transactionId]: randomUUID(),
    [ApsHeader.instanceId]: caller.instanceId,
    [ApsHeader.version]: APS_PROTOCOL_VERSION,
  };
  if (caller.controllerUri) h[ApsHeader.controllerUri] = caller.controllerUri;
  return h;
}
