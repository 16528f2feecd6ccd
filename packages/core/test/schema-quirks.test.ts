/**
 * What real published schemas say that APSKit once could not (issue 21), each declared with the
 * option that says it and emitted byte for byte: the schema text is `JSON.stringify(schema, null, 2)`,
 * as `apskit schema` prints it. One minimal type per quirk.
 */
import {
  ApsType,
  buildTypeModel,
  Operation,
  Param,
  Property,
  Relation,
  Structure,
  toApsSchema,
  unresolvedType,
  type Class,
} from '@apskit/core';
import { problem, problemsOf } from './helpers/declarations';

const ID = 'http://vendor.example/quirks';

/** The schema as `apskit schema` prints it. */
function printed(type: Class): string {
  return JSON.stringify(toApsSchema(type), null, 2);
}

/** The expected schema text, written as JSON in the order given. */
function text(schema: object): string {
  return JSON.stringify(schema, null, 2);
}

describe('explicit defaults: published as written, and only when written', () => {
  it('keeps `"collection": false`, `"required": false` on relations and parameters, and `"static": false`', () => {
    @ApsType({ id: `${ID}/explicit-defaults/1.0` })
    class ExplicitDefaults {
      @Relation(() => `${ID}/stack/1.0`, { collection: false, required: true })
      stack?: unknown;

      @Relation(() => `${ID}/other/1.0`)
      other?: unknown;

      @Property({ type: 'string', required: false, readonly: false, final: false, encrypted: false })
      note?: string;

      @Operation({ verb: 'GET', static: false })
      ping(@Param('limit', { kind: 'query', type: 'integer', required: false }) _limit?: number): void {}

      @Operation({ verb: 'GET' })
      pong(@Param('limit', { kind: 'query', type: 'integer' }) _limit?: number): void {}
    }
    expect(printed(ExplicitDefaults)).toBe(
      text({
        name: 'ExplicitDefaults',
        id: `${ID}/explicit-defaults/1.0`,
        apsVersion: '2.0',
        relations: {
          stack: { type: `${ID}/stack/1.0`, collection: false, required: true },
          other: { type: `${ID}/other/1.0` },
        },
        properties: { note: { type: 'string', required: false, final: false, readonly: false, encrypted: false } },
        operations: {
          ping: {
            path: '/ping',
            verb: 'GET',
            static: false,
            parameters: { limit: { type: 'integer', kind: 'query', required: false } },
          },
          pong: { path: '/pong', verb: 'GET', parameters: { limit: { type: 'integer', kind: 'query' } } },
        },
      }),
    );
    // What the runtime reads is the meaning, which a written `false` does not change.
    const model = buildTypeModel([ExplicitDefaults]).get(ExplicitDefaults);
    expect(model.relations.map((r) => [r.name, r.collection, r.required])).toEqual([
      ['stack', false, true],
      ['other', false, false],
    ]);
    expect(model.operations.map((o) => [o.name, o.static, o.parameters[0]?.required])).toEqual([
      ['ping', false, false],
      ['pong', false, false],
    ]);
  });
});

describe('responses', () => {
  it('publishes `items` on a response of type string or object, as the platform took them', () => {
    @ApsType({ id: `${ID}/response-items/1.0` })
    class ResponseItems {
      @Operation({ verb: 'GET', response: { type: 'string', items: 'string' } })
      name(): string {
        return '';
      }

      @Operation({ verb: 'GET', response: { type: 'object', items: { type: 'object' } } })
      info(): object {
        return {};
      }
    }
    expect(printed(ResponseItems)).toBe(
      text({
        name: 'ResponseItems',
        id: `${ID}/response-items/1.0`,
        apsVersion: '2.0',
        operations: {
          name: { path: '/name', verb: 'GET', response: { type: 'string', items: { type: 'string' } } },
          info: { path: '/info', verb: 'GET', response: { type: 'object', items: { type: 'object' } } },
        },
      }),
    );
  });

  it('publishes `"contentType": null`', () => {
    @ApsType({ id: `${ID}/content-type-null/1.0` })
    class ContentTypeNull {
      @Operation({ verb: 'GET', response: { type: 'string', contentType: null } })
      download(): string {
        return '';
      }
    }
    expect(printed(ContentTypeNull)).toBe(
      text({
        name: 'ContentTypeNull',
        id: `${ID}/content-type-null/1.0`,
        apsVersion: '2.0',
        operations: { download: { path: '/download', verb: 'GET', response: { type: 'string', contentType: null } } },
      }),
    );
  });
});

describe('type IDs of other types', () => {
  it('takes a type ID without a version, or with one part, in a relation, `implements` and a type', () => {
    @ApsType({
      id: `${ID}/odd-ids/1.0`,
      implements: ['http://vendor.example/heatstack', 'http://vendor.example/base/2'],
    })
    class OddIds {
      @Relation(() => 'http://vendor.example/heatstack', { required: true })
      stack?: unknown;

      @Property({ type: 'http://vendor.example/heatstack#Settings' })
      settings?: object;
    }
    expect(printed(OddIds)).toBe(
      text({
        name: 'OddIds',
        id: `${ID}/odd-ids/1.0`,
        apsVersion: '2.0',
        implements: ['http://vendor.example/heatstack', 'http://vendor.example/base/2'],
        relations: { stack: { type: 'http://vendor.example/heatstack', required: true } },
        properties: { settings: { type: 'http://vendor.example/heatstack#Settings' } },
      }),
    );
  });

  it('still refuses a type ID with a space, and a declared type without major.minor', () => {
    @ApsType({ id: 'http://vendor.example/unversioned' })
    class Unversioned {
      @Relation(() => 'http://vendor.example/heat stack')
      stack?: unknown;
    }
    expect(problemsOf([Unversioned])).toEqual([
      problem(
        'Unversioned',
        undefined,
        /invalid type ID "http:\/\/vendor.example\/unversioned": expected http:\/\/host/,
      ),
      problem('Unversioned', 'stack', /invalid type ID "http:\/\/vendor.example\/heat stack": expected a URI/),
    ]);
  });
});

describe('extraAttributes: attributes APSKit has no option for', () => {
  it('publishes them after the known ones, on the type, a relation, a property, items, an operation, a parameter and a response', () => {
    @ApsType({ id: `${ID}/extra/1.0`, extraAttributes: { 'x-vendor': { mark: 1 } } })
    class Extra {
      @Relation(() => `${ID}/stack/1.0`, { required: true, extraAttributes: { hint: 'one' } })
      stack?: unknown;

      @Property({ type: 'integer', extraAttributes: { 'x-ui': 'slider' } })
      size?: number;

      @Property({ type: 'array', items: { type: 'string', extraAttributes: { 'x-each': true } } })
      tags?: string[];

      @Operation({
        verb: 'GET',
        response: { type: 'object', extraAttributes: { cache: false } },
        extraAttributes: { deprecated: true },
      })
      info(@Param('q', { kind: 'query', type: 'string', extraAttributes: { hidden: true } }) _q?: string): object {
        return {};
      }
    }
    expect(printed(Extra)).toBe(
      text({
        name: 'Extra',
        id: `${ID}/extra/1.0`,
        apsVersion: '2.0',
        relations: { stack: { type: `${ID}/stack/1.0`, required: true, hint: 'one' } },
        properties: {
          size: { type: 'integer', 'x-ui': 'slider' },
          tags: { type: 'array', items: { type: 'string', 'x-each': true } },
        },
        operations: {
          info: {
            path: '/info',
            verb: 'GET',
            parameters: { q: { type: 'string', kind: 'query', hidden: true } },
            response: { type: 'object', cache: false },
            deprecated: true,
          },
        },
        'x-vendor': { mark: 1 },
      }),
    );
  });

  it('refuses an attribute that has an option of its own', () => {
    @ApsType({ id: `${ID}/extra-known/1.0`, extraAttributes: { apsVersion: '2.1' } })
    class ExtraKnown {
      @Property({ type: 'string', extraAttributes: { required: true } })
      name?: string;
    }
    expect(problemsOf([ExtraKnown])).toEqual([
      problem('ExtraKnown', 'extraAttributes', /"apsVersion" has an option of its own: write `apsVersion: …` instead/),
      problem('ExtraKnown', 'name extraAttributes', /"required" has an option of its own/),
    ]);
  });
});

describe('operationOrder: static operations where the schema lists them', () => {
  it('publishes operations in the order named, though TypeScript decorates static methods last', () => {
    @ApsType({ id: `${ID}/static-order/1.0`, operationOrder: ['search', 'restart'] })
    class StaticOrder {
      @Operation({ verb: 'POST' })
      restart(): void {}

      @Operation({ verb: 'GET' })
      static search(): void {}

      @Operation({ verb: 'POST' })
      stop(): void {}
    }
    expect(printed(StaticOrder)).toBe(
      text({
        name: 'StaticOrder',
        id: `${ID}/static-order/1.0`,
        apsVersion: '2.0',
        operations: {
          search: { path: '/search', verb: 'GET', static: true },
          restart: { path: '/restart', verb: 'POST' },
          stop: { path: '/stop', verb: 'POST' },
        },
      }),
    );
  });

  it('refuses a name that is no operation, and a name given twice', () => {
    @ApsType({ id: `${ID}/bad-order/1.0`, operationOrder: ['restart', 'nothing', 'restart'] })
    class BadOrder {
      @Operation({ verb: 'POST' })
      restart(): void {}
    }
    expect(problemsOf([BadOrder])).toEqual([
      problem('BadOrder', 'operationOrder', /"nothing" is no operation of BadOrder: it has restart/),
      problem('BadOrder', 'operationOrder', /"restart" is named twice/),
    ]);
  });
});

describe('keyOrder: the key order of a schema written otherwise', () => {
  it('publishes the keys of a type, relation, property, items, operation, parameter and response in the order named', () => {
    @ApsType({ id: `${ID}/key-order/1.0`, keyOrder: ['apsVersion', 'name', 'id', 'properties', 'relations'] })
    class KeyOrder {
      @Relation(() => `${ID}/stack/1.0`, {
        collection: false,
        required: true,
        keyOrder: ['type', 'required', 'collection'],
      })
      stack?: unknown;

      @Property({ type: 'string', title: 'Size', required: true, keyOrder: ['title', 'type', 'required'] })
      size?: string;

      @Property({ type: 'array', items: { type: 'string', enum: ['a'], keyOrder: ['enum', 'type'] } })
      tags?: string[];

      @Operation({
        verb: 'GET',
        response: { type: 'string', contentType: 'text/plain', keyOrder: ['contentType', 'type'] },
        keyOrder: ['verb', 'path', 'response', 'parameters'],
      })
      info(@Param('q', { kind: 'query', type: 'string', keyOrder: ['kind', 'type'] }) _q?: string): string {
        return '';
      }
    }
    expect(printed(KeyOrder)).toBe(
      text({
        apsVersion: '2.0',
        name: 'KeyOrder',
        id: `${ID}/key-order/1.0`,
        properties: {
          size: { title: 'Size', type: 'string', required: true },
          tags: { type: 'array', items: { enum: ['a'], type: 'string' } },
        },
        relations: { stack: { type: `${ID}/stack/1.0`, required: true, collection: false } },
        operations: {
          info: {
            verb: 'GET',
            path: '/info',
            response: { contentType: 'text/plain', type: 'string' },
            parameters: { q: { kind: 'query', type: 'string' } },
          },
        },
      }),
    );
  });

  it('refuses a key the object does not publish, and a key named twice', () => {
    @ApsType({ id: `${ID}/bad-key-order/1.0`, keyOrder: ['name', 'name'] })
    class BadKeyOrder {
      @Property({ type: 'string', keyOrder: ['title', 'type'] })
      size?: string;
    }
    expect(problemsOf([BadKeyOrder])).toEqual([
      problem('BadKeyOrder', 'keyOrder', /"name" is named twice/),
      problem('BadKeyOrder', 'size keyOrder', /"title" is no key this object publishes: it has type/),
    ]);
  });
});

describe('structures and operation paths', () => {
  it("publishes a structure's extra attributes and key order, and takes any URL path for an operation", () => {
    @Structure({ extraAttributes: { description: 'a token' }, keyOrder: ['properties', 'type'] })
    class Token {
      @Property({ type: 'string' })
      id?: string;
    }

    @ApsType({ id: `${ID}/structure-extra/1.0` })
    class StructureExtra {
      @Operation({ verb: 'GET', path: '/$configurations', response: Token })
      configurations(): Token {
        return new Token();
      }
    }
    expect(printed(StructureExtra)).toBe(
      text({
        name: 'StructureExtra',
        id: `${ID}/structure-extra/1.0`,
        apsVersion: '2.0',
        operations: { configurations: { path: '/$configurations', verb: 'GET', response: { type: 'Token' } } },
        structures: { Token: { properties: { id: { type: 'string' } }, type: 'object', description: 'a token' } },
      }),
    );
  });
});

describe('unresolvedType and publishedKind: names and kinds the platform took as written', () => {
  it('publishes a type name the model does not look up, and a parameter kind other than body, query or path', () => {
    @Structure()
    class Ticket {
      // `Identity`: another type, named by its APS name.
      @Property({ type: unresolvedType('Identity') })
      identity?: Record<string, unknown>;
    }

    @ApsType({ id: `${ID}/unresolved/1.0` })
    class Unresolved {
      // `Token`: a structure the base type declares.
      @Operation({ verb: 'POST', path: '/token', response: { name: 'token', type: unresolvedType('Token') } })
      token(): unknown {
        return undefined;
      }

      @Operation({ verb: 'GET', path: '/backup', response: { type: unresolvedType('binary'), contentType: 'x/y' } })
      backup(): unknown {
        return undefined;
      }

      @Operation({ verb: 'PUT', path: '/' })
      configure(
        @Param('new', { kind: 'body', type: unresolvedType('self'), required: true }) _n: unknown,
        @Param('data', { kind: 'query', publishedKind: 'text/json', type: 'string' }) _d?: string,
        @Param('ticket', { kind: 'query', type: Ticket }) _t?: Ticket,
      ): void {}
    }
    const model = buildTypeModel([Unresolved]);
    // The endpoint reads `data` from the query, whatever the schema calls it.
    expect(model.get(Unresolved).operations[2]?.parameters[1]).toMatchObject({
      kind: 'query',
      publishedKind: 'text/json',
    });
    expect(printed(Unresolved)).toBe(
      text({
        name: 'Unresolved',
        id: `${ID}/unresolved/1.0`,
        apsVersion: '2.0',
        operations: {
          token: { path: '/token', verb: 'POST', response: { type: 'Token', name: 'token' } },
          backup: { path: '/backup', verb: 'GET', response: { type: 'binary', contentType: 'x/y' } },
          configure: {
            path: '/',
            verb: 'PUT',
            parameters: {
              new: { type: 'self', kind: 'body', required: true },
              data: { type: 'string', kind: 'text/json' },
              ticket: { type: 'Ticket', kind: 'query' },
            },
          },
        },
        structures: { Ticket: { type: 'object', properties: { identity: { type: 'Identity' } } } },
      }),
    );
  });

  it('publishes a parameter without a type (untyped), which the endpoint checks as an object', () => {
    @ApsType({ id: `${ID}/untyped/1.0` })
    class Untyped {
      @Operation({ verb: 'PUT', path: '/restore' })
      restore(
        @Param('backupData', { kind: 'body', untyped: true, extraAttributes: { contentType: 'application/binary' } })
        _data?: unknown,
      ): void {}
    }
    expect(buildTypeModel([Untyped]).get(Untyped).operations[0]?.parameters[0]).toMatchObject({
      type: 'object',
      untyped: true,
    });
    expect(printed(Untyped)).toBe(
      text({
        name: 'Untyped',
        id: `${ID}/untyped/1.0`,
        apsVersion: '2.0',
        operations: {
          restore: {
            path: '/restore',
            verb: 'PUT',
            parameters: { backupData: { kind: 'body', contentType: 'application/binary' } },
          },
        },
      }),
    );
  });

  it('refuses an unresolved name that is a primitive or holds a space, and a kind of two words', () => {
    @ApsType({ id: `${ID}/bad-unresolved/1.0` })
    class BadUnresolved {
      @Property({ type: unresolvedType('string') })
      a?: string;

      @Property({ type: unresolvedType('two words') })
      b?: string;

      @Operation({ verb: 'GET' })
      get(@Param('q', { kind: 'query', type: 'string', publishedKind: 'text json' }) _q?: string): void {}

      @Operation({ verb: 'PUT' })
      put(@Param('b', { kind: 'body', type: 'string', untyped: true }) _b?: string): void {}
    }
    expect(problemsOf([BadUnresolved])).toEqual([
      problem('BadUnresolved', 'a', /unresolvedType\("string"\): give a name such as "Token"/),
      problem('BadUnresolved', 'b', /unresolvedType\("two words"\)/),
      problem('BadUnresolved', 'get(q)', /publishedKind "text json" must be one word/),
      problem('BadUnresolved', 'put(b)', /`untyped` publishes no type: give `untyped` or `type`, not both/),
    ]);
  });
});
