/**
 * The controller's API as a part of an endpoint's OpenAPI document (`controllerOpenApi`, composed by
 * core's `toOpenApi`): valid OpenAPI 3.1 with the examples' types, every route of the API, instance
 * operations forwarded, and what the API answers beyond its success: pages (`Range`,
 * `?offset=&limit=`, `Content-Range`) and the guard's and the forwarding's refusals. These tests
 * were core's until the description moved here, to the package that serves the routes.
 */
import {
  ApsType,
  buildTypeModel,
  CoreTypes,
  Operation,
  Param,
  Property,
  Relation,
  Structure,
  toOpenApi,
  type OpenApiDocument,
  type OperationObject,
  type ParameterObject,
} from '@apskit/core';
import { controllerOpenApi } from '@apskit/controller';
import { Globals, Provisionable, services, validateOpenApi } from '@apskit/test-support';
import { PASubscription } from './fixtures/pa-subscription';

const asyncModel = buildTypeModel([Globals, Provisionable]);
const paModel = buildTypeModel([PASubscription]);
const parts = [controllerOpenApi];

const DOCUMENTS: Array<[string, () => OpenApiDocument]> = [
  ['async-provisioning with the controller', () => toOpenApi(asyncModel, { services, parts })],
  [
    'PASubscription with the controller',
    () => toOpenApi(paModel, { services: { subscriptions: PASubscription }, parts }),
  ],
];

describe('validity', () => {
  it.each(DOCUMENTS)('%s is a valid OpenAPI 3.1 document whose $refs all resolve', (_name, make) => {
    const result = validateOpenApi(make());
    expect(result.errors).toBeUndefined();
    expect(result).toMatchObject({ valid: true, version: '3.1', refs: 'resolved' });
  });

  it.each(DOCUMENTS)('%s has unique operation IDs and no $defs left in it', (_name, make) => {
    const doc = make();
    const ids = operations(doc).map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(JSON.stringify(doc)).not.toContain('$defs');
    for (const ref of JSON.stringify(doc).match(/"\$ref":"[^"]*"/g) ?? []) {
      expect(ref).toMatch(/^"\$ref":"#\/components\/(schemas|parameters|headers|responses)\/[A-Za-z0-9._-]+"$/);
    }
  });
});

describe('custom operations and structures', () => {
  const ID = 'http://example.com/openapi';

  @Structure()
  class Limit {
    @Property({ type: 'integer', required: true })
    resourceId!: number;
  }

  @ApsType({ name: 'widget', id: `${ID}/widget/1.0`, implements: [CoreTypes.resource] })
  class Widget {
    @Property({ required: true, minLength: 2 })
    name!: string;

    @Property({ items: Limit })
    limits?: Limit[];

    @Operation({ verb: 'GET', path: '/count', response: 'integer' })
    static count(@Param('kind', { kind: 'query', type: 'string' }) _kind?: string): number {
      return 0;
    }

    @Operation({ verb: 'PUT', path: '/limits/{limitId}', response: Limit, returns: 'The limit as stored' })
    setLimit(
      @Param('limitId', { kind: 'path', type: 'integer', required: true }) _limitId: number,
      @Param('limit', { kind: 'body', type: Limit, required: true }) limit: Limit,
    ): Limit {
      return limit;
    }

    @Operation({ verb: 'POST', path: '/items/{itemId}/touch' })
    touch(): void {}
  }

  @ApsType({ name: 'gadget', id: `${ID}/gadget/1.0` })
  class Gadget {
    @Relation(() => Widget, { collection: true })
    widgets?: Widget[];
  }

  const model = buildTypeModel([Widget, Gadget]);
  const doc = toOpenApi(model, { services: { widgets: model.get(Widget), gadgets: Gadget }, parts });

  it('is valid', () => {
    expect(validateOpenApi(doc)).toMatchObject({ valid: true, refs: 'resolved' });
  });

  it('describes the controller’s API, forwarding instance operations', () => {
    const controllerPaths = Object.keys(doc.paths).filter(
      (p) => !p.startsWith('/widgets') && !p.startsWith('/gadgets'),
    );
    expect(controllerPaths).toEqual([
      '/aps/2/resources',
      '/aps/2/resources/{id}',
      '/aps/2/resources/{id}/{relation}',
      '/aps/2/resources/{id}/{relation}/{id2}',
      '/aps/2/resources/{id}/aps/links',
      '/aps/2/resources/{id}/aps/subscriptions',
      '/aps/2/resources/{id}/aps/subscriptions/{subscriptionId}',
      '/aps/2/resources/{id}/limits/{limitId}',
      '/aps/2/resources/{id}/items/{itemId}/touch',
      '/aps/2/types',
      '/aps/2/types/{id}',
      '/aps/2/applications',
      '/aps/2/applications/{instanceId}',
      '/aps/2/applications/{instanceId}/widgets/',
      '/aps/2/applications/{instanceId}/gadgets/',
      '/apskit/tasks',
      '/apskit/tasks/{id}',
      '/apskit/tasks/{id}/rerun',
      '/apskit/tasks/{id}/cancel',
      '/apskit/events',
      '/apskit/instance',
      '/apskit/instance/upgrade',
      '/apskit/usage/sync',
    ]);
    expect(Object.keys(doc.paths['/aps/2/resources'] ?? {})).toEqual(['post', 'get']);
    expect(Object.keys(doc.paths['/aps/2/resources/{id}'] ?? {})).toEqual(['get', 'put', 'delete']);
    expect(Object.keys(doc.paths['/aps/2/resources/{id}/{relation}'] ?? {})).toEqual(['get', 'post']);
    const create = doc.paths['/aps/2/resources']?.post as OperationObject;
    expect(create.responses['202']).toMatchObject({ headers: { 'APSKit-Task-ID': {} } });
  });

  it('leaves the controller out unless asked', () => {
    const without = toOpenApi(model, { services: { widgets: Widget } });
    expect(Object.keys(without.paths).some((p) => p.startsWith('/aps/') || p.startsWith('/apskit/'))).toBe(false);
    expect(Object.keys(without.components.schemas).some((k) => k.startsWith('controller.'))).toBe(false);
  });

  it('lists its tags after the services’', () => {
    expect(doc.tags?.map((t) => t.name)).toEqual([
      'widgets',
      'gadgets',
      'controller: resources',
      'controller: types',
      'controller: applications',
      'controller: tasks',
    ]);
  });

  it('pages its lists: Range everywhere, offset and limit on tasks, Content-Range on the answer', () => {
    const range = { $ref: '#/components/parameters/Range' };
    const lists = [
      doc.paths['/aps/2/resources']?.get,
      doc.paths['/aps/2/resources/{id}/{relation}']?.get,
      doc.paths['/aps/2/resources/{id}/aps/links']?.get,
      doc.paths['/aps/2/types']?.get,
      doc.paths['/aps/2/applications']?.get,
      doc.paths['/apskit/tasks']?.get,
    ] as OperationObject[];
    for (const list of lists) {
      expect(list.parameters).toContainEqual(range);
      expect(list.responses['200']).toMatchObject({ headers: { 'Content-Range': {} } });
      expect(list.responses['400']).toEqual({ $ref: '#/components/responses/controller.BadRequest' });
    }
    const tasks = doc.paths['/apskit/tasks']?.get as OperationObject;
    const query = (tasks.parameters as ParameterObject[]).filter((p) => p.in === 'query').map((p) => p.name);
    expect(query).toEqual(['resourceId', 'status', 'offset', 'limit']);
    expect(doc.components.parameters.Range).toMatchObject({ in: 'header', schema: { pattern: '^items=\\d+-\\d+$' } });
  });

  it('answers what its guard and its forwarding refuse', () => {
    const errorsOf = (op: OperationObject | undefined): string[] =>
      Object.keys(op?.responses ?? {}).filter((s) => Number(s) >= 400);
    // Reads: a Host it does not serve (421); writes also a foreign Origin (403) and a body not JSON (415).
    expect(errorsOf(doc.paths['/aps/2/resources/{id}']?.get)).toEqual(['400', '404', '421', '500']);
    expect(errorsOf(doc.paths['/apskit/tasks/{id}/rerun']?.post)).toEqual([
      '400',
      '403',
      '404',
      '409',
      '415',
      '421',
      '500',
    ]);
    // Calling the endpoint: 502 when it does not answer.
    expect(errorsOf(doc.paths['/aps/2/resources']?.post)).toContain('502');
    // A forwarded operation: 404 for a path that is no declared operation, 502 when the endpoint is silent.
    const touch = doc.paths['/aps/2/resources/{id}/items/{itemId}/touch']?.post;
    expect(errorsOf(touch)).toEqual(['400', '403', '404', '409', '415', '421', '500', '502']);
    expect(doc.components.responses['controller.MisdirectedRequest']).toBeDefined();
    expect(doc.tags?.find((t) => t.name === 'controller: tasks')?.description).toContain('503');
  });
});

describe('issue 17: links, RQL, types, applications', () => {
  const model = buildTypeModel([Globals, Provisionable]);
  const doc = toOpenApi(model, { services, parts });
  const op = (path: string, method: 'get' | 'post' | 'put' | 'delete'): OperationObject =>
    doc.paths[path]?.[method] as OperationObject;
  const errorsOf = (o: OperationObject): string[] => Object.keys(o.responses).filter((s) => Number(s) >= 400);

  it('takes an RQL query, a free-form query string, on the resource and type lists (rest/rql)', () => {
    const rql = { $ref: '#/components/parameters/RQL' };
    expect(op('/aps/2/resources', 'get').parameters).toContainEqual(rql);
    expect(op('/aps/2/types', 'get').parameters).toContainEqual(rql);
    expect(doc.components.parameters.RQL).toMatchObject({
      name: 'rql',
      in: 'query',
      required: false,
      schema: { type: 'object', additionalProperties: { type: 'string' } },
    });
    expect(doc.components.parameters.RQL?.description).toContain('400');
  });

  it('links by aps.id, unlinks, reads one linked resource and every link (rest/resources)', () => {
    const post = op('/aps/2/resources/{id}/{relation}', 'post');
    const body = (post.requestBody as { content: Record<string, { schema: { anyOf: unknown[] } }> }).content[
      'application/json'
    ]?.schema;
    expect(body?.anyOf[0]).toMatchObject({ required: ['aps'], properties: { aps: { required: ['id'] } } });
    expect(post.description).toContain('relinked');
    expect(Object.keys(doc.paths['/aps/2/resources/{id}/{relation}/{id2}'] ?? {})).toEqual(['get', 'delete']);
    const unlink = op('/aps/2/resources/{id}/{relation}/{id2}', 'delete');
    expect(unlink.responses['204']).toBeDefined();
    expect(errorsOf(unlink)).toEqual(['400', '403', '404', '409', '415', '421', '500', '502']);
    expect(op('/aps/2/resources/{id}/aps/links', 'get').responses['200']).toMatchObject({
      content: { 'application/json': { schema: { items: { $ref: '#/components/schemas/controller.Link' } } } },
    });
  });

  it('describes types with aps.id and aps.href, one at /aps/2/types/{id} (rest/controller/types)', () => {
    const type = { $ref: '#/components/schemas/controller.Type' };
    expect(op('/aps/2/types', 'get').responses['200']).toMatchObject({
      content: { 'application/json': { schema: { type: 'array', items: type } } },
    });
    expect(op('/aps/2/types/{id}', 'get').responses['200']).toMatchObject({
      content: { 'application/json': { schema: type } },
    });
    expect(errorsOf(op('/aps/2/types/{id}', 'get'))).toContain('404');
    expect(JSON.stringify(doc.components.schemas['controller.Type'])).toContain('"href"');
  });

  it('describes the instance and a registration per service (rest/application/instance-operations)', () => {
    const instance = { $ref: '#/components/schemas/controller.ApplicationInstance' };
    expect(op('/aps/2/applications/{instanceId}', 'get').responses['200']).toMatchObject({
      content: { 'application/json': { schema: instance } },
    });
    const registrations = Object.keys(doc.paths).filter((p) => p.startsWith('/aps/2/applications/{instanceId}/'));
    expect(registrations).toEqual(Object.keys(services).map((s) => `/aps/2/applications/{instanceId}/${s}/`));
    const register = op(registrations[0] as string, 'post');
    expect(register.tags).toEqual(['controller: applications']);
    expect(register.requestBody).toBeDefined();
    expect(errorsOf(register)).toEqual(expect.arrayContaining(['400', '404']));
    expect(doc.tags?.find((t) => t.name === 'controller: applications')?.description).toContain('certificate');
  });
});

describe('issue 19: event subscriptions (docs.cloudblue.com/cbc/sdk/21.0/concepts/events/aps-event/event-subscriptions)', () => {
  const model = buildTypeModel([Globals, Provisionable]);
  const doc = toOpenApi(model, { services, parts });
  const list = '/aps/2/resources/{id}/aps/subscriptions';
  const one = `${list}/{subscriptionId}`;
  const op = (path: string, method: 'get' | 'post' | 'delete'): OperationObject =>
    doc.paths[path]?.[method] as OperationObject;
  const errorsOf = (o: OperationObject): string[] => Object.keys(o.responses).filter((s) => Number(s) >= 400);
  const subscription = { $ref: '#/components/schemas/controller.EventSubscription' };

  it('lists and creates at …/aps/subscriptions, reads and deletes one below it', () => {
    expect(Object.keys(doc.paths[list] ?? {})).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths[one] ?? {})).toEqual(['get', 'delete']);
    expect(op(list, 'get').responses['200']).toMatchObject({
      content: { 'application/json': { schema: { type: 'array', items: subscription } } },
    });
    expect(op(list, 'post').requestBody).toMatchObject({ content: { 'application/json': { schema: subscription } } });
    expect(op(list, 'post').responses['200']).toMatchObject({
      content: { 'application/json': { schema: subscription } },
    });
    expect(op(one, 'get').responses['200']).toMatchObject({
      content: { 'application/json': { schema: subscription } },
    });
    expect(op(one, 'delete').responses['204']).toBeDefined();
    expect(errorsOf(op(list, 'post'))).toEqual(['400', '403', '404', '409', '415', '421', '500']);
    expect(errorsOf(op(one, 'get'))).toContain('404');
    expect(op(list, 'get').description).toContain('declared');
  });

  it('describes the EventSubscription as the spec does, with the five event types and `declared`', () => {
    const schema = doc.components.schemas['controller.EventSubscription'] as {
      properties: Record<string, { enum?: unknown[]; readOnly?: boolean; properties?: object }>;
      required: string[];
    };
    expect(Object.keys(schema.properties)).toEqual(['id', 'event', 'source', 'relation', 'handler', 'declared']);
    expect(schema.properties.event?.enum).toEqual([
      'http://aps-standard.org/core/events/linked',
      'http://aps-standard.org/core/events/unlinked',
      'http://aps-standard.org/core/events/changed',
      'http://aps-standard.org/core/events/removed',
      'http://aps-standard.org/core/events/available',
    ]);
    expect(Object.keys(schema.properties.source?.properties ?? {})).toEqual(['type', 'id']);
    expect(schema.properties.id?.readOnly).toBe(true);
    expect(schema.properties.declared?.readOnly).toBe(true);
    expect(schema.required).toEqual(['event', 'source', 'handler']);
  });
});

/** Every operation of a document. */
function operations(doc: OpenApiDocument): OperationObject[] {
  return Object.values(doc.paths).flatMap((item) =>
    (['get', 'post', 'put', 'delete'] as const).flatMap((m) => (item[m] ? [item[m]] : [])),
  );
}
