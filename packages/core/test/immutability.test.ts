/**
 * The type model is immutable: every emitter and the runtime read the same model, so none of them
 * may change it. Test files are ES modules, so assignments run in strict mode and throw.
 */
import {
  ApsType,
  buildTypeModel,
  compileClassRules,
  CoreTypes,
  Operation,
  Param,
  Property,
  Relation,
  Structure,
  type ApsTypeModel,
  type PropertyModel,
} from '@apskit/core';
import { IsEmail, Matches, validateSync } from 'class-validator';

const ID = 'http://example.com/immutability';

@Structure()
class FrozenStructure {
  @Property({ items: { type: 'array', items: String } })
  matrix?: string[][];
}

@ApsType({ id: `${ID}/frozen/1.0`, implements: [CoreTypes.resource], access: { global: true } })
class FrozenType {
  @Relation(() => CoreTypes.account)
  account?: unknown;

  @Property({ enum: ['a', 'b'], access: { admin: true }, default: 'a' })
  @IsEmail()
  plan?: string;

  @Property()
  settings?: FrozenStructure;

  @Operation({ verb: 'POST', response: { type: 'array', items: String } })
  run(@Param('input', { kind: 'body' }) _input: FrozenStructure): void {}

  provision(): void {}
}

const model = buildTypeModel([FrozenType]);
const type = model.get(FrozenType);
const plan = type.properties[0] as PropertyModel;

describe('the type model', () => {
  it('freezes the list of types and every type', () => {
    expect(Object.isFrozen(model.types)).toBe(true);
    expect(Object.isFrozen(type)).toBe(true);
    expect(Object.isFrozen(type.implements)).toBe(true);
    expect(Object.isFrozen(type.access)).toBe(true);
  });

  it('freezes properties, their schemas and rules', () => {
    expect(Object.isFrozen(type.properties)).toBe(true);
    for (const p of type.properties) {
      expect(Object.isFrozen(p)).toBe(true);
      expect(Object.isFrozen(p.schema)).toBe(true);
      expect(Object.isFrozen(p.rules)).toBe(true);
    }
    expect(Object.isFrozen(plan.schema.enum)).toBe(true);
    expect(Object.isFrozen(plan.schema.access)).toBe(true);
    expect(Object.isFrozen(plan.rules[0])).toBe(true);
    expect(Object.isFrozen(plan.rules[0].constraints)).toBe(true);
  });

  it('freezes relations, operations, parameters, responses and structures, nested items included', () => {
    expect(Object.isFrozen(type.relations[0])).toBe(true);
    const op = type.operations[0];
    expect(Object.isFrozen(op)).toBe(true);
    expect(Object.isFrozen(op.parameters)).toBe(true);
    expect(Object.isFrozen(op.parameters[0])).toBe(true);
    expect(Object.isFrozen(op.response)).toBe(true);
    expect(Object.isFrozen(op.response?.items)).toBe(true);
    const structure = type.structures[0];
    expect(Object.isFrozen(type.structures)).toBe(true);
    expect(Object.isFrozen(structure)).toBe(true);
    expect(Object.isFrozen(structure.properties[0].schema.items)).toBe(true);
    expect(Object.isFrozen(structure.properties[0].schema.items?.items)).toBe(true);
  });

  it('throws on assignment, in strict mode', () => {
    const mutable = <T>(value: T): { -readonly [K in keyof T]: T[K] } => value as { -readonly [K in keyof T]: T[K] };
    expect(() => {
      mutable(type).name = 'Renamed';
    }).toThrow(TypeError);
    expect(() => {
      mutable(plan).name = 'renamed';
    }).toThrow(TypeError);
    expect(() => {
      mutable(plan.schema).required = true;
    }).toThrow(TypeError);
    expect(() => {
      (type.properties as PropertyModel[]).push(plan);
    }).toThrow(TypeError);
    expect(() => {
      (model.types as ApsTypeModel[]).pop();
    }).toThrow(TypeError);
    expect(() => {
      mutable(type.operations[0]).path = '/other';
    }).toThrow(TypeError);
    expect(() => {
      (plan.schema.enum as string[])[0] = 'z';
    }).toThrow(TypeError);
    expect(type.name).toBe('FrozenType');
    expect(plan.schema).toEqual({
      type: 'string',
      default: 'a',
      format: 'email',
      enum: ['a', 'b'],
      access: { admin: true },
    });
  });

  it('leaves the classes themselves alone', () => {
    expect(Object.isFrozen(FrozenType)).toBe(false);
    expect(Object.isFrozen(FrozenType.prototype)).toBe(false);
    expect(Object.isFrozen(FrozenStructure)).toBe(false);
    expect(type.target).toBe(FrozenType);
    expect(type.lifecycle.has('provision')).toBe(true);
  });

  it('gives two builds two equal but separate models', () => {
    const again = buildTypeModel([FrozenType]).get(FrozenType);
    expect(again).not.toBe(type);
    expect(again).toEqual(type);
  });

  it('does not freeze the RegExp of @Matches, which class-validator keeps using', () => {
    @ApsType({ id: `${ID}/global-regex/1.0` })
    class GlobalRegex {
      @Property()
      @Matches(/^a/g)
      code?: string;
    }
    const built = buildTypeModel([GlobalRegex]).get(GlobalRegex);
    const instance = Object.assign(new GlobalRegex(), { code: 'b' });
    expect(() => validateSync(instance)).not.toThrow();
    const classRules = compileClassRules(GlobalRegex, built.properties);
    expect(classRules).toBeDefined();
    expect(classRules?.(instance)).toEqual([{ field: 'code', message: expect.stringContaining('must match') }]);
  });
});

describe('what the app passed in', () => {
  it('stays the app’s: building a model freezes copies, not the arrays of the declaration', () => {
    const { ApsType, Property, buildTypeModel } = jest.requireActual('@apskit/core') as typeof import('@apskit/core');
    const plans = ['small', 'large'];
    @ApsType({ id: 'http://example.com/immut/plan/1.0' })
    class PlanHolder {
      @Property({ enum: plans })
      plan?: string;
    }
    const model = buildTypeModel([PlanHolder]);
    expect(Object.isFrozen(plans)).toBe(false);
    plans.push('huge');
    expect(model.get(PlanHolder).properties[0].schema.enum).toEqual(['small', 'large']);
  });
});
