/**
 * Custom operations, forwarded to the endpoint and answered as it answers. Only an operation the
 * resource's type declares is forwarded (or its upgrade, when it has one): any other path, and any
 * `.` or `..` segment however it is encoded, is a 404 and the endpoint is not called. A path that
 * left the resource would reach whatever else the endpoint's host serves, with this controller's
 * headers and client certificate (issue 15 #3).
 */
import { BadRequestError, NotFoundError, RequestPhase, type ApsTypeModel, type OperationModel } from '@apskit/core';
import type { ServiceInfo } from '../registry/service-registry';
import { outgoingHeaders, type CallerIdentity } from '../transport/aps-headers';
import type { EndpointAnswer, EndpointRequest, Transport } from '../transport/transport';

/**
 * Forwards `method` at `path` (relative to the resource, `resize` or `items/abc`, its segments
 * percent-encoded) with `query` (empty or starting with `?`) to the resource's service.
 */
export async function forwardCustomOperation(
  transport: Transport,
  caller: CallerIdentity,
  target: { readonly id: string; readonly info: ServiceInfo },
  request: {
    readonly method: EndpointRequest['method'];
    readonly path: string;
    readonly query: string;
    readonly body: unknown;
  },
): Promise<EndpointAnswer> {
  const { id, info } = target;
  const { method, path, query, body } = request;
  const segments = operationSegments(path);
  if (!segments || !declaresOperation(info.type, method, segments))
    throw new NotFoundError(`${info.type.name} has no operation ${method} ${JSON.stringify(path.slice(0, 200))}`);
  if (query !== '' && !query.startsWith('?'))
    throw new BadRequestError('The query of an operation must start with "?"');
  return transport.call({
    method,
    path: `/${info.service}/${encodeURIComponent(id)}/${segments.map(encodeURIComponent).join('/')}${query}`,
    headers: outgoingHeaders(RequestPhase.sync, caller),
    body,
  });
}

/** How many more times a segment is decoded, looking for what a later hop's decoding would make of it. */
const DECODE_ROUNDS = 4;

/**
 * The decoded segments of an operation path (each percent-encoded), or undefined when one of them
 * is not safe to forward (see safeSegment) or not valid percent-encoding.
 */
function operationSegments(path: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (!safeSegment(segment)) return undefined;
    segments.push(segment);
  }
  return segments;
}

/**
 * Not empty, not `.` or `..`, and without a slash, backslash or NUL: neither as it is nor after any
 * further decoding (`%2e%2E` and `%252e%252e` are dot segments to a server or proxy that decodes
 * once more), since any of these could take the request out of the resource's path.
 */
function safeSegment(segment: string): boolean {
  let value = segment;
  for (let round = 0; round < DECODE_ROUNDS; round++) {
    if (value === '' || value === '.' || value === '..' || /[/\\\0]/.test(value)) return false;
    if (!value.includes('%')) return true;
    try {
      value = decodeURIComponent(value);
    } catch {
      return true; // a literal %, not an encoding: nothing decodes it further
    }
  }
  return false; // still encoded after that many rounds: no operation needs that
}

/** Whether the type declares an instance operation at these segments for this method (or is upgraded by it). */
function declaresOperation(type: ApsTypeModel, method: string, segments: readonly string[]): boolean {
  if (method === 'POST' && segments.length === 1 && segments[0] === 'upgrade' && type.lifecycle.has('upgrade'))
    return true;
  return declaredOperation(type, method, segments) !== undefined;
}

/**
 * The instance operation the type declares at these (decoded) segments for this method, if any: what
 * access rules check before the operation is forwarded.
 */
export function declaredOperation(
  type: ApsTypeModel,
  method: string,
  segments: readonly string[],
): OperationModel | undefined {
  return type.operations.find((op) => {
    if (op.static || op.verb !== method) return false;
    const pattern = op.path.split('/').filter((s) => s !== '');
    if (pattern.length !== segments.length) return false;
    // `{name}` and `:name` are parameters, as the endpoint's route table reads them.
    return pattern.every((p, i) => /^(?::[A-Za-z_]\w*|\{[A-Za-z_]\w*\})$/.test(p) || p === segments[i]);
  });
}
