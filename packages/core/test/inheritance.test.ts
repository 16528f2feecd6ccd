/**
 * Inheritance: members of a plain base class are the subclass's own; members of a base class that is
 * itself an @ApsType come through APS `implements`, so the schema leaves them out while the model
 * keeps them for the runtime, marked with `inheritedFrom`.
 */
import {
  ApsType,
  buildTypeModel,
  CoreTypes,
  Operation,
  Property,
  Relation,
  Structure,
  toApsSchema,
} from '@apskit/core';
import { IsEmail } from 'class-validator';
import { schemaJson } from './helpers/declarations';

const ID = 'http://example.com/inheritance';

describe('a plain (undecorated) base class', () => {
  it("puts the base's properties in the subclass schema, base first, in declaration order", () => {
    class PlainBase {
      @Property({ required: true })
      baseFirst!: string;

      @Property({ type: 'integer' })
      baseSecond?: number;
    }

    @ApsType({ id: `${ID}/plain-child/1.0` })
    class PlainChild extends PlainBase {
      @Property()
      childOwn?: boolean;
    }
    const schema = toApsSchema(PlainChild);
    expect(Object.keys(schema.properties ?? {})).toEqual(['baseFirst', 'baseSecond', 'childOwn']);
    expect(schema.properties).toEqual({
      baseFirst: { type: 'string', required: true },
      baseSecond: { type: 'integer' },
      childOwn: { type: 'boolean' },
    });
    expect(schema.implements).toBeUndefined();
    const model = buildTypeModel([PlainChild]).get(PlainChild);
    expect(model.properties.map((p) => p.inheritedFrom)).toEqual([undefined, undefined, undefined]);
  });

  it('lets a subclass re-declare a property, which replaces it in place', () => {
    class ReplacedBase {
      @Property()
      first?: string;

      @Property({ maxLength: 10 })
      replaced?: string;

      @Property()
      last?: string;
    }

    @ApsType({ id: `${ID}/replacing-child/1.0` })
    class ReplacingChild extends ReplacedBase {
      @Property({ type: 'integer', required: true })
      declare replaced?: string;

      @Property()
      extra?: string;
    }
    expect(JSON.stringify(toApsSchema(ReplacingChild).properties)).toBe(
      JSON.stringify({
        first: { type: 'string' },
        replaced: { type: 'integer', required: true },
        last: { type: 'string' },
        extra: { type: 'string' },
      }),
    );
  });

  it('walks several plain levels, and takes their relations, operations and validator rules', () => {
    class GrandBase {
      @Property()
      grand?: string;

      @Relation(() => CoreTypes.account)
      account?: unknown;
    }

    class MiddleBase extends GrandBase {
      @Property()
      @IsEmail()
      middle?: string;

      @Operation({ verb: 'POST' })
      restart(): void {}
    }

    @ApsType({ id: `${ID}/deep-plain/1.0` })
    class DeepPlain extends MiddleBase {
      @Property()
      own?: string;
    }
    expect(schemaJson(DeepPlain)).toEqual({
      name: 'DeepPlain',
      id: `${ID}/deep-plain/1.0`,
      apsVersion: '2.0',
      relations: { account: { type: CoreTypes.account } },
      properties: { grand: { type: 'string' }, middle: { type: 'string', format: 'email' }, own: { type: 'string' } },
      operations: { restart: { path: '/restart', verb: 'POST' } },
    });
  });

  it('publishes the structures that a plain base class uses', () => {
    @Structure()
    class PlainBaseStructure {
      @Property()
      value?: string;
    }

    class BaseWithStructure {
      @Property()
      settings?: PlainBaseStructure;
    }

    @ApsType({ id: `${ID}/plain-structure/1.0` })
    class ChildOfBaseWithStructure extends BaseWithStructure {}
    expect(Object.keys(toApsSchema(ChildOfBaseWithStructure).structures ?? {})).toEqual(['PlainBaseStructure']);
  });
});

describe('a base class that is an @ApsType', () => {
  const BASE_ID = `${ID}/aps-base/1.0`;

  @Structure()
  class BaseOnlyStructure {
    @Property()
    value?: string;
  }

  @Structure()
  class ChildOnlyStructure {
    @Property()
    value?: string;
  }

  @ApsType({ id: BASE_ID, implements: [CoreTypes.resource] })
  class ApsBase {
    @Relation(() => CoreTypes.account, { required: true })
    account?: unknown;

    @Property({ required: true })
    baseName!: string;

    @Property()
    baseSettings?: BaseOnlyStructure;

    @Operation({ verb: 'POST' })
    baseAction(): void {}
  }

  @ApsType({ id: `${ID}/aps-child/1.0` })
  class ApsChild extends ApsBase {
    @Relation(() => 'http://example.com/inheritance/other/1.0', { collection: true })
    others?: unknown[];

    @Property({ type: 'integer' })
    childCount?: number;

    @Property()
    childSettings?: ChildOnlyStructure;

    @Operation({ verb: 'GET' })
    childAction(): void {}
  }

  it("implements the base's ID and leaves out its properties, relations, operations and structures", () => {
    expect(JSON.stringify(toApsSchema(ApsChild))).toBe(
      JSON.stringify({
        name: 'ApsChild',
        id: `${ID}/aps-child/1.0`,
        apsVersion: '2.0',
        implements: [BASE_ID],
        relations: { others: { type: 'http://example.com/inheritance/other/1.0', collection: true } },
        properties: { childCount: { type: 'integer' }, childSettings: { type: 'ChildOnlyStructure' } },
        operations: { childAction: { path: '/childAction', verb: 'GET' } },
        structures: {
          ChildOnlyStructure: { type: 'object', properties: { value: { type: 'string' } } },
        },
      }),
    );
  });

  it("still holds the base's members in the model, marked with `inheritedFrom`", () => {
    const child = buildTypeModel([ApsChild]).get(ApsChild);
    expect(child.properties.map((p) => [p.name, p.inheritedFrom])).toEqual([
      ['baseName', BASE_ID],
      ['baseSettings', BASE_ID],
      ['childCount', undefined],
      ['childSettings', undefined],
    ]);
    expect(child.properties[0].schema).toEqual({ type: 'string', required: true });
    expect(child.relations.map((r) => [r.name, r.inheritedFrom])).toEqual([
      ['account', BASE_ID],
      ['others', undefined],
    ]);
    expect(child.operations.map((o) => [o.name, o.inheritedFrom])).toEqual([
      ['baseAction', BASE_ID],
      ['childAction', undefined],
    ]);
  });

  it('leaves the base type itself unchanged when both are in one model', () => {
    const model = buildTypeModel([ApsBase, ApsChild]);
    const base = model.get(ApsBase);
    expect(base.properties.every((p) => p.inheritedFrom === undefined)).toBe(true);
    expect(JSON.stringify(toApsSchema(base))).toBe(
      JSON.stringify({
        name: 'ApsBase',
        id: BASE_ID,
        apsVersion: '2.0',
        implements: [CoreTypes.resource],
        relations: { account: { type: CoreTypes.account, required: true } },
        properties: { baseName: { type: 'string', required: true }, baseSettings: { type: 'BaseOnlyStructure' } },
        operations: { baseAction: { path: '/baseAction', verb: 'POST' } },
        structures: { BaseOnlyStructure: { type: 'object', properties: { value: { type: 'string' } } } },
      }),
    );
    expect(toApsSchema(model.get(ApsChild)).implements).toEqual([BASE_ID]);
  });

  it('keeps declared `implements` first and does not repeat the base ID', () => {
    @ApsType({ id: `${ID}/aps-child-implements/1.0`, implements: [CoreTypes.suspendable, BASE_ID] })
    class ChildListingBase extends ApsBase {}

    @ApsType({ id: `${ID}/aps-child-implements-more/1.0`, implements: [CoreTypes.suspendable] })
    class ChildAddingInterface extends ApsBase {}
    expect(toApsSchema(ChildListingBase).implements).toEqual([CoreTypes.suspendable, BASE_ID]);
    expect(toApsSchema(ChildAddingInterface).implements).toEqual([CoreTypes.suspendable, BASE_ID]);
  });

  it('takes an @ApsType class, or a thunk to one, in `implements` as its ID', () => {
    @ApsType({ id: `${ID}/implements-by-class/1.0`, implements: [ApsBase, () => ApsChild] })
    class ImplementsByClass {}
    expect(toApsSchema(ImplementsByClass).implements).toEqual([BASE_ID, `${ID}/aps-child/1.0`]);
  });

  it('makes a re-declared base property the child’s own again', () => {
    @ApsType({ id: `${ID}/aps-redeclare/1.0` })
    class RedeclaresBase extends ApsBase {
      @Property({ required: true, maxLength: 20 })
      declare baseName: string;
    }
    const model = buildTypeModel([RedeclaresBase]).get(RedeclaresBase);
    expect(model.properties.find((p) => p.name === 'baseName')?.inheritedFrom).toBeUndefined();
    expect(toApsSchema(model).properties).toEqual({ baseName: { type: 'string', required: true, maxLength: 20 } });
  });

  it('marks members of a plain class above the @ApsType base as inherited from that base', () => {
    class AboveBase {
      @Property()
      above?: string;
    }

    @ApsType({ id: `${ID}/middle-type/1.0` })
    class MiddleType extends AboveBase {
      @Property()
      middle?: string;
    }

    class PlainBetween extends MiddleType {
      @Property()
      between?: string;
    }

    @ApsType({ id: `${ID}/bottom-type/1.0` })
    class BottomType extends PlainBetween {
      @Property()
      bottom?: string;
    }
    const model = buildTypeModel([MiddleType, BottomType]);
    expect(model.get(BottomType).properties.map((p) => [p.name, p.inheritedFrom])).toEqual([
      ['above', `${ID}/middle-type/1.0`],
      ['middle', `${ID}/middle-type/1.0`],
      ['between', undefined],
      ['bottom', undefined],
    ]);
    expect(Object.keys(toApsSchema(model.get(BottomType)).properties ?? {})).toEqual(['between', 'bottom']);
    expect(Object.keys(toApsSchema(model.get(MiddleType)).properties ?? {})).toEqual(['above', 'middle']);
  });
});
