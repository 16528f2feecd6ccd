/**
 * The API of APSKit's embedded controller (@apskit/controller, docs/controller.md): resources the
 * APS way under `/aps/2`, and the task manager under `/apskit`. It is described here, beside the
 * endpoint, because one document of both is what a developer running `npm start` talks to; core
 * does not depend on the controller, so what this file says is kept to what docs/controller.md
 * promises.
 */
import type { ApsTypeModel } from '../model/model';
import type { JsonSchema } from '../validation/json-schema';
import { ERROR_SCHEMA, ref } from './aps-protocol';
import type { SchemaComponents } from './components';
import { customOperation, pathParameter } from './custom-operation';
import { verb } from './endpoint-paths';
import type { HeaderObject, OperationObject, ParameterObject, Reference, ResponseObject } from './openapi-document';
import type { Paths } from './paths';

export const CONTROLLER_TAGS = [
  { name: 'controller: resources', description: 'Resources, as the APS controller’s `/aps/2/resources` API.' },
  { name: 'controller: types', description: 'The APS schemas of the served types.' },
  { name: 'controller: tasks', description: 'Tasks: every lifecycle operation, and the re-polls of its async phase.' },
];

const RESOURCES = 'controller: resources';
const TASKS = 'controller: tasks';

const RESOURCE_STATUSES = [
  'aps:proto',
  'aps:provisioning',
  'aps:ready',
  'aps:configuring',
  'aps:unprovisioning',
  'aps:deleted',
  'aps:upgrading',
  'aps:activating',
];
const TASK_STATUSES = ['scheduled', 'running', 'succeeded', 'failed', 'canceled'];

export interface ControllerComponents {
  schemas: Record<string, JsonSchema>;
  parameters: Record<string, ParameterObject>;
  headers: Record<string, HeaderObject>;
  responses: Record<string, ResponseObject>;
}

export function addControllerPaths(
  paths: Paths,
  components: SchemaComponents,
  services: ReadonlyArray<readonly [string, ApsTypeModel]>,
): ControllerComponents {
  const types = uniqueTypes(services);
  const id = pathParameter('id', 'The resource’s APS ID.');
  const requestId = ref('parameters', 'APSKit-Request-ID');
  const resource = ref('schemas', 'controller.Resource');
  const task = ref('schemas', 'controller.Task');
  const errors = controllerErrors();

  const created: JsonSchema = {
    description: 'A resource of one of the served types: `aps.type` names it (type ID or name).',
    allOf: [
      {
        type: 'object',
        properties: { aps: { type: 'object', properties: { type: { type: 'string' } }, required: ['type'] } },
        required: ['aps'],
      },
      { anyOf: types.map((t) => components.resource(t)) },
    ],
  };
  const changes: JsonSchema = {
    description: 'The properties to change, of the resource’s type.',
    anyOf: types.map((t) => components.update(t)),
  };
  const lifecycleAnswers = (done: Record<string, ResponseObject>): Record<string, ResponseObject | Reference> => ({
    ...done,
    '202': {
      description:
        'Accepted: the endpoint answered 202; the resource is in its `aps:provisioning` (`aps:configuring`, ' +
        '`aps:unprovisioning`) status and a task repeats the request until it ends.',
      headers: { 'APSKit-Task-ID': ref('headers', 'APSKit-Task-ID') },
      content: { 'application/json': { schema: resource } },
    },
    ...errors,
  });
  const ok = (description: string, schema: JsonSchema): ResponseObject => ({
    description,
    content: { 'application/json': { schema } },
  });
  const op = (operation: OperationObject): OperationObject => operation;

  paths.add(
    '/aps/2/resources',
    'post',
    op({
      operationId: 'controller.createResource',
      summary: 'Create a resource',
      description:
        'Stores the resource and provisions it through the endpoint. A relation is given as ' +
        '`"<relation>": {"aps": {"id": "…"}}`.',
      tags: [RESOURCES],
      parameters: [requestId],
      requestBody: { required: true, content: { 'application/json': { schema: created } } },
      responses: lifecycleAnswers({ '200': ok('The provisioned resource.', resource) }),
    }),
  );
  paths.add(
    '/aps/2/resources',
    'get',
    op({
      operationId: 'controller.listResources',
      summary: 'List resources',
      tags: [RESOURCES],
      parameters: [
        {
          name: 'type',
          in: 'query',
          description: 'Only resources of this type (type ID or name).',
          schema: { type: 'string' },
        },
        {
          name: 'Range',
          in: 'header',
          description: 'A page: `items=0-9`.',
          schema: { type: 'string', pattern: '^items=\\d+-\\d+$' },
        },
      ],
      responses: {
        '200': {
          description: 'The resources; `Content-Range: items <first>-<last>/<total>`.',
          headers: { 'Content-Range': ref('headers', 'Content-Range') },
          content: { 'application/json': { schema: { type: 'array', items: resource } } },
        },
        ...errors,
      },
    }),
  );

  const item = '/aps/2/resources/{id}';
  paths.add(
    item,
    'get',
    op({
      operationId: 'controller.getResource',
      summary: 'Get a resource',
      tags: [RESOURCES],
      parameters: [id],
      responses: { '200': ok('The resource.', resource), ...errors },
    }),
  );
  paths.add(
    item,
    'put',
    op({
      operationId: 'controller.configureResource',
      summary: 'Configure a resource',
      tags: [RESOURCES],
      parameters: [id, requestId],
      requestBody: { required: true, content: { 'application/json': { schema: changes } } },
      responses: lifecycleAnswers({ '200': ok('The configured resource.', resource) }),
    }),
  );
  paths.add(
    item,
    'delete',
    op({
      operationId: 'controller.unprovisionResource',
      summary: 'Unprovision a resource',
      tags: [RESOURCES],
      parameters: [id, requestId],
      responses: lifecycleAnswers({ '204': { description: 'Unprovisioned and removed.' } }),
    }),
  );

  // The controller tries a relation first; any other path below a resource goes to the endpoint.
  const related = `${item}/{relation}`;
  const relation = pathParameter('relation', 'A relation of the resource’s type.');
  paths.add(
    related,
    'get',
    op({
      operationId: 'controller.linkedResources',
      summary: 'The resources linked through a relation',
      tags: [RESOURCES],
      parameters: [id, relation],
      responses: { '200': ok('The linked resources.', { type: 'array', items: resource }), ...errors },
    }),
  );
  paths.add(
    related,
    'post',
    op({
      operationId: 'controller.createLinkedResource',
      summary: 'Create a resource linked through a relation',
      tags: [RESOURCES],
      parameters: [id, relation, requestId],
      requestBody: { required: true, content: { 'application/json': { schema: created } } },
      responses: lifecycleAnswers({ '200': ok('The provisioned resource.', resource) }),
    }),
  );

  for (const [service, type] of services) {
    for (const operation of type.operations.filter((o) => !o.static)) {
      const path = `${item}${operation.path}`;
      const described = customOperation(operation, components, {
        operationId: `controller.${service}.${operation.name}`,
        tag: RESOURCES,
        path,
        pathParameters: [id],
        common: [],
      });
      described.description = [`A custom operation of ${type.name}, forwarded to the endpoint.`, operation.doc]
        .filter((t) => t !== undefined)
        .join('\n\n');
      paths.add(path, verb(operation.verb), described);
    }
  }

  paths.add(
    '/aps/2/types',
    'get',
    op({
      operationId: 'controller.types',
      summary: 'The APS schemas of the served types',
      tags: ['controller: types'],
      responses: {
        '200': ok('One APS type schema per served type.', {
          type: 'array',
          items: ref('schemas', 'controller.ApsSchema'),
        }),
        '500': errors['500'] as Reference,
      },
    }),
  );

  const taskId = pathParameter('id', 'The task’s ID.');
  paths.add(
    '/apskit/tasks',
    'get',
    op({
      operationId: 'controller.tasks',
      summary: 'Tasks, oldest first',
      tags: [TASKS],
      parameters: [
        {
          name: 'resourceId',
          in: 'query',
          description: 'Only the tasks of this resource.',
          schema: { type: 'string' },
        },
        {
          name: 'status',
          in: 'query',
          description: 'Only tasks in this status.',
          schema: { type: 'string', enum: TASK_STATUSES },
        },
      ],
      responses: { '200': ok('The tasks.', { type: 'array', items: task }), ...errors },
    }),
  );
  paths.add(
    '/apskit/tasks/{id}',
    'get',
    op({
      operationId: 'controller.task',
      summary: 'A task with its history',
      tags: [TASKS],
      parameters: [taskId],
      responses: { '200': ok('The task, with `history`.', task), ...errors },
    }),
  );
  paths.add(
    '/apskit/tasks/{id}/rerun',
    'post',
    op({
      operationId: 'controller.rerunTask',
      summary: 'Run a failed task again',
      tags: [TASKS],
      parameters: [taskId],
      responses: { '200': ok('The task, scheduled again.', task), ...errors },
    }),
  );
  paths.add(
    '/apskit/tasks/{id}/cancel',
    'post',
    op({
      operationId: 'controller.cancelTask',
      summary: 'Cancel a scheduled task',
      tags: [TASKS],
      parameters: [taskId],
      responses: { '200': ok('The canceled task.', task), ...errors },
    }),
  );
  paths.add(
    '/apskit/instance',
    'get',
    op({
      operationId: 'controller.instance',
      summary: 'The application instance',
      tags: [RESOURCES],
      responses: { '200': ok('The instance: its ID and its globals resource.', ref('schemas', 'controller.Instance')) },
    }),
  );

  return controllerComponents();
}

function uniqueTypes(services: ReadonlyArray<readonly [string, ApsTypeModel]>): ApsTypeModel[] {
  return [...new Set(services.map(([, type]) => type))];
}

function controllerErrors(): Record<string, Reference> {
  return {
    '400': ref('responses', 'controller.BadRequest'),
    '404': ref('responses', 'controller.NotFound'),
    '409': ref('responses', 'controller.Conflict'),
    '500': ref('responses', 'controller.InternalError'),
  };
}

function controllerComponents(): ControllerComponents {
  const error: JsonSchema = {
    description: 'The APS error body; with `APSKit-Request-ID` sent, it also has `requestId`.',
    allOf: [ref('schemas', ERROR_SCHEMA)],
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
              status: { type: 'string', enum: RESOURCE_STATUSES },
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
      'controller.Task': {
        type: 'object',
        properties: {
          id: { type: 'string' },
          resourceId: { type: 'string' },
          requestId: { type: ['string', 'null'] },
          operation: { type: 'string', examples: ['provision', 'configure', 'unprovision'] },
          name: { type: 'string', examples: ['Provisioning "provisionable" for APS application async-provisioning'] },
          description: { type: 'string', description: 'The first `APS-Info`.' },
          output: { type: 'string', description: 'The latest message.' },
          status: { type: 'string', enum: TASK_STATUSES },
          attempts: { type: 'integer', minimum: 0 },
          nextRunAt: nullableTime,
          deadlineAt: nullableTime,
          createdAt: time,
          updatedAt: time,
          endedAt: nullableTime,
          history: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                at: time,
                kind: {
                  type: 'string',
                  enum: ['created', 'started', 'rescheduled', 'succeeded', 'failed', 'canceled', 'rerun', 'recovered'],
                },
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
        },
        required: ['id', 'application', 'globalsId'],
      },
    },
    parameters: {
      'APSKit-Request-ID': {
        name: 'APSKit-Request-ID',
        in: 'header',
        description:
          'The caller’s unique ID for the request: a repeat with it finds the same task instead of starting another.',
        required: false,
        schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$' },
      },
    },
    headers: {
      'APSKit-Task-ID': { description: 'The task that carries the operation on.', schema: { type: 'string' } },
      'Content-Range': { description: '`items <first>-<last>/<total>`.', schema: { type: 'string' } },
    },
    responses: {
      'controller.BadRequest': errorAnswer('Bad input; `details` names every offending field. Nothing is stored.'),
      'controller.NotFound': errorAnswer('No such resource, type or task.'),
      'controller.Conflict': errorAnswer(
        'Another operation on the resource is running, or the task cannot do that now.',
      ),
      'controller.InternalError': errorAnswer('The controller failed.'),
    },
  };
}
