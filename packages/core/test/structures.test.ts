/**
 * Structures: nesting, the order of the `structures` section, arrays of structures and of arrays,
 * a structure that contains itself, structures named by string, and inline object properties.
 */
import { ApsType, buildTypeModel, Operation, Param, Property, Structure, toApsSchema } from '@apskit/core';
import { problem, problemsOf, schemaJson } from './helpers/declarations';

const ID = 'http://example.com/structures';

describe('nested structures', () => {
  it('publishes a structure in a structure in a structure, each once, outermost first', () => {
    @Structure()
    class NestLevel3 {
      @Property({ required: true })
      leaf!: string;
    }

    @Structure()
    class NestLevel2 {
      @Property()
      level3?: NestLevel3;
    }

    @Structure()
    class NestLevel1 {
      @Property()
      level2?: NestLevel2;

      @Property({ items: NestLevel3 })
      leaves?: NestLevel3[];
    }

    @ApsType({ id: `${ID}/nested/1.0` })
    class Nested {
      @Property()
      level1?: NestLevel1;
    }
    expect(schemaJson(Nested)).toEqual({
      name: 'Nested',
      id: `${ID}/nested/1.0`,
      apsVersion: '2.0',
      properties: { level1: { type: 'NestLevel1' } },
      structures: {
        NestLevel1: {
          type: 'object',
          properties: { level2: { type: 'NestLevel2' }, leaves: { type: 'array', items: { type: 'NestLevel3' } } },
        },
        NestLevel2: { type: 'object', properties: { level3: { type: 'NestLevel3' } } },
        NestLevel3: { type: 'object', properties: { leaf: { type: 'string', required: true } } },
      },
    });
  });

  it('orders structures: the `structures` option first, then pre-order through properties, then operations', () => {
    @Structure()
    class OrderListed {
      @Property()
      value?: string;
    }

    @Structure()
    class OrderInner {
      @Property()
      value?: string;
    }

    @Structure()
    class OrderOuter {
      @Property()
      inner?: OrderInner;
    }

    @Structure()
    class OrderSecond {
      @Property()
      value?: string;
    }

    @Structure()
    class OrderParam {
      @Property()
      value?: string;
    }

    @Structure()
    class OrderResponse {
      @Property()
      value?: string;
    }

    @Structure()
    class OrderError {
      @Property()
      value?: string;
    }

    @ApsType({ id: `${ID}/order/1.0`, structures: [OrderListed, () => OrderSecond] })
    class Ordered {
      @Operation({ verb: 'POST', response: OrderResponse, errorResponse: OrderError })
      act(@Param('input', { kind: 'body' }) _input: OrderParam): void {}

      @Property()
      outer?: OrderOuter;

      @Property()
      second?: OrderSecond;

      @Property()
      again?: OrderInner;
    }
    const schema = toApsSchema(Ordered);
    expect(Object.keys(schema.structures ?? {})).toEqual([
      'OrderListed',
      'OrderSecond',
      'OrderOuter',
      'OrderInner',
      'OrderParam',
      'OrderResponse',
      'OrderError',
    ]);
    expect(
      buildTypeModel([Ordered])
        .get(Ordered)
        .structures.map((s) => s.target),
    ).toEqual([OrderListed, OrderSecond, OrderOuter, OrderInner, OrderParam, OrderResponse, OrderError]);
  });

  it('publishes a structure that only the `structures` option names', () => {
    @Structure()
    class OnlyListed {
      @Property({ type: 'integer' })
      count?: number;
    }

    @ApsType({ id: `${ID}/only-listed/1.0`, structures: [OnlyListed] })
    class ListsOnly {}
    expect(JSON.stringify(toApsSchema(ListsOnly))).toBe(
      JSON.stringify({
        name: 'ListsOnly',
        id: `${ID}/only-listed/1.0`,
        apsVersion: '2.0',
        structures: { OnlyListed: { type: 'object', properties: { count: { type: 'integer' } } } },
      }),
    );
  });

  it('uses the structure name from @Structure({ name }) everywhere', () => {
    @Structure({ name: 'PublishedName' })
    class RenamedStructure {
      @Property()
      value?: string;
    }

    @ApsType({ id: `${ID}/renamed/1.0` })
    class UsesRenamed {
      @Property()
      one?: RenamedStructure;

      @Property({ items: RenamedStructure })
      many?: RenamedStructure[];
    }
    const schema = schemaJson(UsesRenamed);
    expect(schema.properties).toEqual({
      one: { type: 'PublishedName' },
      many: { type: 'array', items: { type: 'PublishedName' } },
    });
    expect(Object.keys(schema.structures as object)).toEqual(['PublishedName']);
  });

  it('keeps the base class properties of a structure, base first', () => {
    class StructureBase {
      @Property()
      first?: string;
    }

    @Structure()
    class DerivedStructure extends StructureBase {
      @Property()
      second?: string;
    }

    @ApsType({ id: `${ID}/derived-structure/1.0` })
    class UsesDerivedStructure {
      @Property()
      value?: DerivedStructure;
    }
    expect(schemaJson(UsesDerivedStructure).structures).toEqual({
      DerivedStructure: { type: 'object', properties: { first: { type: 'string' }, second: { type: 'string' } } },
    });
  });
});

describe('arrays', () => {
  it('publishes an array of structures with the structure in `structures`', () => {
    @Structure()
    class ArrayItem {
      @Property({ required: true })
      id!: string;
    }

    @ApsType({ id: `${ID}/array-of-structures/1.0` })
    class ArrayOfStructures {
      @Property({ items: ArrayItem, required: true })
      items!: ArrayItem[];
    }
    const model = buildTypeModel([ArrayOfStructures]).get(ArrayOfStructures);
    expect(model.properties[0].structure?.target).toBe(ArrayItem);
    expect(JSON.stringify(toApsSchema(model))).toBe(
      JSON.stringify({
        name: 'ArrayOfStructures',
        id: `${ID}/array-of-structures/1.0`,
        apsVersion: '2.0',
        properties: { items: { type: 'array', items: { type: 'ArrayItem' }, required: true } },
        structures: { ArrayItem: { type: 'object', properties: { id: { type: 'string', required: true } } } },
      }),
    );
  });

  it('takes items in the APS object form `{ type }` too', () => {
    @Structure()
    class ObjectFormItem {
      @Property()
      value?: string;
    }

    @ApsType({ id: `${ID}/object-form-items/1.0` })
    class ObjectFormItems {
      @Property({ items: { type: ObjectFormItem } })
      list?: ObjectFormItem[];

      @Property({ items: { type: 'integer' } })
      numbers?: number[];
    }
    expect(schemaJson(ObjectFormItems).properties).toEqual({
      list: { type: 'array', items: { type: 'ObjectFormItem' } },
      numbers: { type: 'array', items: { type: 'integer' } },
    });
  });

  it('publishes arrays of arrays, and finds a structure two arrays deep', () => {
    @Structure()
    class Cell {
      @Property()
      value?: string;
    }

    @ApsType({ id: `${ID}/array-of-arrays/1.0` })
    class ArrayOfArrays {
      @Property({ items: { type: 'array', items: String } })
      matrix?: string[][];

      @Property({ items: { type: 'array', items: Cell } })
      grid?: Cell[][];

      @Property({ items: { type: 'array', items: { type: 'array', items: 'integer' } } })
      cube?: number[][][];
    }
    const model = buildTypeModel([ArrayOfArrays]).get(ArrayOfArrays);
    expect(model.properties.map((p) => p.structure?.target)).toEqual([undefined, Cell, undefined]);
    expect(JSON.stringify(toApsSchema(model))).toBe(
      JSON.stringify({
        name: 'ArrayOfArrays',
        id: `${ID}/array-of-arrays/1.0`,
        apsVersion: '2.0',
        properties: {
          matrix: { type: 'array', items: { type: 'array', items: { type: 'string' } } },
          grid: { type: 'array', items: { type: 'array', items: { type: 'Cell' } } },
          cube: { type: 'array', items: { type: 'array', items: { type: 'array', items: { type: 'integer' } } } },
        },
        structures: { Cell: { type: 'object', properties: { value: { type: 'string' } } } },
      }),
    );
  });
});

describe('self-reference', () => {
  it('publishes a structure that contains itself, once, without looping', () => {
    @Structure()
    class TreeNode {
      @Property({ required: true })
      label!: string;

      @Property({ items: () => TreeNode })
      children?: TreeNode[];

      @Property()
      parent?: TreeNode;
    }

    @ApsType({ id: `${ID}/tree/1.0` })
    class Tree {
      @Property()
      root?: TreeNode;
    }
    const model = buildTypeModel([Tree]).get(Tree);
    const node = model.structures[0];
    expect(model.structures).toHaveLength(1);
    expect(node.properties.find((p) => p.name === 'children')?.structure).toBe(node);
    expect(node.properties.find((p) => p.name === 'parent')?.structure).toBe(node);
    expect(toApsSchema(model).structures).toEqual({
      TreeNode: {
        type: 'object',
        properties: {
          label: { type: 'string', required: true },
          children: { type: 'array', items: { type: 'TreeNode' } },
          parent: { type: 'TreeNode' },
        },
      },
    });
  });

  it('publishes two structures that contain each other', () => {
    @Structure()
    class PingStructure {
      @Property({ type: () => PongStructure })
      pong?: unknown;
    }

    @Structure()
    class PongStructure {
      @Property()
      ping?: PingStructure;
    }

    @ApsType({ id: `${ID}/ping-pong/1.0` })
    class PingPong {
      @Property()
      ping?: PingStructure;
    }
    expect(toApsSchema(PingPong).structures).toEqual({
      PingStructure: { type: 'object', properties: { pong: { type: 'PongStructure' } } },
      PongStructure: { type: 'object', properties: { ping: { type: 'PingStructure' } } },
    });
  });
});

describe('structures named by string', () => {
  it('resolves a name to a structure the model knows, by its class or the `structures` option', () => {
    @Structure()
    class NamedAddress {
      @Property()
      city?: string;
    }

    @ApsType({ id: `${ID}/by-name/1.0`, structures: [NamedAddress] })
    class ByName {
      @Property({ type: 'NamedAddress' })
      home?: object;

      @Property({ items: 'NamedAddress' })
      others?: object[];
    }
    const model = buildTypeModel([ByName]).get(ByName);
    expect(model.properties.map((p) => p.structure?.target)).toEqual([NamedAddress, NamedAddress]);
    expect(schemaJson(ByName).properties).toEqual({
      home: { type: 'NamedAddress' },
      others: { type: 'array', items: { type: 'NamedAddress' } },
    });
  });

  it('resolves a name to a structure that another type of the same model uses', () => {
    @Structure()
    class SharedByName {
      @Property()
      value?: string;
    }

    @ApsType({ id: `${ID}/by-name-owner/1.0` })
    class ByNameOwner {
      @Property()
      shared?: SharedByName;
    }

    @ApsType({ id: `${ID}/by-name-user/1.0` })
    class ByNameUser {
      @Property({ type: 'SharedByName' })
      shared?: object;
    }
    const model = buildTypeModel([ByNameOwner, ByNameUser]);
    expect(model.get(ByNameUser).properties[0].structure?.target).toBe(SharedByName);
    expect(toApsSchema(model.get(ByNameUser)).structures).toEqual({
      SharedByName: { type: 'object', properties: { value: { type: 'string' } } },
    });
  });

  it('says how to publish a declared structure that only a string names', () => {
    @Structure()
    class OnlyNamedByString {
      @Property()
      value?: string;
    }

    @ApsType({ id: `${ID}/only-by-string/1.0` })
    class NamesByStringOnly {
      @Property({ type: 'OnlyNamedByString' })
      value?: object;
    }
    expect(OnlyNamedByString.name).toBe('OnlyNamedByString');
    expect(problemsOf([NamesByStringOnly])).toEqual([
      problem(
        'NamesByStringOnly',
        'value',
        /structure "OnlyNamedByString" is used but not declared in this model: .*in the type's `structures` option/,
      ),
    ]);
  });

  it('reports, in declaration order, each name no structure of the model has', () => {
    @ApsType({ id: `${ID}/unknown-names/1.0` })
    class UnknownNames {
      @Property({ type: 'FirstMissing' })
      first?: object;

      @Property({ type: 'SecondMissing' })
      second?: object;

      @Property({ items: 'ThirdMissing' })
      third?: object[];
    }
    expect(problemsOf([UnknownNames])).toEqual([
      problem('UnknownNames', 'first', /structure "FirstMissing" is used but not declared/),
      problem('UnknownNames', 'second', /structure "SecondMissing" is used but not declared/),
      problem('UnknownNames', 'third', /structure "ThirdMissing" is used but not declared/),
    ]);
  });
});

describe('inline properties', () => {
  it('publishes an object property with inline properties, and its structures', () => {
    @Structure()
    class InlineLimit {
      @Property({ type: 'integer' })
      value?: number;
    }

    @ApsType({ id: `${ID}/inline/1.0` })
    class Inline {
      @Property({
        required: true,
        properties: {
          host: { type: 'string', required: true },
          port: { type: 'integer', default: 443, minimum: 1 },
          limit: { type: InlineLimit },
          nested: { properties: { deep: { type: 'boolean' } } },
        },
      })
      connection!: object;
    }
    const model = buildTypeModel([Inline]).get(Inline);
    expect(model.properties[0].inline?.map((p) => p.name)).toEqual(['host', 'port', 'limit', 'nested']);
    expect(JSON.stringify(toApsSchema(model))).toBe(
      JSON.stringify({
        name: 'Inline',
        id: `${ID}/inline/1.0`,
        apsVersion: '2.0',
        properties: {
          connection: {
            type: 'object',
            properties: {
              host: { type: 'string', required: true },
              port: { type: 'integer', default: 443, minimum: 1 },
              limit: { type: 'InlineLimit' },
              nested: { type: 'object', properties: { deep: { type: 'boolean' } } },
            },
            required: true,
          },
        },
        structures: { InlineLimit: { type: 'object', properties: { value: { type: 'integer' } } } },
      }),
    );
  });

  it('takes `type: "object"` without inline properties as a free-form object', () => {
    @ApsType({ id: `${ID}/free-object/1.0` })
    class FreeObject {
      @Property({ type: 'object' })
      settings?: Record<string, string>;

      @Property({ type: Object })
      extra?: object;
    }
    expect(schemaJson(FreeObject).properties).toEqual({ settings: { type: 'object' }, extra: { type: 'object' } });
  });
});
