/**
 * The components the controller's API adds to an endpoint's OpenAPI document (see openapi-paths.ts):
 * its resource and task JSON, its header parameters and answer headers, and its error answers. Every
 * status, header name and request-id rule comes from core's protocol module, so the document says
 * what the code checks.
 */
import {
  APS_ERROR_SCHEMA,
  ApsHeader,
  Events,
  LIFECYCLE_OPERATIONS,
  openApiRef as ref,
  REQUEST_ID_PATTERN,
  RESOURCE_STATUSES,
  TASK_EVENT_KINDS,
  TASK_STATUSES,
  type JsonSchema,
  type OpenApiComponents,
  type Reference,
  type ResponseObject,
} from '@apskit/core';

/** The error answers of the controller's API, by status: which a route gives depends on what it does. */
const ERROR_ANSWERS = {
  '400': 'controller.BadRequest',
  '403': 'controller.Forbidden',
  '404': 'controller.NotFound',
  '409': 'controller.Conflict',
  '415': 'controller.UnsupportedMediaType',
  '421': 'controller.MisdirectedRequest',
  '500': 'controller.InternalError',
  '502': 'controller.BadGateway',
} as const;
type ErrorStatus = keyof typeof ERROR_ANSWERS;

/** References to the error answers of these statuses, in the order given. */
export function errorAnswers(...statuses: readonly ErrorStatus[]): Record<string, Reference> {
  return Object.fromEntries(statuses.map((s) => [s, ref('responses', ERROR_ANSWERS[s])]));
}

/**
 * The guard in front of every route (guard.ts) answers 421 to a Host it does not serve; a
 * state-changing request from another origin gets 403, and one whose body is not JSON 415.
 */
export const READ_ERRORS: readonly ErrorStatus[] = ['400', '404', '421', '500'];
export const WRITE_ERRORS: readonly ErrorStatus[] = ['400', '403', '404', '409', '415', '421', '500'];
/** A write that calls the endpoint: 502 when the endpoint did not answer. */
export const ENDPOINT_ERRORS: readonly ErrorStatus[] = [...WRITE_ERRORS, '502'];

/** The `Range` header parameter of the paged lists. */
export const RANGE_PARAMETER = 'Range';
/** The RQL query of the lists that take one (`GET /aps/2/resources`, `GET /aps/2/types`). */
export const RQL_PARAMETER = 'RQL';
/** The `Content-Range` header of a page. */
export const CONTENT_RANGE_HEADER = 'Content-Range';

export function controllerComponents(): Required<OpenApiComponents> {
  const error: JsonSchema = {
    description: 'The APS error body; with `APSKit-Request-ID` sent, it also has `requestId`.',
    allOf: [ref('schemas', APS_ERROR_SCHEMA)],
    properties: { requestId: { type: 'string' } },
  };
  const errorAnswer = (description: string): ResponseObject => ({
    description,
    content: { 'application/json': { schema: ref('schemas', 'controller.Error') } },
  });
  const time: JsonSchema = { type: 'string', format: 'date-time' };
  const nullableTime: JsonSchema = { type: ['string', 'null'], format: 'date-time' };
  return {
    schemas: {
      'controller.Error': error,
      'controller.Resource': {
        type: 'object',
        description: 'A stored resource: `aps` metadata, then its properties and links.',
        properties: {
          aps: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              type: { type: 'string' },
              status: { type: 'string', enum: [...RESOURCE_STATUSES] },
              revision: { type: 'integer', minimum: 1 },
              modified: time,
            },
            required: ['id', 'type', 'status', 'revision', 'modified'],
          },
        },
        required: ['aps'],
      },
      'controller.ApsSchema': {
        type: 'object',
        description: 'An APS type schema, as `apskit schema` prints it.',
        properties: { name: { type: 'string' }, id: { type: 'string' }, apsVersion: { type: 'string' } },
        required: ['name', 'id', 'apsVersion'],
      },
      'controller.Type': {
        description:
          'A type as the types library answers it (docs.cloudblue.com/cbc/sdk/21.0/api/rest/controller/types): ' +
          '`aps.id`, the type’s APS ID (here its type ID), and `aps.href`, its URL, beside the schema’s `id`.',
        allOf: [
          {
            type: 'object',
            properties: {
              aps: {
                type: 'object',
                properties: { id: { type: 'string' }, href: { type: 'string' } },
                required: ['id', 'href'],
              },
            },
            required: ['aps'],
          },
          ref('schemas', 'controller.ApsSchema'),
        ],
      },
      'controller.Link': {
        type: 'object',
        description: 'A link of a resource: the relation it goes through, and the resource at its other end.',
        properties: {
          relation: { type: 'string' },
          aps: {
            type: 'object',
            properties: {
              link: { type: 'string', enum: ['strong', 'weak'] },
              id: { type: 'string' },
              href: { type: 'string' },
            },
            required: ['link', 'id', 'href'],
          },
        },
        required: ['relation', 'aps'],
      },
      'controller.EventSubscription': {
        type: 'object',
        description:
          'An event subscription, the spec’s EventSubscription (docs.cloudblue.com/cbc/sdk/21.0/concepts/events/' +
          'aps-event/event-subscriptions), with `declared` added by this controller.',
        properties: {
          id: { type: 'string', readOnly: true, description: 'Assigned by the controller.' },
          event: {
            type: 'string',
            format: 'uri',
            enum: Object.values(Events),
            description: 'The event type: linked, unlinked, changed, removed or available.',
          },
          source: {
            type: 'object',
            description: 'Where the events come from: every resource of a type, or one resource.',
            properties: {
              type: { type: 'string', format: 'uri', description: 'The APS type of the source resources.' },
              id: { type: 'string', description: 'The one resource to hear events of.' },
            },
          },
          relation: { type: 'string', description: 'For linked and unlinked: the relation of the source.' },
          handler: {
            type: 'string',
            description: 'The subscriber’s operation that takes the notification (one body parameter).',
          },
          declared: {
            type: 'boolean',
            readOnly: true,
            description: 'Created with the subscriber from its type’s `@OnEvent` declarations.',
          },
        },
        required: ['event', 'source', 'handler'],
      },
      'controller.ApplicationInstance': {
        type: 'object',
        description:
          'The application instance, described as a resource (docs.cloudblue.com/cbc/sdk/21.0/api/rest/application/' +
          'instance-operations).',
        properties: {
          aps: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              href: { type: 'string' },
              status: { type: 'string', enum: [...RESOURCE_STATUSES] },
            },
            required: ['id', 'href', 'status'],
          },
          application: {
            type: 'object',
            description:
              'The application: its package ID, name, version and release, where the app definition has them.',
            properties: {
              id: { type: ['string', 'null'] },
              name: { type: 'string' },
              version: { type: ['string', 'null'] },
              release: { type: ['string', 'null'] },
            },
            required: ['id', 'name', 'version', 'release'],
          },
          url: { type: ['string', 'null'], description: 'The endpoint’s URL; null for an endpoint in process.' },
          globals: {
            description: 'A strong link to the application’s globals resource, if it has one.',
            oneOf: [
              {
                type: 'object',
                properties: {
                  aps: {
                    type: 'object',
                    properties: { link: { const: 'strong' }, id: { type: 'string' }, href: { type: 'string' } },
                    required: ['link', 'id', 'href'],
                  },
                },
                required: ['aps'],
              },
              { type: 'null' },
            ],
          },
        },
        required: ['aps', 'application', 'url', 'globals'],
      },
      'controller.Task': {
        type: 'object',
        properties: {
          id: { type: 'string' },
          resourceId: { type: 'string' },
          requestId: { type: ['string', 'null'] },
          operation: { type: 'string', examples: [...LIFECYCLE_OPERATIONS] },
          name: { type: 'string', examples: ['Provisioning "provisionable" for APS application async-provisioning'] },
          description: { type: 'string', description: 'The first `APS-Info`.' },
          output: { type: 'string', description: 'The latest message.' },
          status: { type: 'string', enum: [...TASK_STATUSES] },
          attempts: { type: 'integer', minimum: 0 },
          nextRunAt: nullableTime,
          deadlineAt: nullableTime,
          createdAt: time,
          updatedAt: time,
          endedAt: nullableTime,
          history: {
            type: 'array',
            description:
              'Only on `GET /apskit/tasks/{id}`: the newest steps (at most a page of them; the controller keeps ' +
              'the newest `maxTaskEvents`), oldest first.',
            items: {
              type: 'object',
              properties: {
                at: time,
                kind: { type: 'string', enum: [...TASK_EVENT_KINDS] },
                message: { type: 'string' },
                attempt: { type: 'integer', minimum: 0 },
              },
              required: ['at', 'kind', 'message', 'attempt'],
            },
          },
        },
        required: ['id', 'resourceId', 'operation', 'name', 'status', 'attempts', 'createdAt', 'updatedAt'],
      },
      'controller.Instance': {
        type: 'object',
        properties: {
          id: { type: 'string' },
          application: { type: 'string' },
          globalsId: { type: ['string', 'null'] },
          globals: {
            type: ['object', 'null'],
            description:
              'The globals resource itself (its settings), as GET /aps/2/resources/{globalsId} shows it to the caller; null when there is none or the caller does not reach it',
          },
          version: {
            type: ['string', 'null'],
            description: 'The version the last successful upgrade recorded (null before the first)',
          },
          auth: {
            type: 'string',
            enum: ['open', 'required'],
            description:
              'open: no token configured and a loopback bind, every caller may do what an administrator may; ' +
              'required: a bearer token or the instance certificate (issue 18)',
          },
          caller: {
            type: 'object',
            description: 'Who this request was authenticated as; never a token.',
            properties: {
              kind: { type: 'string', enum: ['app', 'admin', 'owner', 'open'] },
              subject: { type: 'string' },
              accountId: { type: 'string' },
              instanceId: { type: 'string' },
            },
            required: ['kind'],
          },
        },
        required: ['id', 'application', 'globalsId', 'globals', 'auth', 'caller'],
      },
    },
    parameters: {
      [ApsHeader.requestId]: {
        name: ApsHeader.requestId,
        in: 'header',
        description:
          'The caller’s unique ID for the request: a repeat with it finds the same task instead of starting another.',
        required: false,
        schema: { type: 'string', pattern: REQUEST_ID_PATTERN.source },
      },
      [RQL_PARAMETER]: {
        name: 'rql',
        in: 'query',
        description:
          'An RQL query (docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql): the whole query string, free-form, not ' +
          'key=value pairs: conditions (`implementing(T)`, `eq(a,v)`, `a=v`, `ne`, `lt`, `le`, `gt`, `ge`, ' +
          '`like(a,Jo*)`, `in`, `out`, `and`/`&`, `or`/`|`, `not`, `linkedWith(id)`), `sort(+a,-b)`, ' +
          '`limit(start,count)` (count 1000 unless given) and `select(relation,…)`, values percent-encoded. ' +
          'A malformed query is a 400 naming the position and the reason.',
        required: false,
        // A free-form query string: an object in a query parameter is `style: form, explode: true` by default.
        schema: { type: 'object', additionalProperties: { type: 'string' } },
      },
      [RANGE_PARAMETER]: {
        name: RANGE_PARAMETER,
        in: 'header',
        description:
          'A page: `items=<first>-<last>`, both counted from 0. Without it, the first page (`pageSize.default` ' +
          'items, 1000 unless configured); a page never holds more than `pageSize.max` items, nor, past its first ' +
          'item, more than `maxPageBytes` of JSON. Anything else (another unit, last before first, a number ' +
          'past 2^53) is a 400.',
        required: false,
        schema: { type: 'string', pattern: '^items=\\d+-\\d+$' },
      },
    },
    headers: {
      [ApsHeader.taskId]: { description: 'The task that carries the operation on.', schema: { type: 'string' } },
      [CONTENT_RANGE_HEADER]: {
        description: 'The part of the list sent: `items <first>-<last>/<total>`, or `items */<total>` for none.',
        schema: { type: 'string' },
      },
    },
    responses: {
      'controller.BadRequest': errorAnswer(
        'Bad input (a body, a query parameter, a `Range`, an `APSKit-Request-ID`); `details` names every ' +
          'offending field. Nothing is stored.',
      ),
      'controller.Forbidden': errorAnswer(
        'A state-changing request from a page of another origin (`Origin`, or `Sec-Fetch-Site: cross-site`).',
      ),
      'controller.NotFound': errorAnswer(
        'No such resource, type, task or relation; or, below a resource, a path that is no declared operation of ' +
          'its type (nothing is forwarded to the endpoint).',
      ),
      'controller.Conflict': errorAnswer(
        'Another operation on the resource is running, or the task cannot do that now.',
      ),
      'controller.UnsupportedMediaType': errorAnswer(
        'A state-changing request whose body is not sent as `Content-Type: application/json`.',
      ),
      'controller.MisdirectedRequest': errorAnswer(
        'A `Host` the controller does not answer to: loopback names, its own URI’s host and `allowedHosts` only.',
      ),
      'controller.InternalError': errorAnswer('The controller failed.'),
      'controller.BadGateway': errorAnswer('The endpoint did not answer the operation.'),
    },
  };
}
