/**
 * Custom operations: paths, verbs, static operations, parameters and their kinds, responses, and
 * `access`, each emitted in the key order of published APS schemas.
 */
import { ApsType, buildTypeModel, Operation, Param, Property, Structure, toApsSchema } from '@apskit/core';

const ID = 'http://example.com/operations';

describe('paths, verbs and names', () => {
  it('defaults the path to `/<method>` and the name to the method name', () => {
    @ApsType({ id: `${ID}/defaults/1.0` })
    class OperationDefaults {
      @Operation({ verb: 'POST' })
      restartService(): void {}
    }
    const op = buildTypeModel([OperationDefaults]).get(OperationDefaults).operations[0];
    expect(op).toMatchObject({ name: 'restartService', method: 'restartService', path: '/restartService' });
    expect(JSON.stringify(toApsSchema(OperationDefaults).operations)).toBe(
      JSON.stringify({ restartService: { path: '/restartService', verb: 'POST' } }),
    );
  });

  it('publishes the operation under its `name`, and keeps the method to call', () => {
    @ApsType({ id: `${ID}/named/1.0` })
    class NamedOperation {
      @Operation({ verb: 'GET', path: '/state/{part}', name: 'getState' })
      readState(): void {}
    }
    const op = buildTypeModel([NamedOperation]).get(NamedOperation).operations[0];
    expect(op.name).toBe('getState');
    expect(op.method).toBe('readState');
    expect(toApsSchema(NamedOperation).operations).toEqual({ getState: { path: '/state/{part}', verb: 'GET' } });
  });

  it.each(['GET', 'POST', 'PUT', 'DELETE'] as const)('takes the verb %s', (verb) => {
    @ApsType({ id: `${ID}/verb/1.0` })
    class EveryVerb {
      @Operation({ verb })
      run(): void {}
    }
    expect(toApsSchema(EveryVerb).operations?.run.verb).toBe(verb);
  });

  it('publishes operations in declaration order after properties', () => {
    @ApsType({ id: `${ID}/order/1.0` })
    class OperationOrder {
      @Operation({ verb: 'GET' })
      second(): void {}

      @Property()
      value?: string;

      @Operation({ verb: 'GET' })
      first(): void {}
    }
    const schema = toApsSchema(OperationOrder);
    expect(Object.keys(schema)).toEqual(['name', 'id', 'apsVersion', 'properties', 'operations']);
    expect(Object.keys(schema.operations ?? {})).toEqual(['second', 'first']);
  });
});

describe('static operations', () => {
  it('makes a static method a static operation', () => {
    @ApsType({ id: `${ID}/static/1.0` })
    class StaticOperations {
      @Operation({ verb: 'GET', path: '/self' })
      self(): void {}

      // Static last: TypeScript decorates instance members before static ones, whatever the source order.
      @Operation({ verb: 'GET', path: '/count' })
      static count(): number {
        return 0;
      }
    }
    const model = buildTypeModel([StaticOperations]).get(StaticOperations);
    expect(model.operations.map((o) => [o.name, o.method, o.static])).toEqual([
      ['self', 'self', false],
      ['count', 'count', true],
    ]);
    expect(JSON.stringify(toApsSchema(model).operations)).toBe(
      JSON.stringify({
        self: { path: '/self', verb: 'GET' },
        count: { path: '/count', verb: 'GET', static: true },
      }),
    );
  });

  it('takes `static: true` on an instance method, and `static: false` on a static one', () => {
    @ApsType({ id: `${ID}/static-option/1.0` })
    class StaticOption {
      @Operation({ verb: 'GET', static: true })
      list(): void {}

      @Operation({ verb: 'GET', static: false })
      static notStatic(): void {}
    }
    expect(toApsSchema(StaticOption).operations).toEqual({
      list: { path: '/list', verb: 'GET', static: true },
      // Written, so published (issue 21: a schema that says `"static": false` keeps saying it).
      notStatic: { path: '/notStatic', verb: 'GET', static: false },
    });
  });

  it('takes parameters of a static method', () => {
    @ApsType({ id: `${ID}/static-params/1.0` })
    class StaticParams {
      @Operation({ verb: 'GET' })
      static search(@Param('q', { kind: 'query', required: true }) _q: string): void {}
    }
    expect(JSON.stringify(toApsSchema(StaticParams).operations)).toBe(
      JSON.stringify({
        search: {
          path: '/search',
          verb: 'GET',
          static: true,
          parameters: { q: { type: 'string', kind: 'query', required: true } },
        },
      }),
    );
  });
});

describe('parameters', () => {
  it('publishes body, query and path parameters in parameter order, keys type, items, kind, required', () => {
    @Structure()
    class ParamBody {
      @Property()
      value?: string;
    }

    @ApsType({ id: `${ID}/params/1.0` })
    class WithParams {
      @Operation({ verb: 'PUT', path: '/items/{itemId}' })
      update(
        @Param('itemId', { kind: 'path', required: true }) _itemId: string,
        @Param('tags', { kind: 'query', items: String }) _tags: string[],
        @Param('count', { kind: 'query', type: 'integer' }) _count: number,
        @Param('flag', { kind: 'query' }) _flag: boolean,
        @Param('body', { kind: 'body', required: true }) _body: ParamBody,
      ): void {}
    }
    const model = buildTypeModel([WithParams]).get(WithParams);
    const params = model.operations[0].parameters;
    expect(params.map((p) => [p.name, p.index, p.kind, p.required])).toEqual([
      ['itemId', 0, 'path', true],
      ['tags', 1, 'query', false],
      ['count', 2, 'query', false],
      ['flag', 3, 'query', false],
      ['body', 4, 'body', true],
    ]);
    expect(params[4].structure?.target).toBe(ParamBody);
    expect(JSON.stringify(toApsSchema(model).operations)).toBe(
      JSON.stringify({
        update: {
          path: '/items/{itemId}',
          verb: 'PUT',
          parameters: {
            itemId: { type: 'string', kind: 'path', required: true },
            tags: { type: 'array', items: { type: 'string' }, kind: 'query' },
            count: { type: 'integer', kind: 'query' },
            flag: { type: 'boolean', kind: 'query' },
            body: { type: 'ParamBody', kind: 'body', required: true },
          },
        },
      }),
    );
    expect(Object.keys(toApsSchema(model).structures ?? {})).toEqual(['ParamBody']);
  });

  it('orders parameters by position, whatever order the decorators run in', () => {
    @ApsType({ id: `${ID}/param-position/1.0` })
    class ParamPosition {
      @Operation({ verb: 'GET' })
      find(
        @Param('a', { kind: 'query' }) _a: string,
        _unused: unknown,
        @Param('c', { kind: 'query' }) _c: string,
      ): void {}
    }
    const params = buildTypeModel([ParamPosition]).get(ParamPosition).operations[0].parameters;
    expect(params.map((p) => [p.name, p.index])).toEqual([
      ['a', 0],
      ['c', 2],
    ]);
  });

  it('reports an array parameter without items', () => {
    @ApsType({ id: `${ID}/param-array-no-items/1.0` })
    class ParamArrayNoItems {
      @Operation({ verb: 'GET' })
      find(@Param('ids', { kind: 'query' }) _ids: string[]): void {}
    }
    expect(() => buildTypeModel([ParamArrayNoItems])).toThrow(
      /ParamArrayNoItems\.find\(ids\): an array parameter needs `items`/,
    );
  });
});

describe('responses', () => {
  it('publishes a response with items, contentType and name in that order', () => {
    @Structure()
    class ResponseItem {
      @Property()
      id?: string;
    }

    @ApsType({ id: `${ID}/response/1.0` })
    class WithResponse {
      @Operation({
        verb: 'GET',
        response: { name: 'items', contentType: 'application/json', items: ResponseItem, type: 'array' },
      })
      list(): ResponseItem[] {
        return [];
      }

      @Operation({ verb: 'GET', response: 'string' })
      label(): string {
        return '';
      }

      @Operation({ verb: 'GET', response: { type: 'string', contentType: 'text/plain' } })
      text(): string {
        return '';
      }
    }
    const model = buildTypeModel([WithResponse]).get(WithResponse);
    expect(model.operations[0].responseStructure?.target).toBe(ResponseItem);
    const operations = toApsSchema(model).operations ?? {};
    expect(JSON.stringify(operations.list)).toBe(
      JSON.stringify({
        path: '/list',
        verb: 'GET',
        response: { type: 'array', items: { type: 'ResponseItem' }, contentType: 'application/json', name: 'items' },
      }),
    );
    expect(JSON.stringify(operations.label)).toBe(
      JSON.stringify({ path: '/label', verb: 'GET', response: { type: 'string' } }),
    );
    expect(JSON.stringify(operations.text)).toBe(
      JSON.stringify({ path: '/text', verb: 'GET', response: { type: 'string', contentType: 'text/plain' } }),
    );
    expect(Object.keys(toApsSchema(model).structures ?? {})).toEqual(['ResponseItem']);
  });

  it('publishes an errorResponse and a structure response', () => {
    @Structure()
    class OpError {
      @Property()
      reason?: string;
    }

    @Structure()
    class OpResult {
      @Property()
      done?: boolean;
    }

    @ApsType({ id: `${ID}/error-response/1.0` })
    class WithErrorResponse {
      @Operation({ verb: 'POST', response: OpResult, errorResponse: { type: OpError } })
      run(): void {}
    }
    expect(JSON.stringify(toApsSchema(WithErrorResponse).operations)).toBe(
      JSON.stringify({
        run: { path: '/run', verb: 'POST', response: { type: 'OpResult' }, errorResponse: { type: 'OpError' } },
      }),
    );
  });

  it('reports an array response without items', () => {
    @ApsType({ id: `${ID}/response-no-items/1.0` })
    class ResponseNoItems {
      @Operation({ verb: 'GET', response: 'array' })
      list(): void {}
    }
    expect(() => buildTypeModel([ResponseNoItems])).toThrow(
      /ResponseNoItems\.list response: an array response needs `items`/,
    );
  });
});

describe('access', () => {
  it('emits an operation with every attribute in the order path, verb, static, parameters, response, errorResponse, access', () => {
    @ApsType({ id: `${ID}/access/1.0` })
    class WithAccess {
      @Operation({
        access: { referrer: true, owner: false },
        errorResponse: 'object',
        response: 'string',
        static: true,
        path: '/all',
        verb: 'POST',
        doc: 'Not part of the schema',
      })
      everything(@Param('x', { kind: 'query' }) _x: string): void {}
    }
    const op = toApsSchema(WithAccess).operations?.everything;
    expect(Object.keys(op ?? {})).toEqual([
      'path',
      'verb',
      'static',
      'parameters',
      'response',
      'errorResponse',
      'access',
    ]);
    expect(JSON.stringify(op)).toBe(
      JSON.stringify({
        path: '/all',
        verb: 'POST',
        static: true,
        parameters: { x: { type: 'string', kind: 'query' } },
        response: { type: 'string' },
        errorResponse: { type: 'object' },
        access: { referrer: true, owner: false },
      }),
    );
    expect(buildTypeModel([WithAccess]).get(WithAccess).operations[0].doc).toBe('Not part of the schema');
  });
});

describe('overrides', () => {
  it('lets a subclass re-declare an operation of a plain base class, replacing it and its parameters', () => {
    class OperationBase {
      @Operation({ verb: 'GET', path: '/old' })
      act(@Param('a', { kind: 'query' }) _a: string): void {}

      @Operation({ verb: 'GET' })
      kept(): void {}
    }

    @ApsType({ id: `${ID}/override/1.0` })
    class OperationOverride extends OperationBase {
      @Operation({ verb: 'POST', path: '/new' })
      override act(@Param('b', { kind: 'body' }) _b?: string): void {}
    }
    expect(JSON.stringify(toApsSchema(OperationOverride).operations)).toBe(
      JSON.stringify({
        act: { path: '/new', verb: 'POST', parameters: { b: { type: 'string', kind: 'body' } } },
        kept: { path: '/kept', verb: 'GET' },
      }),
    );
  });
});
