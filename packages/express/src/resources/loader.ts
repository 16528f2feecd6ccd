/**
 * Where the current state of a resource comes from when the request does not carry it (retrieve,
 * configure, unprovision, links, custom operations). As the APS PHP runtime does, the default asks
 * the controller that sent the request: `GET {APS-Controller-URI}/aps/2/resources/{id}`.
 */
import { ApsError, BadRequestError, type ApsRequestContext } from '@apskit/core';

export interface ResourceRequest {
  readonly service: string;
  readonly typeId: string;
  readonly id: string;
  readonly context: ApsRequestContext;
}

/** Resolves to the resource's JSON, or undefined when it is not known (it is then `{aps: {id}}`). */
export type ResourceLoader = (request: ResourceRequest) => Promise<Record<string, unknown> | undefined>;

export function controllerResourceLoader(fetchImpl: typeof fetch = fetch, timeoutMs = 10_000): ResourceLoader {
  return async ({ id, context }) => {
    if (!context.controllerUri) return undefined;
    // A URL resolves "." and ".." (even as %2E) as path steps: such an id would name another API.
    if (id === '.' || id === '..') return undefined;
    const base = context.controllerUri.endsWith('/') ? context.controllerUri : `${context.controllerUri}/`;
    let url: URL;
    try {
      url = new URL(`aps/2/resources/${encodeURIComponent(id)}`, base);
    } catch {
      throw new BadRequestError(`APS-Controller-URI is not a URL: ${context.controllerUri}`);
    }
    let response: Response;
    try {
      response = await fetchImpl(url, {
        headers: context.transactionId ? { 'APS-Transaction-ID': context.transactionId } : {},
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new ApsError(502, 'BadGateway', `Cannot load resource ${id} from the controller: ${(e as Error).message}`);
    }
    if (response.status === 404) return undefined;
    if (!response.ok) {
      throw new ApsError(502, 'BadGateway', `Cannot load resource ${id} from the controller: HTTP ${response.status}`);
    }
    let state: unknown;
    try {
      state = await response.json();
    } catch {
      state = undefined;
    }
    if (state === null || typeof state !== 'object' || Array.isArray(state)) {
      throw new ApsError(
        502,
        'BadGateway',
        `Cannot load resource ${id} from the controller: the answer is not a resource`,
      );
    }
    return state as Record<string, unknown>;
  };
}
