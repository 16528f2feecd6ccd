/**
 * The controller's API as a part of an endpoint's OpenAPI document: resources the APS way under
 * `/aps/2`, and the task manager under `/apskit` (docs/controller.md). One document of both is what a
 * developer running `npm start` talks to, so `apskit openapi --controller` passes this part to core's
 * `toOpenApi`; core itself knows nothing of the controller. What it says follows controller-api.ts
 * (the routes), guard.ts (403, 415, 421) and paging.ts (`Range`, `?offset=&limit=`, `Content-Range`).
 * The APS routes are those of docs.cloudblue.com/cbc/sdk/21.0/api/rest (controller/types, resources,
 * rql, application/instance-operations).
 */
import {
  ApsHeader,
  openApiMethod,
  openApiPathParameter as pathParameter,
  openApiRef as ref,
  TASK_STATUSES,
  type ApsTypeModel,
  type JsonSchema,
  type OpenApiPart,
  type OpenApiPartBuilder,
  type OperationObject,
  type ParameterObject,
  type Reference,
  type ResponseObject,
} from '@apskit/core';
import {
  CONTENT_RANGE_HEADER,
  controllerComponents,
  ENDPOINT_ERRORS,
  errorAnswers,
  RANGE_PARAMETER,
  READ_ERRORS,
  RQL_PARAMETER,
  WRITE_ERRORS,
} from './openapi-components';

const RESOURCES = 'controller: resources';
const TYPES = 'controller: types';
const TASKS = 'controller: tasks';
const APPLICATIONS = 'controller: applications';

/** `toOpenApi(model, { services, parts: [controllerOpenApi] })`: the endpoint's document with the controller's API. */
export const controllerOpenApi: OpenApiPart = {
  tags: [
    { name: RESOURCES, description: 'Resources, as the APS controller’s `/aps/2/resources` API.' },
    { name: TYPES, description: 'The APS schemas of the served types, as the APS controller’s types library.' },
    {
      name: APPLICATIONS,
      description:
        'The application instance, and the resources the application registers itself. On the platform only ' +
        'the instance’s certificate opens these; here they are open like the rest of the API.',
    },
    {
      name: TASKS,
      description:
        'Tasks: every lifecycle operation, and the re-polls of its async phase. Their changes are also sent as ' +
        'server-sent events at `GET /apskit/events`, which answers 503 (with `Retry-After`) while ' +
        '`maxEventClients` streams are open.',
    },
  ],
  describe(builder) {
    addResourcePaths(builder);
    addTypePaths(builder);
    addApplicationPaths(builder);
    addTaskPaths(builder);
    return controllerComponents();
  },
};

const ok = (description: string, schema: JsonSchema): ResponseObject => ({
  description,
  content: { 'application/json': { schema } },
});

/** A page of a list: the items, and which part of the list they are. */
const page = (description: string, items: JsonSchema): ResponseObject => ({
  description: `${description}; \`Content-Range: items <first>-<last>/<total>\` says which part of the list.`,
  headers: { [CONTENT_RANGE_HEADER]: ref('headers', CONTENT_RANGE_HEADER) },
  content: { 'application/json': { schema: { type: 'array', items } } },
});

function addResourcePaths(builder: OpenApiPartBuilder): void {
  const types = [...new Set(builder.services.map(([, type]) => type))];
  const id = pathParameter('id', 'The resource’s APS ID.');
  const requestId = ref('parameters', ApsHeader.requestId);
  const range = ref('parameters', RANGE_PARAMETER);
  const rql = ref('parameters', RQL_PARAMETER);
  const resource = ref('schemas', 'controller.Resource');
  const created: JsonSchema = {
    description: 'A resource of one of the served types: `aps.type` names it (type ID or name).',
    allOf: [
      {
        type: 'object',
        properties: { aps: { type: 'object', properties: { type: { type: 'string' } }, required: ['type'] } },
        required: ['aps'],
      },
      { anyOf: types.map((t) => builder.resourceSchema(t)) },
    ],
  };
  const changes: JsonSchema = {
    description: 'The properties to change, of the resource’s type.',
    anyOf: types.map((t) => builder.updateSchema(t)),
  };
  const lifecycleAnswers = (done: Record<string, ResponseObject>): Record<string, ResponseObject | Reference> => ({
    ...done,
    '202': {
      description:
        'Accepted: the endpoint answered 202; the resource is in its `aps:provisioning` (`aps:configuring`, ' +
        '`aps:unprovisioning`) status and a task repeats the request until it ends.',
      headers: { [ApsHeader.taskId]: ref('headers', ApsHeader.taskId) },
      content: { 'application/json': { schema: resource } },
    },
    ...errorAnswers(...ENDPOINT_ERRORS),
  });
  const add = (path: string, method: 'get' | 'post' | 'put' | 'delete', operation: OperationObject): void => {
    builder.addPath(path, method, operation);
  };

  add('/aps/2/resources', 'post', {
    operationId: 'controller.createResource',
    summary: 'Create a resource',
    description:
      'Stores the resource and provisions it through the endpoint. A relation is given as ' +
      '`"<relation>": {"aps": {"id": "…"}}`.',
    tags: [RESOURCES],
    parameters: [requestId],
    requestBody: { required: true, content: { 'application/json': { schema: created } } },
    responses: lifecycleAnswers({ '200': ok('The provisioned resource.', resource) }),
  });
  add('/aps/2/resources', 'get', {
    operationId: 'controller.listResources',
    summary: 'List resources',
    description:
      'One page of the resources, oldest first, or as an RQL query selects, sorts and pages them ' +
      '(`implementing(<type id>),eq(quotaMb,10),sort(-quotaMb),limit(0,20)`); a list shows the links its ' +
      '`select(<relation>,…)` names.',
    tags: [RESOURCES],
    parameters: [
      {
        name: 'type',
        in: 'query',
        description: 'Only resources of this type (type ID or name).',
        schema: { type: 'string' },
      },
      rql,
      range,
    ],
    responses: { '200': page('The resources', resource), ...errorAnswers(...READ_ERRORS) },
  });

  const item = '/aps/2/resources/{id}';
  add(item, 'get', {
    operationId: 'controller.getResource',
    summary: 'Get a resource',
    tags: [RESOURCES],
    parameters: [id],
    responses: { '200': ok('The resource.', resource), ...errorAnswers(...READ_ERRORS) },
  });
  add(item, 'put', {
    operationId: 'controller.configureResource',
    summary: 'Configure a resource',
    description:
      "From the application (its instance certificate), the properties are stored as they are and the endpoint is not called, unless the request says `APSKit-App-Write: configure` (the app's configureResource()): then it is a configure like a client's.",
    tags: [RESOURCES],
    parameters: [id, requestId],
    requestBody: { required: true, content: { 'application/json': { schema: changes } } },
    responses: lifecycleAnswers({ '200': ok('The configured resource.', resource) }),
  });
  add(item, 'delete', {
    operationId: 'controller.unprovisionResource',
    summary: 'Unprovision a resource',
    tags: [RESOURCES],
    parameters: [id, requestId],
    responses: lifecycleAnswers({ '204': { description: 'Unprovisioned and removed.' } }),
  });

  // The controller tries a relation first; any other path below a resource goes to the endpoint, if
  // it is a declared operation of the resource's type (404 otherwise).
  const related = `${item}/{relation}`;
  const relation = pathParameter('relation', 'A relation of the resource’s type.');
  add(related, 'get', {
    operationId: 'controller.linkedResources',
    summary: 'The resources linked through a relation',
    description: 'One page of them, in the order they were linked.',
    tags: [RESOURCES],
    parameters: [id, relation, range],
    responses: { '200': page('The linked resources', resource), ...errorAnswers(...READ_ERRORS) },
  });
  const existing: JsonSchema = {
    description: 'An existing resource to link, named by its APS ID.',
    type: 'object',
    properties: { aps: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } },
    required: ['aps'],
  };
  add(related, 'post', {
    operationId: 'controller.linkOrCreateLinkedResource',
    summary: 'Link a resource, or create one linked, through a relation',
    description:
      'With a body naming an existing resource by `aps.id`: links it through the relation (a singular ' +
      'relation is relinked), after the endpoint’s link operation (`POST /{service}/{id}/{relation}`) ' +
      'accepts; answers the linked resource. A resource of a type the relation does not take, or one ' +
      'that is not there, is a 400; a link that is there already a 409; nothing is stored. Any other ' +
      'body is a new resource, provisioned and linked through the relation.',
    tags: [RESOURCES],
    parameters: [id, relation, requestId],
    requestBody: { required: true, content: { 'application/json': { schema: { anyOf: [existing, created] } } } },
    responses: lifecycleAnswers({ '200': ok('The linked, or the provisioned, resource.', resource) }),
  });

  const member = `${related}/{id2}`;
  const id2 = pathParameter('id2', 'The APS ID of the linked resource.');
  add(member, 'get', {
    operationId: 'controller.linkedResource',
    summary: 'One resource linked through a relation',
    tags: [RESOURCES],
    parameters: [id, relation, id2],
    responses: { '200': ok('The linked resource.', resource), ...errorAnswers(...READ_ERRORS) },
  });
  add(member, 'delete', {
    operationId: 'controller.unlink',
    summary: 'Unlink a resource',
    description:
      'Removes the link, both ways, after the endpoint’s unlink operation (`DELETE ' +
      '/{service}/{id}/{relation}/{id2}`) accepts. A required relation cannot be unlinked (409); nothing changes.',
    tags: [RESOURCES],
    parameters: [id, relation, id2],
    responses: { '204': { description: 'Unlinked.' }, ...errorAnswers(...ENDPOINT_ERRORS) },
  });
  add(`${item}/aps/links`, 'get', {
    operationId: 'controller.links',
    summary: 'Every link of a resource',
    tags: [RESOURCES],
    parameters: [id, range],
    responses: { '200': page('The links', ref('schemas', 'controller.Link')), ...errorAnswers(...READ_ERRORS) },
  });
  addSubscriptionPaths(builder, `${item}/aps/subscriptions`, id);

  for (const [service, type] of builder.services) addCustomOperations(builder, service, type, item, id);
}

/**
 * A resource's event subscriptions, the controller's own (docs.cloudblue.com/cbc/sdk/21.0/concepts/
 * events/aps-event/event-subscriptions): those its type declares (`@OnEvent`, `declared`) and those
 * made here. Never forwarded to the endpoint.
 */
function addSubscriptionPaths(builder: OpenApiPartBuilder, path: string, id: ParameterObject): void {
  const subscription = ref('schemas', 'controller.EventSubscription');
  const subscriptionId = pathParameter('subscriptionId', 'The subscription’s ID, as the controller assigned it.');
  builder.addPath(path, 'get', {
    operationId: 'controller.subscriptions',
    summary: 'The event subscriptions of a resource',
    description:
      'Every subscription of the resource (the subscriber), oldest first: those its type declares ' +
      '(`@OnEvent`, created with it, `declared: true`) and those created through this API.',
    tags: [RESOURCES],
    parameters: [id],
    responses: {
      '200': ok('The subscriptions.', { type: 'array', items: subscription }),
      ...errorAnswers(...READ_ERRORS),
    },
  });
  builder.addPath(path, 'post', {
    operationId: 'controller.subscribe',
    summary: 'Subscribe a resource to an event',
    description:
      'The controller then POSTs a notification (`event`, `time`, `serial`, `subscription`, `source`) to ' +
      'the resource’s `handler` operation for each event of the source: 200 or 204 ends it, 202 has it ' +
      'sent again, another answer is retried 10 times. An unknown `event`, a `handler` that is no ' +
      'operation of the resource, a `source.type` the application neither serves nor implements and a ' +
      '`source.id` naming no resource are 400s naming the field; a resource holding 100 subscriptions ' +
      'already is a 409. Nothing is stored then. `id` and `declared` are the controller’s: ignored here.',
    tags: [RESOURCES],
    parameters: [id],
    requestBody: { required: true, content: { 'application/json': { schema: subscription } } },
    responses: {
      '200': ok('The subscription, with the ID the controller assigned.', subscription),
      ...errorAnswers(...WRITE_ERRORS),
    },
  });
  builder.addPath(`${path}/{subscriptionId}`, 'get', {
    operationId: 'controller.subscription',
    summary: 'One event subscription of a resource',
    tags: [RESOURCES],
    parameters: [id, subscriptionId],
    responses: { '200': ok('The subscription.', subscription), ...errorAnswers(...READ_ERRORS) },
  });
  builder.addPath(`${path}/{subscriptionId}`, 'delete', {
    operationId: 'controller.unsubscribe',
    summary: 'Remove an event subscription',
    description:
      'A declared subscription is removed like any other, for good: it is created with its subscriber ' +
      'only, so it does not come back.',
    tags: [RESOURCES],
    parameters: [id, subscriptionId],
    responses: { '204': { description: 'Removed.' }, ...errorAnswers(...WRITE_ERRORS) },
  });
}

/** The instance operations of a type, forwarded to the endpoint from below the resource. */
function addCustomOperations(
  builder: OpenApiPartBuilder,
  service: string,
  type: ApsTypeModel,
  item: string,
  id: ParameterObject,
): void {
  for (const operation of type.operations.filter((o) => !o.static)) {
    const path = `${item}${operation.path}`;
    const described = builder.customOperation(operation, {
      operationId: `controller.${service}.${operation.name}`,
      tag: RESOURCES,
      path,
      pathParameters: [id],
      common: [],
    });
    described.description = [`A custom operation of ${type.name}, forwarded to the endpoint.`, operation.doc]
      .filter((t) => t !== undefined)
      .join('\n\n');
    // The endpoint's own answers, and those the controller gives before or instead of calling it
    // (the guard's, an undeclared path's 404, a 502 when the endpoint does not answer).
    const own = errorAnswers(...(operation.verb === 'GET' ? [...READ_ERRORS, '502' as const] : ENDPOINT_ERRORS));
    // Status keys are integer-like: JSON lists them in numeric order whatever the order of the spread.
    described.responses = { ...own, ...described.responses };
    builder.addPath(path, openApiMethod(operation.verb), described);
  }
}

function addTypePaths(builder: OpenApiPartBuilder): void {
  const type = ref('schemas', 'controller.Type');
  builder.addPath('/aps/2/types', 'get', {
    operationId: 'controller.types',
    summary: 'The APS schemas of the served types',
    description: 'One page of them, each with `aps.id` and `aps.href`; an RQL query selects them (`implementing(…)`).',
    tags: [TYPES],
    parameters: [ref('parameters', RQL_PARAMETER), ref('parameters', RANGE_PARAMETER)],
    responses: { '200': page('The types', type), ...errorAnswers(...READ_ERRORS) },
  });
  builder.addPath('/aps/2/types/{id}', 'get', {
    operationId: 'controller.type',
    summary: 'One type',
    tags: [TYPES],
    parameters: [pathParameter('id', 'The type’s `aps.id`: here its type ID, percent-encoded (follow `aps.href`).')],
    responses: { '200': ok('The type.', type), ...errorAnswers(...READ_ERRORS) },
  });
}

function addApplicationPaths(builder: OpenApiPartBuilder): void {
  const instance = ref('schemas', 'controller.ApplicationInstance');
  const instanceId = pathParameter('instanceId', 'The application instance’s ID (`aps.id`).');
  builder.addPath('/aps/2/applications', 'get', {
    operationId: 'controller.applications',
    summary: 'The application instances: the one this controller runs',
    tags: [APPLICATIONS],
    parameters: [ref('parameters', RANGE_PARAMETER)],
    responses: { '200': page('The instances', instance), ...errorAnswers(...READ_ERRORS) },
  });
  builder.addPath('/aps/2/applications/{instanceId}', 'get', {
    operationId: 'controller.application',
    summary: 'The application instance',
    tags: [APPLICATIONS],
    parameters: [instanceId],
    responses: { '200': ok('The instance.', instance), ...errorAnswers(...READ_ERRORS) },
  });
  for (const [service, type] of builder.services) {
    builder.addPath(`/aps/2/applications/{instanceId}/${service}/`, 'post', {
      operationId: `controller.register.${service}`,
      summary: `Register a ${type.name} the application created`,
      description:
        'Stores a resource the application created on its side, without calling the endpoint: checked like ' +
        'a create (declared defaults filled; the application may set read-only properties), stored ready, ' +
        'and linked as a provisioned one (the links its body names, its required relation to the globals). ' +
        'Bad input is a 400, and nothing is stored.',
      tags: [APPLICATIONS],
      parameters: [instanceId],
      requestBody: { required: true, content: { 'application/json': { schema: builder.resourceSchema(type) } } },
      responses: {
        '200': ok('The registered resource.', ref('schemas', 'controller.Resource')),
        ...errorAnswers(...WRITE_ERRORS),
      },
    });
  }
}

function addTaskPaths(builder: OpenApiPartBuilder): void {
  const task = ref('schemas', 'controller.Task');
  const taskId = pathParameter('id', 'The task’s ID.');
  builder.addPath('/apskit/tasks', 'get', {
    operationId: 'controller.tasks',
    summary: 'Tasks, oldest first',
    description:
      'One page of the tasks, oldest first: the newest are on the last page. `?offset=&limit=` names a page ' +
      'too, and wins over `Range`.',
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
        schema: { type: 'string', enum: [...TASK_STATUSES] },
      },
      {
        name: 'offset',
        in: 'query',
        description: 'The first task of the page, counted from 0 (default 0).',
        schema: { type: 'integer', minimum: 0 },
      },
      {
        name: 'limit',
        in: 'query',
        description: 'How many tasks (default `pageSize.default`; more than `pageSize.max` are not sent).',
        schema: { type: 'integer', minimum: 1 },
      },
      ref('parameters', RANGE_PARAMETER),
    ],
    responses: { '200': page('The tasks', task), ...errorAnswers(...READ_ERRORS) },
  });
  builder.addPath('/apskit/tasks/{id}', 'get', {
    operationId: 'controller.task',
    summary: 'A task with its history',
    tags: [TASKS],
    parameters: [taskId],
    responses: { '200': ok('The task, with `history`.', task), ...errorAnswers(...READ_ERRORS) },
  });
  builder.addPath('/apskit/tasks/{id}/rerun', 'post', {
    operationId: 'controller.rerunTask',
    summary: 'Run a failed task again',
    tags: [TASKS],
    parameters: [taskId],
    responses: { '200': ok('The task, scheduled again.', task), ...errorAnswers(...WRITE_ERRORS) },
  });
  builder.addPath('/apskit/tasks/{id}/cancel', 'post', {
    operationId: 'controller.cancelTask',
    summary: 'Cancel a scheduled task',
    tags: [TASKS],
    parameters: [taskId],
    responses: { '200': ok('The canceled task.', task), ...errorAnswers(...WRITE_ERRORS) },
  });
  builder.addPath('/apskit/events', 'get', {
    operationId: 'controller.events',
    summary: 'The controller’s changes, as server-sent events',
    description:
      '`ready` once connected (load a snapshot after it), then `task` (a task, on each change) and `resource` ' +
      '(`{ id, resource }`, `resource` null once it is gone), only of what the caller may see. 503 with ' +
      '`Retry-After` while `maxEventClients` streams are open.',
    tags: [TASKS],
    responses: {
      '200': {
        description: 'A stream that stays open.',
        content: { 'text/event-stream': { schema: { type: 'string' } } },
      },
      ...errorAnswers('500'),
    },
  });
  builder.addPath('/apskit/instance', 'get', {
    operationId: 'controller.instance',
    summary: 'The application instance',
    tags: [RESOURCES],
    responses: {
      '200': ok('The instance: its ID and its globals resource.', ref('schemas', 'controller.Instance')),
      ...errorAnswers('421', '500'),
    },
  }); // The upgrade is a lifecycle task on the globals resource (docs/controller.md, "Upgrade").
  builder.addPath('/apskit/instance/upgrade', 'post', {
    operationId: 'controller.upgradeInstance',
    summary: 'Upgrade the application instance to a version',
    tags: [RESOURCES],
    parameters: [ref('parameters', ApsHeader.requestId)],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: { type: 'object', properties: { version: { type: 'string' } }, required: ['version'] },
        },
      },
    },
    responses: {
      '200': ok('Upgraded: the globals resource, `aps:ready`.', ref('schemas', 'controller.Resource')),
      '202': {
        description:
          'Accepted: the endpoint answered 202, or resources stored under older type IDs are still ' +
          'migrating to the served types; the globals resource is `aps:upgrading` until the task ends.',
        headers: { [ApsHeader.taskId]: ref('headers', ApsHeader.taskId) },
        content: { 'application/json': { schema: ref('schemas', 'controller.Resource') } },
      },
      ...errorAnswers(...ENDPOINT_ERRORS),
    },
  });
  // The platform's "Synchronize resource usage" task, now (docs/controller.md, "Resource usage").
  builder.addPath('/apskit/usage/sync', 'post', {
    operationId: 'controller.syncUsage',
    summary: 'Synchronize resource usage now',
    description:
      'Starts the "Synchronize resource usage" task (retrieve on every counted resource), or answers the one ' +
      'under way. Only the provider may.',
    tags: [TASKS],
    responses: {
      '202': {
        description: 'The task, started or under way; `Location` is its address.',
        headers: {
          [ApsHeader.taskId]: ref('headers', ApsHeader.taskId),
          Location: { description: 'The task’s address.', schema: { type: 'string' } },
        },
        content: { 'application/json': { schema: task } },
      },
      ...errorAnswers('403', '421', '500'),
    },
  });
}
