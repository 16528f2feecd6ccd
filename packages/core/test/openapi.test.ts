/**
 * The OpenAPI document of an endpoint: valid OpenAPI 3.1 (checked by an OpenAPI schema validator)
 * for the examples; every route the endpoint serves; and request schemas that accept and refuse what
 * the runtime's validators do. The embedded controller's part of the document is tested where it is
 * described, in @apskit/controller (test/openapi-paths.test.ts).
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import {
  ApsType,
  buildTypeModel,
  compileResourceValidators,
  CoreTypes,
  Operation,
  Param,
  Property,
  Relation,
  Structure,
  toOpenApi,
  type OpenApiDocument,
  type OperationObject,
} from '@apskit/core';
import { Globals, Provisionable, services, validateOpenApi } from '@apskit/test-support';
import { PASubscription } from './fixtures/pa-subscription';

const asyncModel = buildTypeModel([Globals, Provisionable]);
const paModel = buildTypeModel([PASubscription]);

const DOCUMENTS: Array<[string, () => OpenApiDocument]> = [
  ['async-provisioning', () => toOpenApi(asyncModel, { services })],
  ['PASubscription', () => toOpenApi(paModel, { services: { subscriptions: PASubscription } })],
];

describe('validity', () => {
  it.each(DOCUMENTS)('%s is a valid OpenAPI 3.1 document whose $refs all resolve', (_name, make) => {
    const result = validateOpenApi(make());
    expect(result.errors).toBeUndefined();
    expect(result).toMatchObject({ valid: true, version: '3.1', refs: 'resolved' });
  });

  it('the validator does refuse a broken document', () => {
    const doc = toOpenApi(asyncModel, { services }) as unknown as Record<string, unknown>;
    expect(validateOpenApi({ ...doc, info: { title: 'no version' } }).valid).toBe(false);
    const paths = doc.paths as Record<string, Record<string, Record<string, unknown>>>;
    (paths['/globals/'] as Record<string, Record<string, unknown>>).post.responses = {
      '200': { $ref: '#/components/responses/nope' },
    };
    expect(validateOpenApi(doc).valid).toBe(false);
  });

  it.each(DOCUMENTS)('%s has unique operation IDs and no $defs left in it', (_name, make) => {
    const doc = make();
    const ids = operations(doc).map(([, , op]) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(JSON.stringify(doc)).not.toContain('$defs');
    for (const ref of JSON.stringify(doc).match(/"\$ref":"[^"]*"/g) ?? []) {
      expect(ref).toMatch(/^"\$ref":"#\/components\/(schemas|parameters|headers|responses)\/[A-Za-z0-9._-]+"$/);
    }
  });
});

describe('the endpoint’s routes', () => {
  const doc = toOpenApi(asyncModel, {
    services,
    title: 'async-provisioning',
    version: '2.0.0',
    serverUrl: 'https://app.example.com/',
  });

  it('takes title, version and server', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'async-provisioning', version: '2.0.0' });
    expect(doc.servers).toEqual([{ url: 'https://app.example.com/' }]);
    expect(doc.tags?.map((t) => t.name)).toEqual(['globals', 'provisionables']);
  });

  it('has every lifecycle route of every service, under the service names', () => {
    expect(operations(doc).map(([method, path, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`)).toEqual([
      'POST /globals/ globals.provision',
      'GET /globals/{id} globals.retrieve',
      'PUT /globals/{id} globals.configure',
      'DELETE /globals/{id} globals.unprovision',
      'POST /globals/{id}/upgrade globals.upgrade',
      'POST /globals/{id}/provisionables globals.link.provisionables',
      'DELETE /globals/{id}/provisionables/{linkedId} globals.unlink.provisionables',
      'POST /provisionables/ provisionables.provision',
      'GET /provisionables/{id} provisionables.retrieve',
      'PUT /provisionables/{id} provisionables.configure',
      'DELETE /provisionables/{id} provisionables.unprovision',
      'POST /provisionables/{id}/upgrade provisionables.upgrade',
      'POST /provisionables/{id}/globals provisionables.link.globals',
      'DELETE /provisionables/{id}/globals/{linkedId} provisionables.unlink.globals',
    ]);
  });

  it('takes the APS request headers on every operation', () => {
    for (const [, , op] of operations(doc)) {
      expect(op.parameters).toEqual(
        expect.arrayContaining(
          [
            'APS-Controller-URI',
            'APS-Instance-ID',
            'APS-Transaction-ID',
            'APS-Request-Phase',
            'APS-Identity-ID',
            'APS-Actor-ID',
            'APS-Application-ID',
            'APS-Version',
          ].map((h) => ({ $ref: `#/components/parameters/${h}` })),
        ),
      );
    }
    expect(doc.components.parameters['APS-Request-Phase']).toMatchObject({
      in: 'header',
      schema: { enum: ['sync', 'async'] },
    });
  });

  it('answers provision with 200, or 202 with APS-Info and APS-Retry-Timeout, and the APS errors', () => {
    const provision = doc.paths['/provisionables/']?.post as OperationObject;
    expect(provision.requestBody?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/provisionable',
    });
    expect(Object.keys(provision.responses)).toEqual(['200', '202', '400', '404', '409', '500', '501']);
    expect(provision.responses['202']).toMatchObject({
      headers: {
        'APS-Info': { $ref: '#/components/headers/APS-Info' },
        'APS-Retry-Timeout': { $ref: '#/components/headers/APS-Retry-Timeout' },
      },
      content: { 'application/json': { schema: { $ref: '#/components/schemas/provisionable' } } },
    });
    expect(provision.responses['409']).toEqual({ $ref: '#/components/responses/aps.Conflict' });
    expect(doc.components.schemas['aps.Error']).toMatchObject({
      properties: { code: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' }, details: {} },
      required: ['code', 'error', 'message'],
    });
    const unprovision = doc.paths['/provisionables/{id}']?.delete as OperationObject;
    expect(Object.keys(unprovision.responses)).toEqual(['200', '202', '204', '400', '404', '409', '500', '501']);
  });

  it('describes a resource with its relations as links, and configure without required properties', () => {
    expect(doc.components.schemas.provisionable).toMatchObject({
      title: 'http://aps-standard.org/samples/async-provisioning/provisionable/1.0',
      type: 'object',
      properties: { aps: { type: 'object' }, globals: { type: ['object', 'null'], required: ['aps'] } },
      additionalProperties: false,
    });
    expect(doc.components.schemas['provisionable.update']).toBeDefined();
  });
});

describe('custom operations and structures', () => {
  const ID = 'http://example.com/openapi';

  @Structure()
  class Limit {
    @Property({ type: 'integer', required: true })
    resourceId!: number;
  }

  /** A structure with the name of a type: its component gets another name. */
  @Structure({ name: 'widget' })
  class WidgetNote {
    @Property()
    text?: string;
  }

  @ApsType({ name: 'widget', id: `${ID}/widget/1.0`, implements: [CoreTypes.resource] })
  class Widget {
    @Property({ required: true, minLength: 2 })
    name!: string;

    @Property({ items: Limit })
    limits?: Limit[];

    @Property()
    note?: WidgetNote;

    @Operation({ verb: 'GET', path: '/count', response: 'integer' })
    static count(@Param('kind', { kind: 'query', type: 'string' }) _kind?: string): number {
      return 0;
    }

    @Operation({ verb: 'PUT', path: '/limits/{limitId}', response: Limit, returns: 'The limit as stored' })
    setLimit(
      @Param('limitId', { kind: 'path', type: 'integer', required: true }) _limitId: number,
      @Param('dryRun', { kind: 'query', type: 'boolean' }) _dryRun: boolean,
      @Param('limit', { kind: 'body', type: Limit, required: true }) limit: Limit,
    ): Limit {
      return limit;
    }

    @Operation({ verb: 'POST', path: '/items/{itemId}/touch' })
    touch(): void {}
  }

  @ApsType({ name: 'gadget', id: `${ID}/gadget/1.0` })
  class Gadget {
    @Property({ items: Limit })
    limits?: Limit[];

    @Relation(() => Widget, { collection: true })
    widgets?: Widget[];
  }

  const model = buildTypeModel([Widget, Gadget]);
  const doc = toOpenApi(model, { services: { widgets: model.get(Widget), gadgets: Gadget } });

  it('is valid', () => {
    expect(validateOpenApi(doc)).toMatchObject({ valid: true, refs: 'resolved' });
  });

  it('puts a static operation below the service, before /{id}, and an instance one below the resource', () => {
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/widgets'));
    expect(paths.slice(0, 3)).toEqual(['/widgets/', '/widgets/count', '/widgets/{id}']);
    const count = doc.paths['/widgets/count']?.get as OperationObject;
    expect(count.parameters?.[0]).toEqual({ name: 'kind', in: 'query', required: false, schema: { type: 'string' } });
    expect(count.responses['200']).toMatchObject({ content: { 'application/json': { schema: { type: 'integer' } } } });
  });

  it('gives parameters by kind: path, query, and the body', () => {
    const set = doc.paths['/widgets/{id}/limits/{limitId}']?.put as OperationObject;
    expect(set.parameters?.slice(0, 3)).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
      { name: 'limitId', in: 'path', required: true, schema: { type: 'integer' } },
      { name: 'dryRun', in: 'query', required: false, schema: { type: 'boolean' } },
    ]);
    expect(set.requestBody).toMatchObject({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Limit' } } },
    });
    expect(set.responses['200']).toMatchObject({
      description: 'The limit as stored',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Limit' } } },
    });
  });

  it('names every path template parameter, declared or not, and answers 204 for no value', () => {
    const touch = doc.paths['/widgets/{id}/items/{itemId}/touch']?.post as OperationObject;
    expect(touch.parameters?.slice(0, 2)).toEqual([
      expect.objectContaining({ name: 'id', in: 'path' }),
      { name: 'itemId', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    expect(Object.keys(touch.responses)).toEqual(['200', '204', '400', '404', '409', '500']);
  });

  it('defines each structure once in components, shared by the types, apart from the type’s name', () => {
    expect(Object.keys(doc.components.schemas).filter((k) => !k.includes('.'))).toEqual([
      'widget',
      'gadget',
      'Limit',
      'widget_2',
    ]);
    expect(doc.components.schemas.widget).toMatchObject({
      properties: {
        limits: { type: ['array', 'null'], items: { $ref: '#/components/schemas/Limit' } },
        note: { anyOf: [{ $ref: '#/components/schemas/widget_2' }, { type: 'null' }] },
      },
    });
  });
});

describe('routes that shadow each other', () => {
  @ApsType({ name: 'shadow', id: 'http://example.com/openapi/shadow/1.0' })
  class Shadow {
    @Relation(() => CoreTypes.account)
    account?: unknown;

    /** Added before the runtime's upgrade route, so it is what answers POST /{id}/upgrade. */
    @Operation({ verb: 'POST', path: '/upgrade' })
    upgrade(): void {}

    @Operation({ verb: 'POST', path: '/account' })
    account2(): void {}
  }

  it('documents the route that answers, as the endpoint matches them: first added wins', () => {
    const doc = toOpenApi(buildTypeModel([Shadow]), { services: { shadows: Shadow } });
    expect(doc.paths['/shadows/{id}/upgrade']?.post?.operationId).toBe('shadows.operations.upgrade');
    expect(doc.paths['/shadows/{id}/account']?.post?.operationId).toBe('shadows.operations.account2');
    expect(doc.paths['/shadows/{id}/account/{linkedId}']?.delete?.operationId).toBe('shadows.unlink.account');
    expect(validateOpenApi(doc)).toMatchObject({ valid: true, refs: 'resolved' });
  });
});

describe('request schemas', () => {
  const doc = toOpenApi(paModel, { services: { subscriptions: PASubscription } });
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi.json');
  const validators = compileResourceValidators(paModel.get(PASubscription));

  it.each([
    ['a complete subscription', { aps: {}, subscriptionId: 1, serviceTemplateId: 2 }],
    ['no subscriptionId', { aps: {}, serviceTemplateId: 2 }],
    ['a string for an integer', { subscriptionId: '1', serviceTemplateId: 2 }],
    [
      'a structure with its items',
      {
        subscriptionId: 1,
        serviceTemplateId: 2,
        activationStructure: { subscriptionResourceLimits: [{ resourceId: 1, resourceLimit: 5 }] },
      },
    ],
    [
      'an item without a required field',
      {
        subscriptionId: 1,
        serviceTemplateId: 2,
        activationStructure: { subscriptionResourceLimits: [{ resourceId: 1 }] },
      },
    ],
    ['an undeclared property', { subscriptionId: 1, serviceTemplateId: 2, seats: 3 }],
    ['a link for a relation', { subscriptionId: 1, serviceTemplateId: 2, account: { aps: { id: 'a1' } } }],
  ])('judge %s as the runtime does', (_what, body) => {
    const create = ajv.getSchema('openapi.json#/components/schemas/PASubscription');
    const update = ajv.getSchema('openapi.json#/components/schemas/PASubscription.update');
    expect(create?.(body)).toBe(validators.create(body).length === 0);
    expect(update?.(body)).toBe(validators.update(body).length === 0);
  });
});

/** Every operation of a document, as [method, path, operation], in document order. */
function operations(doc: OpenApiDocument): Array<[string, string, OperationObject]> {
  const out: Array<[string, string, OperationObject]> = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of ['get', 'post', 'put', 'delete'] as const) {
      const op = item[method];
      if (op) out.push([method, path, op]);
    }
  }
  return out.sort((a, b) => pathOrder(doc, a) - pathOrder(doc, b));
}

function pathOrder(doc: OpenApiDocument, entry: [string, string, OperationObject]): number {
  return Object.keys(doc.paths).indexOf(entry[1]) * 10 + ['get', 'post', 'put', 'delete'].indexOf(entry[0]);
}
