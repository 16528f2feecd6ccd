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
      '/aps/2/resources/{id}/limits/{limitId}',
      '/aps/2/resources/{id}/items/{itemId}/touch',
      '/aps/2/types',
      '/apskit/tasks',
      '/apskit/tasks/{id}',
      '/apskit/tasks/{id}/rerun',
      '/apskit/tasks/{id}/cancel',
      '/apskit/instance',
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
      'controller: tasks',
    ]);
  });

  it('pages its lists: Range everywhere, offset and limit on tasks, Content-Range on the answer', () => {
    const range = { $ref: '#/components/parameters/Range' };
    const lists = [
      doc.paths['/aps/2/resources']?.get,
      doc.paths['/aps/2/resources/{id}/{relation}']?.get,
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

/** Every operation of a document. */
function operations(doc: OpenApiDocument): OperationObject[] {
  return Object.values(doc.paths).flatMap((item) =>
    (['get', 'post', 'put', 'delete'] as const).flatMap((m) => (item[m] ? [item[m]] : [])),
  );
}
