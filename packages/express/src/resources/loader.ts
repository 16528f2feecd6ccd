/**
 * Where the current state of a resource comes from when the request does not carry it (retrieve,
 * configure, unprovision, links, custom operations). As the APS PHP runtime does, the default asks
 * the controller: `GET {controller}/aps/2/resources/{id}`, where the controller is the one the
 * request context names. That is the configured `controllerUri`, or the APS-Controller-URI header of
 * an authenticated request only (see controller-uri.ts): a request with no trusted controller gets
 * no fetch at all, and its resource is `{aps: {id}}`. A request of an installed instance is
 * loaded with mutual TLS, presenting the instance certificate, from the controller URI recorded at
 * installation (see trust/instance-fetch.ts), unless a `fetchImpl` was given explicitly.
 */
import { ApsError, ApsHeader, BadRequestError, type ApsRequestContext } from '@apskit/core';
import { controllerBase, fetchFailure, quote } from '../controller-uri';
import { echoHeaderValue } from '../protocol/headers';
import { instanceBinding } from '../trust/instance-fetch';

export interface ResourceRequest {
  readonly service: string;
  readonly typeId: string;
  readonly id: string;
  readonly context: ApsRequestContext;
}

/** Resolves to the resource's JSON, or undefined when it is not known (it is then `{aps: {id}}`). */
export type ResourceLoader = (request: ResourceRequest) => Promise<Record<string, unknown> | undefined>;

export function controllerResourceLoader(fetchImpl?: typeof fetch, timeoutMs = 10_000): ResourceLoader {
  return async ({ id, context }) => {
    const doFetch = fetchImpl ?? instanceBinding(context)?.fetch ?? fetch;
    if (!context.controllerUri) return undefined;
    // A URL resolves "." and ".." (even as %2E) as path steps: such an id would name another API.
    if (id === '.' || id === '..') return undefined;
    const base = controllerBase(context.controllerUri);
    if (!base) throw new BadRequestError(`APS-Controller-URI is not an http(s) URL: ${quote(context.controllerUri)}`);
    const url = new URL(`aps/2/resources/${encodeURIComponent(id)}`, base);
    const failed = (why: string): ApsError =>
      new ApsError(502, 'BadGateway', `Cannot load resource ${quote(id, 100)} from the controller: ${why}`);
    let response: Response;
    try {
      response = await doFetch(url, {
        headers: context.transactionId ? { [ApsHeader.transactionId]: echoHeaderValue(context.transactionId) } : {},
        // A redirect would send the request (and its transaction ID) wherever the answer says.
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw failed(fetchFailure(e, timeoutMs));
    }
    if (response.status === 404) {
      await response.body?.cancel().catch(() => undefined);
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw failed(`HTTP ${response.status}`);
    }
    let state: unknown;
    try {
      state = await response.json();
    } catch {
      state = undefined;
    }
    if (state === null || typeof state !== 'object' || Array.isArray(state))
      throw failed('the answer is not a resource');
    return state as Record<string, unknown>;
  };
}
