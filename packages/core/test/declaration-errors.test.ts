/**
 * Every declaration mistake the model builder reports. Each test builds a model from a fresh class
 * and checks that the DeclarationError names the class, the member and what is wrong in words a
 * user can act on.
 */
import {
  ApsType,
  buildTypeModel,
  DeclarationError,
  Operation,
  Param,
  Property,
  Relation,
  Structure,
  toApsSchema,
  type ApsTypeOptions,
  type Class,
  type HttpVerb,
  type ParamKind,
} from '@apskit/core';
import { declarationErrorOf, problem, problemsOf } from './helpers/declarations';

const ID = 'http://example.com/errors';

describe('operations', () => {
  it('reports two operations with the same verb and path', () => {
    @ApsType({ id: `${ID}/dup-path/1.0` })
    class DupPath {
      @Operation({ verb: 'POST', path: '/restart' })
      restart(): void {}

      @Operation({ verb: 'POST', path: '/restart', name: 'restartAgain' })
      restartAgain(): void {}
    }
    expect(problemsOf([DupPath])).toEqual([
      problem('DupPath', 'restartAgain', /duplicate operation path: POST \/restart is already declared by restart\(\)/),
    ]);
  });

  it('reports a default path that clashes with an explicit one', () => {
    @ApsType({ id: `${ID}/dup-default-path/1.0` })
    class DupDefaultPath {
      @Operation({ verb: 'GET' })
      status(): void {}

      @Operation({ verb: 'GET', path: '/status', name: 'state' })
      state(): void {}
    }
    expect(problemsOf([DupDefaultPath])).toContainEqual(
      problem('DupDefaultPath', 'state', /GET \/status is already declared by status\(\)/),
    );
  });

  it('allows the same path with a different verb, and a static operation on an instance path', () => {
    @ApsType({ id: `${ID}/same-path-other-verb/1.0` })
    class SamePathOtherVerb {
      @Operation({ verb: 'GET', path: '/settings' })
      readSettings(): void {}

      @Operation({ verb: 'PUT', path: '/settings' })
      writeSettings(): void {}

      @Operation({ verb: 'GET', path: '/settings', name: 'defaultSettings' })
      static defaultSettings(): void {}
    }
    const ops = buildTypeModel([SamePathOtherVerb]).get(SamePathOtherVerb).operations;
    expect(ops.map((o) => `${o.static ? 'static ' : ''}${o.verb} ${o.path}`)).toEqual([
      'GET /settings',
      'PUT /settings',
      'static GET /settings',
    ]);
  });

  it('reports two operations with the same name', () => {
    @ApsType({ id: `${ID}/dup-name/1.0` })
    class DupOpName {
      @Operation({ verb: 'GET', path: '/a', name: 'fetch' })
      fetchA(): void {}

      @Operation({ verb: 'GET', path: '/b', name: 'fetch' })
      fetchB(): void {}
    }
    expect(problemsOf([DupOpName])).toEqual([
      problem('DupOpName', 'fetchB', /operation name "fetch" is already used by fetchA\(\)/),
    ]);
  });

  it('reports an unknown verb and names the verbs APS has', () => {
    @ApsType({ id: `${ID}/bad-verb/1.0` })
    class BadVerb {
      @Operation({ verb: 'PATCH' as HttpVerb })
      touch(): void {}
    }
    expect(problemsOf([BadVerb])).toEqual([problem('BadVerb', 'touch', /unknown verb "PATCH": use one of GET, POST/)]);
  });

  it('reports an operation path that does not start with "/"', () => {
    @ApsType({ id: `${ID}/bad-path/1.0` })
    class BadOpPath {
      @Operation({ verb: 'GET', path: 'no-slash' })
      noSlash(): void {}
    }
    expect(problemsOf([BadOpPath])).toEqual([
      problem('BadOpPath', 'noSlash', /invalid operation path "no-slash": it must start with "\/"/),
    ]);
  });

  it('reports @Param on a method without @Operation', () => {
    @ApsType({ id: `${ID}/param-no-op/1.0` })
    class ParamNoOp {
      forgotten(@Param('value', { kind: 'query' }) _value: string): void {}
    }
    expect(problemsOf([ParamNoOp])).toEqual([
      problem('ParamNoOp', 'forgotten', /has @Param\(\) but no @Operation\(\)/),
    ]);
  });

  it('reports an operation with two body parameters', () => {
    @Structure()
    class TwoBodiesInput {
      @Property()
      value?: string;
    }

    @ApsType({ id: `${ID}/two-bodies/1.0` })
    class TwoBodies {
      @Operation({ verb: 'POST' })
      send(
        @Param('first', { kind: 'body' }) _first: TwoBodiesInput,
        @Param('second', { kind: 'body' }) _second: TwoBodiesInput,
      ): void {}
    }
    expect(problemsOf([TwoBodies])).toEqual([
      problem('TwoBodies', 'send', /an operation has one body: declare a structure for several values/),
    ]);
  });

  it('reports a parameter declared twice and an unknown parameter kind', () => {
    @ApsType({ id: `${ID}/param-twice/1.0` })
    class ParamTwice {
      @Operation({ verb: 'GET' })
      find(
        @Param('q', { kind: 'query' }) _a: string,
        @Param('q', { kind: 'query' }) _b: string,
        @Param('h', { kind: 'header' as ParamKind }) _c: string,
      ): void {}
    }
    const problems = problemsOf([ParamTwice]);
    expect(problems).toContainEqual(problem('ParamTwice', 'find(q)', /parameter "q" is declared twice/));
    expect(problems).toContainEqual(
      problem('ParamTwice', 'find(h)', /unknown parameter kind "header": use body, query or path/),
    );
  });
});

describe('relations', () => {
  it('reports a relation to a class not declared with @ApsType', () => {
    class NotAType {}

    @ApsType({ id: `${ID}/rel-plain/1.0` })
    class RelToPlain {
      @Relation(() => NotAType)
      other?: unknown;
    }
    expect(problemsOf([RelToPlain])).toEqual([
      problem(
        'RelToPlain',
        'other',
        /NotAType is used as a type but is not declared with @Structure\(\) or @ApsType\(\)/,
      ),
    ]);
  });

  it('reports a relation to a @Structure', () => {
    @Structure()
    class RelTargetStructure {
      @Property()
      value?: string;
    }

    @ApsType({ id: `${ID}/rel-structure/1.0` })
    class RelToStructure {
      @Relation(() => RelTargetStructure)
      other?: unknown;
    }
    expect(problemsOf([RelToStructure])).toEqual([
      problem('RelToStructure', 'other', /RelTargetStructure, a structure, is not an @ApsType class or a type ID/),
    ]);
  });

  it('reports a relation whose thunk returns undefined (a circular import read too early)', () => {
    const holder: { later?: Class } = {};

    @ApsType({ id: `${ID}/rel-undefined/1.0` })
    class RelUndefined {
      @Relation(() => holder.later as Class)
      other?: unknown;
    }
    expect(problemsOf([RelUndefined])).toEqual([
      problem('RelUndefined', 'other', /thunk returned undefined \(a circular import read too early\?\)/),
    ]);
  });

  // A reference without a version is taken (issue 21: published schemas have them); a malformed one is not.
  it('reports a relation to a malformed type ID', () => {
    @ApsType({ id: `${ID}/rel-bad-id/1.0` })
    class RelBadId {
      @Relation(() => 'http://example.com/no version')
      other?: unknown;
    }
    expect(problemsOf([RelBadId])).toEqual([
      problem('RelBadId', 'other', /invalid type ID "http:\/\/example.com\/no version": expected a URI/),
    ]);
  });

  it('reports a member declared both as a property and as a relation', () => {
    @ApsType({ id: `${ID}/rel-and-prop/1.0` })
    class RelAndProp {
      @Property()
      @Relation(() => 'http://example.com/other/1.0')
      other?: string;
    }
    expect(problemsOf([RelAndProp])).toEqual([
      problem('RelAndProp', 'other', /is declared both as a property and as a relation/),
    ]);
  });
});

describe('type names and IDs', () => {
  it('reports an invalid type name', () => {
    @ApsType({ id: `${ID}/bad-name/1.0`, name: '1 bad name' })
    class BadTypeName {}
    expect(problemsOf([BadTypeName])).toEqual([
      problem('BadTypeName', undefined, /invalid type name "1 bad name": use letters, digits/),
    ]);
  });

  it('reports an invalid type ID', () => {
    @ApsType({ id: 'example.com/thing' })
    class BadTypeId {}
    expect(problemsOf([BadTypeId])).toEqual([
      problem(
        'BadTypeId',
        undefined,
        /invalid type ID "example.com\/thing": expected http:\/\/host\/path\/major.minor/,
      ),
    ]);
  });

  it('reports a type ID without a major.minor version', () => {
    @ApsType({ id: 'http://example.com/app/thing/1' })
    class NoVersionId {}
    expect(problemsOf([NoVersionId])).toEqual([
      problem('NoVersionId', undefined, /invalid type ID "http:\/\/example.com\/app\/thing\/1"/),
    ]);
  });

  it('reports a missing type ID', () => {
    @ApsType({} as ApsTypeOptions)
    class MissingId {}

    @ApsType({ id: '' })
    class EmptyId {}
    const problems = problemsOf([MissingId, EmptyId]);
    expect(problems).toContainEqual(problem('MissingId', undefined, /has no type ID; give `id: "http:\/\/host/));
    expect(problems).toContainEqual(problem('EmptyId', undefined, /has no type ID/));
  });

  it('reports an invalid ID in `implements`, a name that is no ID, and a structure', () => {
    @Structure()
    class ImplementedStructure {}

    @ApsType({
      id: `${ID}/bad-implements/1.0`,
      implements: ['http://example.com/a base', 'resource', ImplementedStructure],
    })
    class BadImplements {}
    const problems = problemsOf([BadImplements]);
    expect(problems).toEqual([
      problem('BadImplements', 'implements', /invalid type ID "http:\/\/example.com\/a base"/),
      problem('BadImplements', 'implements', /"resource" is not a type ID or an @ApsType class/),
      problem('BadImplements', 'implements', /"ImplementedStructure" is not a type ID or an @ApsType class/),
    ]);
  });

  it('takes two types of one name and other IDs (APS tells types by ID), and refuses a lookup by that name', () => {
    @ApsType({ id: `${ID}/same-name-a/1.0`, name: 'Twin' })
    class TwinA {}

    @ApsType({ id: `${ID}/same-name-b/1.0`, name: 'Twin' })
    class TwinB {}
    const model = buildTypeModel([TwinA, TwinB]);
    expect(model.types.map((t) => [t.name, t.id])).toEqual([
      ['Twin', `${ID}/same-name-a/1.0`],
      ['Twin', `${ID}/same-name-b/1.0`],
    ]);
    expect(model.get(TwinB).id).toBe(`${ID}/same-name-b/1.0`);
    expect(model.get(`${ID}/same-name-a/1.0`).target).toBe(TwinA);
    expect(() => model.find('Twin')).toThrow(
      `The APS name "Twin" is ambiguous: 2 types have it (${ID}/same-name-a/1.0, ${ID}/same-name-b/1.0); name one by its type ID or class`,
    );
    expect(() => model.get('Twin')).toThrow(/is ambiguous/);
  });

  it('reports two types with the same ID', () => {
    @ApsType({ id: `${ID}/same-id/1.0` })
    class SameIdA {}

    @ApsType({ id: `${ID}/same-id/1.0` })
    class SameIdB {}
    expect(problemsOf([SameIdA, SameIdB])).toEqual([
      problem('SameIdB', undefined, /type id "http:\/\/example.com\/errors\/same-id\/1.0" is already used by SameIdA/),
    ]);
  });

  it('reports a class passed to buildTypeModel without @ApsType', () => {
    class Undeclared {}
    expect(problemsOf([Undeclared])).toEqual([problem('Undeclared', undefined, /is not declared with @ApsType\(\)/)]);
  });

  it('reports a structure passed to buildTypeModel as if it were a type', () => {
    @Structure()
    class OnlyAStructure {}
    expect(problemsOf([OnlyAStructure])).toEqual([
      problem('OnlyAStructure', undefined, /is not declared with @ApsType\(\)/),
    ]);
  });

  it('reports an undefined entry (a circular import read too early) instead of crashing', () => {
    @ApsType({ id: `${ID}/next-to-undefined/1.0` })
    class NextToUndefined {}
    const problems = problemsOf([NextToUndefined, undefined as unknown as Class]);
    expect(problems).toEqual([problem('an anonymous class', undefined, /undefined is not a class/)]);
  });
});

describe('structures', () => {
  it('reports a class without @Structure used as a property type', () => {
    class NotAStructure {
      value?: string;
    }

    @ApsType({ id: `${ID}/undeclared-structure/1.0` })
    class UsesUndeclaredStructure {
      @Property()
      settings?: NotAStructure;
    }
    expect(problemsOf([UsesUndeclaredStructure])).toEqual([
      problem(
        'UsesUndeclaredStructure',
        'settings',
        /NotAStructure is used as a type but is not declared with @Structure\(\) or @ApsType\(\)/,
      ),
    ]);
  });

  it('reports a class without @Structure used as array items', () => {
    class NotAStructureItem {}

    @ApsType({ id: `${ID}/undeclared-items/1.0` })
    class UsesUndeclaredItems {
      @Property({ items: NotAStructureItem })
      list?: NotAStructureItem[];
    }
    expect(problemsOf([UsesUndeclaredItems])).toEqual([
      problem('UsesUndeclaredItems', 'list', /items: NotAStructureItem is used as a type but is not declared/),
    ]);
  });

  it('reports a structure name that no declared structure has', () => {
    @ApsType({ id: `${ID}/unknown-structure-name/1.0` })
    class UnknownStructureName {
      @Property({ type: 'NoSuchStructure' })
      settings?: object;

      @Property({ items: 'AlsoMissing' })
      list?: object[];
    }
    expect(problemsOf([UnknownStructureName])).toEqual([
      problem('UnknownStructureName', 'settings', /structure "NoSuchStructure" is used but not declared/),
      problem('UnknownStructureName', 'list', /structure "AlsoMissing" is used but not declared/),
    ]);
  });

  it('reports a structure name used by an operation that no declared structure has', () => {
    @ApsType({ id: `${ID}/unknown-response-structure/1.0` })
    class UnknownResponseStructure {
      @Operation({ verb: 'GET', response: 'MissingReport' })
      report(): void {}
    }
    expect(problemsOf([UnknownResponseStructure])).toEqual([
      problem('UnknownResponseStructure', 'report response', /structure "MissingReport" is used but not declared/),
    ]);
  });

  it('reports an invalid structure name', () => {
    @Structure({ name: 'bad name' })
    class BadStructureName {
      @Property()
      value?: string;
    }

    @ApsType({ id: `${ID}/bad-structure-name/1.0` })
    class UsesBadStructureName {
      @Property()
      settings?: BadStructureName;
    }
    expect(problemsOf([UsesBadStructureName])).toEqual([
      problem('BadStructureName', undefined, /invalid structure name "bad name"/),
    ]);
  });

  it('reports two different structures with the same name in one schema', () => {
    @Structure({ name: 'Settings' })
    class SettingsOne {
      @Property()
      a?: string;
    }

    @Structure({ name: 'Settings' })
    class SettingsTwo {
      @Property()
      b?: string;
    }

    @ApsType({ id: `${ID}/same-structure-name/1.0` })
    class SameStructureName {
      @Property()
      one?: SettingsOne;

      @Property()
      two?: SettingsTwo;
    }
    expect(problemsOf([SameStructureName])).toContainEqual(
      problem('SameStructureName', undefined, /two structures are named "Settings": SettingsOne and SettingsTwo/),
    );
  });

  it('reports relations and operations declared on a structure', () => {
    @Structure()
    class BusyStructure {
      @Relation(() => 'http://example.com/other/1.0')
      other?: unknown;

      @Operation({ verb: 'GET' })
      run(): void {}
    }

    @ApsType({ id: `${ID}/busy-structure/1.0` })
    class UsesBusyStructure {
      @Property()
      busy?: BusyStructure;
    }
    const problems = problemsOf([UsesBusyStructure]);
    expect(problems).toContainEqual(problem('BusyStructure', 'other', /a structure cannot have relations/));
    expect(problems).toContainEqual(problem('BusyStructure', 'run', /a structure cannot have operations/));
  });

  it('reports a property mistake inside a structure at the structure and its member', () => {
    @Structure()
    class StructureWithUnion {
      @Property()
      value?: string | number;
    }

    @ApsType({ id: `${ID}/structure-member-problem/1.0` })
    class UsesStructureWithUnion {
      @Property()
      inner?: StructureWithUnion;
    }
    expect(problemsOf([UsesStructureWithUnion])).toEqual([
      problem('StructureWithUnion', 'value', /cannot infer the APS type/),
    ]);
  });

  it('reports something that is not a structure in `structures`', () => {
    class NotListed {}

    @ApsType({ id: `${ID}/bad-structures-option/1.0`, structures: [NotListed] })
    class BadStructuresOption {}
    expect(problemsOf([BadStructuresOption])).toEqual([
      problem('BadStructuresOption', 'structures', /NotListed is used as a type but is not declared with @Structure/),
    ]);
  });
});

describe('properties', () => {
  it('reports an array without items', () => {
    @ApsType({ id: `${ID}/array-no-items/1.0` })
    class ArrayNoItems {
      @Property()
      tags?: string[];
    }
    expect(problemsOf([ArrayNoItems])).toEqual([
      problem('ArrayNoItems', 'tags', /an array needs `items` \(e.g. `items: String` or `items: MyStructure`\)/),
    ]);
  });

  it('reports an array of arrays whose inner array has no items', () => {
    @ApsType({ id: `${ID}/inner-array-no-items/1.0` })
    class InnerArrayNoItems {
      @Property({ items: { type: 'array' } })
      matrix?: string[][];
    }
    expect(problemsOf([InnerArrayNoItems])).toEqual([
      problem('InnerArrayNoItems', 'matrix', /items of type "array" need their own `items`/),
    ]);
  });

  it('reports items on a property that is not an array', () => {
    @ApsType({ id: `${ID}/items-not-array/1.0` })
    class ItemsNotArray {
      @Property({ items: String })
      name?: string;
    }
    expect(problemsOf([ItemsNotArray])).toEqual([
      problem('ItemsNotArray', 'name', /`items` is only for arrays, but the type is "string"/),
    ]);
  });

  it('reports a property whose TypeScript type is a union (design type Object)', () => {
    @ApsType({ id: `${ID}/union/1.0` })
    class UnionProperty {
      @Property()
      value?: string | number;
    }
    expect(problemsOf([UnionProperty])).toEqual([
      problem('UnionProperty', 'value', /cannot infer the APS type from this TypeScript type .*: give `type`/),
    ]);
  });

  it('reports a property typed as a function', () => {
    @ApsType({ id: `${ID}/function-property/1.0` })
    class FunctionProperty {
      @Property()
      callback?: () => void;
    }
    expect(problemsOf([FunctionProperty])).toEqual([
      problem('FunctionProperty', 'callback', /Function has no APS type: give `type`/),
    ]);
  });

  it('reports the reserved property name `aps`', () => {
    @ApsType({ id: `${ID}/reserved-aps/1.0` })
    class ReservedAps {
      @Property()
      aps?: string;
    }
    expect(problemsOf([ReservedAps])).toEqual([
      problem('ReservedAps', 'aps', /"aps" is reserved for the resource metadata APS adds/),
    ]);
  });

  it('reports a relation named `aps` too', () => {
    @ApsType({ id: `${ID}/reserved-aps-relation/1.0` })
    class ReservedApsRelation {
      @Relation(() => 'http://example.com/other/1.0')
      aps?: unknown;
    }
    expect(problemsOf([ReservedApsRelation])).toEqual([problem('ReservedApsRelation', 'aps', /"aps" is reserved/)]);
  });

  it('reports a default that does not match the type', () => {
    @ApsType({ id: `${ID}/bad-default/1.0` })
    class BadDefault {
      @Property({ default: 'ten' })
      count?: number;

      @Property({ type: 'integer', default: 1.5 })
      whole?: number;

      @Property({ default: 1 })
      flag?: boolean;

      @Property({ items: String, default: 'a' })
      tags?: string[];
    }
    expect(problemsOf([BadDefault])).toEqual([
      problem('BadDefault', 'count', /default "ten" is not of type "number"/),
      problem('BadDefault', 'whole', /default 1.5 is not of type "integer"/),
      problem('BadDefault', 'flag', /default 1 is not of type "boolean"/),
      problem('BadDefault', 'tags', /default "a" is not of type "array"/),
    ]);
  });

  it('reports enum values that do not match the type', () => {
    @ApsType({ id: `${ID}/bad-enum/1.0` })
    class BadEnum {
      @Property({ enum: ['small', 2] })
      size?: string;
    }
    expect(problemsOf([BadEnum])).toEqual([problem('BadEnum', 'size', /enum value 2 is not of type "string"/)]);
  });

  it('reports enumTitles without an enum, and of another length', () => {
    @ApsType({ id: `${ID}/bad-enum-titles/1.0` })
    class BadEnumTitles {
      @Property({ enumTitles: ['Small', 'Large'] })
      size?: string;

      @Property({ enum: ['s', 'm', 'l'], enumTitles: ['Small', 'Large'] })
      other?: string;
    }
    expect(problemsOf([BadEnumTitles])).toEqual([
      problem('BadEnumTitles', 'size', /`enumTitles` needs an `enum` of the same length/),
      problem('BadEnumTitles', 'other', /`enumTitles` needs an `enum` of the same length/),
    ]);
  });

  it('reports inline properties on a property that is not an object', () => {
    @ApsType({ id: `${ID}/inline-not-object/1.0` })
    class InlineNotObject {
      @Property({ type: 'string', properties: { a: { type: 'string' } } })
      value?: string;
    }
    expect(problemsOf([InlineNotObject])).toEqual([
      problem('InlineNotObject', 'value', /inline `properties` need type "object", but the type is "string"/),
    ]);
  });

  it('reports a mistake inside inline properties at `member.inner`', () => {
    @ApsType({ id: `${ID}/inline-problem/1.0` })
    class InlineProblem {
      @Property({ properties: { count: { type: 'integer', default: 'x' }, nothing: {} } })
      limits?: object;
    }
    const problems = problemsOf([InlineProblem]);
    expect(problems).toContainEqual(problem('InlineProblem', 'limits.count', /default "x" is not of type "integer"/));
    expect(problems).toContainEqual(problem('InlineProblem', 'limits.nothing', /give `type`/));
  });

  it('reports an invalid member name', () => {
    @ApsType({ id: `${ID}/bad-member-name/1.0` })
    class BadMemberName {
      @Property({ type: 'string' })
      'has space'?: string;
    }
    expect(problemsOf([BadMemberName])).toEqual([
      problem('BadMemberName', 'has space', /invalid name "has space": use letters, digits/),
    ]);
  });

  it('reports an unknown type value', () => {
    @ApsType({ id: `${ID}/unknown-type-value/1.0` })
    class UnknownTypeValue {
      @Property({ type: 42 as unknown as 'string' })
      value?: string;
    }
    expect(problemsOf([UnknownTypeValue])).toEqual([problem('UnknownTypeValue', 'value', /unknown type 42/)]);
  });
});

describe('the DeclarationError', () => {
  it('reports every mistake at once, across members and classes, not just the first', () => {
    @ApsType({ id: 'not-an-id', name: 'Many Mistakes' })
    class ManyMistakes {
      @Property()
      aps?: string;

      @Property()
      tags?: string[];

      @Property({ default: 3 })
      label?: string;

      @Operation({ verb: 'PATCH' as HttpVerb })
      touch(): void {}
    }

    class AlsoUndeclared {}
    const problems = problemsOf([ManyMistakes, AlsoUndeclared]);
    expect(problems).toEqual([
      problem('ManyMistakes', undefined, /invalid type name "Many Mistakes"/),
      problem('ManyMistakes', undefined, /invalid type ID "not-an-id"/),
      problem('ManyMistakes', 'aps', /"aps" is reserved/),
      problem('ManyMistakes', 'tags', /an array needs `items`/),
      problem('ManyMistakes', 'label', /default 3 is not of type "string"/),
      problem('ManyMistakes', 'touch', /unknown verb "PATCH"/),
      problem('AlsoUndeclared', undefined, /is not declared with @ApsType\(\)/),
    ]);
  });

  it('formats its message as a count and one `Class.member: ...` line per mistake', () => {
    @ApsType({ id: `${ID}/format/1.0`, name: 'bad name!' })
    class FormatMistakes {
      @Property()
      tags?: string[];
    }
    const error = declarationErrorOf([FormatMistakes]);
    expect(error).toBeInstanceOf(DeclarationError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('DeclarationError');
    expect(error.message).toBe(
      [
        '2 declaration mistakes:',
        '  - FormatMistakes: invalid type name "bad name!": use letters, digits, "_" and "-", starting with a letter',
        '  - FormatMistakes.tags: an array needs `items` (e.g. `items: String` or `items: MyStructure`)',
      ].join('\n'),
    );
  });

  it('says "1 declaration mistake" for one', () => {
    class SingleMistake {}
    expect(declarationErrorOf([SingleMistake]).message).toBe(
      '1 declaration mistake:\n  - SingleMistake: is not declared with @ApsType()',
    );
  });

  it('formats problems given to it directly', () => {
    expect(
      DeclarationError.format([
        { className: 'A', member: 'b', message: 'is wrong' },
        { className: 'C', message: 'too' },
      ]),
    ).toBe('2 declaration mistakes:\n  - A.b: is wrong\n  - C: too');
  });

  it('is thrown by toApsSchema(Class) too', () => {
    class NotForSchema {}
    expect(() => toApsSchema(NotForSchema)).toThrow(DeclarationError);
    expect(() => toApsSchema(NotForSchema)).toThrow(/NotForSchema: is not declared with @ApsType\(\)/);
  });
});

describe('decorators put where they cannot work', () => {
  // Decorators record these instead of throwing at import, so the model reports them with the rest.
  it('reports members with symbol names, and @Param on a constructor, with the other mistakes', () => {
    const secret = Symbol('secret');
    const run = Symbol('run');
    const link = Symbol('link');
    const declared: Class[] = [];
    expect(() => {
      @ApsType({ id: `${ID}/misplaced/1.0` })
      class Misplaced {
        constructor(@Param('seed', { kind: 'query' }) readonly seed?: string) {}

        @Property()
        [secret]?: string;

        @Relation(() => Misplaced)
        [link]?: Misplaced;

        @Operation({ verb: 'POST' })
        [run](): void {}

        @Property({ type: 'array' })
        tags?: string[];
      }
      declared.push(Misplaced);
    }).not.toThrow();
    expect(problemsOf(declared)).toEqual([
      problem('Misplaced', undefined, /^APS members must have string names, not Symbol\(secret\)$/),
      problem('Misplaced', undefined, /^APS members must have string names, not Symbol\(link\)$/),
      problem('Misplaced', undefined, /^APS members must have string names, not Symbol\(run\)$/),
      problem('Misplaced', 'constructor', /^@Param\('seed'\) belongs on a method parameter, not a constructor$/),
      problem('Misplaced', 'tags', /an array needs `items`/),
    ]);
  });

  it('reports a mistake of a base class once, however many types extend it', () => {
    const hidden = Symbol('hidden');
    class Base {
      @Property()
      [hidden]?: string;
    }
    @ApsType({ id: `${ID}/first/1.0` })
    class First extends Base {}
    @ApsType({ id: `${ID}/second/1.0` })
    class Second extends Base {}
    expect(problemsOf([First, Second])).toEqual([
      problem('Base', undefined, /^APS members must have string names, not Symbol\(hidden\)$/),
    ]);
  });
});
