/**
 * What every APS call carries, as OpenAPI components: the request headers the controller sends, the
 * headers of a `202 Accepted`, and the APS error body with the error answers. The facts are those of
 * docs/endpoint.md; the names are the header names, so that a reader finds them as sent.
 */
import { ApsHeader } from '../protocol/headers';
import { REQUEST_PHASES, RequestPhase } from '../protocol/statuses';
import type { JsonSchema } from '../validation/json-schema';
import type { HeaderObject, ParameterObject, Reference, ResponseObject } from './openapi-document';

/** The controller's request headers, in the order APS lists them. */
const REQUEST_HEADERS: ReadonlyArray<readonly [string, string, JsonSchema?]> = [
  [ApsHeader.controllerUri, 'The controller that sends the request; the runtime loads resources from it.'],
  [ApsHeader.instanceId, 'The application instance the request is for.'],
  [ApsHeader.transactionId, 'The transaction of the request; echoed on the answer.'],
  [
    ApsHeader.requestPhase,
    'The phase: `sync` first; `async` when the controller repeats a request that answered 202 Accepted, ' +
      'which calls the `…Async` method.',
    { type: 'string', enum: [...REQUEST_PHASES], default: RequestPhase.sync },
  ],
  [ApsHeader.identityId, 'The identity the request is made for.'],
  [ApsHeader.actorId, 'The user who started the request.'],
  [ApsHeader.applicationId, 'The application the request is for.'],
  [ApsHeader.version, 'The APS version the controller speaks.'],
];

export const ERROR_SCHEMA = 'aps.Error';

/** The components every document gets: the header parameters, 202 headers, errors. */
export function protocolComponents(): {
  schemas: Record<string, JsonSchema>;
  parameters: Record<string, ParameterObject>;
  headers: Record<string, HeaderObject>;
  responses: Record<string, ResponseObject>;
} {
  const parameters: Record<string, ParameterObject> = {};
  for (const [name, description, schema] of REQUEST_HEADERS) {
    parameters[name] = { name, in: 'header', description, required: false, schema: schema ?? { type: 'string' } };
  }
  const headers: Record<string, HeaderObject> = {
    [ApsHeader.info]: {
      description: 'On 202 Accepted: the message for the task (its description first, its output later).',
      schema: { type: 'string' },
    },
    [ApsHeader.retryTimeout]: {
      description: 'On 202 Accepted: seconds until the controller repeats the request in the async phase.',
      schema: { type: 'integer', minimum: 0 },
    },
    [ApsHeader.transactionId]: {
      description: 'The `APS-Transaction-ID` of the request, echoed.',
      schema: { type: 'string' },
    },
  };
  const schemas: Record<string, JsonSchema> = {
    [ERROR_SCHEMA]: {
      type: 'object',
      description: 'The APS error body; `code` is the HTTP status.',
      properties: {
        code: { type: 'integer' },
        error: { type: 'string', examples: ['BadRequest', 'NotFound', 'Exception'] },
        message: { type: 'string' },
        details: { description: 'For a 400: `[{"field", "message"}]`, one per offending field.' },
      },
      required: ['code', 'error', 'message'],
    },
  };
  const responses: Record<string, ResponseObject> = {};
  for (const [key, description] of ERRORS) responses[key] = errorResponse(description);
  return { schemas, parameters, headers, responses };
}

const ERRORS: ReadonlyArray<readonly [string, string]> = [
  ['aps.BadRequest', 'The request is malformed or fails validation; `details` names every offending field.'],
  ['aps.NotFound', 'No such resource, relation or operation.'],
  ['aps.Conflict', 'The request conflicts with the state of the resource.'],
  ['aps.InternalError', 'The application failed; `message` is the first line of what it threw.'],
  ['aps.NotImplemented', 'An async-phase request for a type without the `…Async` method.'],
];

function errorResponse(description: string): ResponseObject {
  return {
    description,
    headers: answerHeaders(),
    content: { 'application/json': { schema: ref('schemas', ERROR_SCHEMA) } },
  };
}

export function ref(kind: 'schemas' | 'parameters' | 'headers' | 'responses', name: string): Reference {
  return { $ref: `#/components/${kind}/${name}` };
}

/** References to the request header parameters, for an operation's `parameters`. */
export function requestHeaderParameters(): Reference[] {
  return REQUEST_HEADERS.map(([name]) => ref('parameters', name));
}

/** The error answers every APS operation may give, by status. */
export function errorResponses(options: { asyncPhase?: boolean } = {}): Record<string, Reference> {
  const responses: Record<string, Reference> = {
    '400': ref('responses', 'aps.BadRequest'),
    '404': ref('responses', 'aps.NotFound'),
    '409': ref('responses', 'aps.Conflict'),
    '500': ref('responses', 'aps.InternalError'),
  };
  if (options.asyncPhase) responses['501'] = ref('responses', 'aps.NotImplemented');
  return responses;
}

/** Headers of a successful answer. */
export function answerHeaders(): Record<string, Reference> {
  return { [ApsHeader.transactionId]: ref('headers', ApsHeader.transactionId) };
}

/** The `202 Accepted` answer: the resource, and when and why the controller asks again. */
export function acceptedResponse(resource: JsonSchema): ResponseObject {
  return {
    description:
      'Accepted: not done yet. The controller repeats the request with `APS-Request-Phase: async` after ' +
      '`APS-Retry-Timeout` seconds.',
    headers: {
      [ApsHeader.info]: ref('headers', ApsHeader.info),
      [ApsHeader.retryTimeout]: ref('headers', ApsHeader.retryTimeout),
      [ApsHeader.transactionId]: ref('headers', ApsHeader.transactionId),
    },
    content: { 'application/json': { schema: resource } },
  };
}
