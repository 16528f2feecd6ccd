/**
 * class-validator rules on a property: those APS has an attribute for show in the schema (unless the
 * declaration says otherwise); every rule, with or without an attribute, is in the model for the
 * runtime.
 */
import { ApsType, buildTypeModel, Property, toApsSchema } from '@apskit/core';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsDefined,
  IsEmail,
  IsEnum,
  IsIn,
  IsInt,
  IsPositive,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { problem, problemsOf } from './helpers/declarations';

const ID = 'http://example.com/class-validator';

describe('rules APS has an attribute for', () => {
  @ApsType({ id: `${ID}/strings/1.0` })
  class StringRules {
    @Property()
    @IsEmail()
    email?: string;

    @Property()
    @IsUrl()
    url?: string;

    @Property()
    @IsUUID()
    uuid?: string;

    @Property()
    @Matches(/^[a-z]+$/)
    regex?: string;

    @Property()
    @Matches('^x')
    stringPattern?: string;

    @Property()
    @IsIn(['basic', 'pro'])
    plan?: string;

    @Property()
    @MinLength(2)
    @MaxLength(8)
    code?: string;

    @Property()
    @Length(3, 5)
    pin?: string;

    @Property()
    @IsDefined()
    defined?: string;
  }
  const strings = toApsSchema(StringRules).properties ?? {};

  it.each([
    ['@IsEmail()', 'email', { type: 'string', format: 'email' }],
    ['@IsUrl()', 'url', { type: 'string', format: 'uri' }],
    ['@IsUUID()', 'uuid', { type: 'string', format: 'uuid' }],
    ['@Matches(/^[a-z]+$/)', 'regex', { type: 'string', pattern: '^[a-z]+$' }],
    ["@Matches('^x')", 'stringPattern', { type: 'string', pattern: '^x' }],
    ["@IsIn(['basic', 'pro'])", 'plan', { type: 'string', enum: ['basic', 'pro'] }],
    ['@MinLength(2) @MaxLength(8)', 'code', { type: 'string', minLength: 2, maxLength: 8 }],
    ['@Length(3, 5)', 'pin', { type: 'string', minLength: 3, maxLength: 5 }],
    ['@IsDefined()', 'defined', { type: 'string', required: true }],
  ])('maps %s on a string', (_rule, name, expected) => {
    expect(JSON.stringify(strings[name])).toBe(JSON.stringify(expected));
  });

  it('maps @Min/@Max, @IsInt and @IsIn on numbers, in APS key order', () => {
    enum Tier {
      Low = 1,
      High = 2,
    }

    @ApsType({ id: `${ID}/numbers/1.0` })
    class NumberRules {
      @Property()
      @Max(100)
      @IsInt()
      @Min(1)
      percent?: number;

      @Property()
      @IsIn([0.5, 1.5])
      factor?: number;

      @Property()
      @IsEnum(Tier)
      tier?: number;
    }
    expect(JSON.stringify(toApsSchema(NumberRules).properties)).toBe(
      JSON.stringify({
        percent: { type: 'integer', minimum: 1, maximum: 100 },
        factor: { type: 'number', enum: [0.5, 1.5] },
        tier: { type: 'number', enum: [1, 2] },
      }),
    );
  });

  it('maps @ArrayMinSize/@ArrayMaxSize on arrays', () => {
    @ApsType({ id: `${ID}/arrays/1.0` })
    class ArrayRules {
      @Property({ items: String })
      @ArrayMinSize(1)
      @ArrayMaxSize(3)
      tags?: string[];
    }
    expect(JSON.stringify(toApsSchema(ArrayRules).properties)).toBe(
      JSON.stringify({ tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 } }),
    );
  });

  it('leaves rules on array items (`each: true`) out of the schema', () => {
    @ApsType({ id: `${ID}/each/1.0` })
    class EachRules {
      @Property({ items: String })
      @IsEmail({}, { each: true })
      @MaxLength(5, { each: true })
      emails?: string[];
    }
    const model = buildTypeModel([EachRules]).get(EachRules);
    expect(toApsSchema(model).properties).toEqual({ emails: { type: 'array', items: { type: 'string' } } });
    expect(model.properties[0].rules.map((r) => [r.name, r.each])).toEqual(
      expect.arrayContaining([
        ['isEmail', true],
        ['maxLength', true],
      ]),
    );
  });

  it('leaves a pattern with flags out of the schema (APS patterns have none)', () => {
    @ApsType({ id: `${ID}/flags/1.0` })
    class FlaggedPattern {
      @Property()
      @Matches(/^abc$/i)
      code?: string;
    }
    expect(toApsSchema(FlaggedPattern).properties).toEqual({ code: { type: 'string' } });
  });
});

describe('an explicit option wins over a class-validator rule', () => {
  it.each([
    ['format', { format: 'idn-email' }, { type: 'string', format: 'idn-email' }],
    ['pattern', { pattern: '^[0-9]+$' }, { type: 'string', pattern: '^[0-9]+$' }],
    ['enum', { enum: ['x', 'y'] }, { type: 'string', enum: ['x', 'y'] }],
    ['minLength', { minLength: 4 }, { type: 'string', minLength: 4, maxLength: 8 }],
    ['maxLength', { maxLength: 6 }, { type: 'string', minLength: 2, maxLength: 6 }],
    ['required', { required: false }, { type: 'string', required: false }],
  ])('for %s', (_attribute, options, expected) => {
    @ApsType({ id: `${ID}/explicit/1.0` })
    class ExplicitWins {
      @Property(options)
      @IsEmail()
      @Matches(/^[a-z]+$/)
      @IsIn(['a', 'b'])
      @MinLength(2)
      @MaxLength(8)
      @IsDefined()
      value?: string;
    }
    const schema = toApsSchema(ExplicitWins).properties?.value as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected)) expect(schema[key]).toEqual(value);
  });

  it('for minimum, maximum, minItems and maxItems', () => {
    @ApsType({ id: `${ID}/explicit-numbers/1.0` })
    class ExplicitNumbers {
      @Property({ minimum: 5, maximum: 50 })
      @Min(1)
      @Max(100)
      value?: number;

      @Property({ items: 'string', minItems: 2, maxItems: 4 })
      @ArrayMinSize(1)
      @ArrayMaxSize(10)
      list?: string[];
    }
    expect(JSON.stringify(toApsSchema(ExplicitNumbers).properties)).toBe(
      JSON.stringify({
        value: { type: 'number', minimum: 5, maximum: 50 },
        list: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 4 },
      }),
    );
  });

  it('and a rule-derived enum is checked against the type like a declared one', () => {
    @ApsType({ id: `${ID}/rule-enum-type/1.0` })
    class RuleEnumType {
      @Property()
      @IsIn(['a', 1])
      value?: string;
    }
    expect(problemsOf([RuleEnumType])).toEqual([problem('RuleEnumType', 'value', /enum value 1 is not of type/)]);
  });
});

describe('rules APS has no attribute for', () => {
  it('changes nothing in the schema but keeps the rule in the model', () => {
    @ApsType({ id: `${ID}/no-attribute/1.0` })
    class NoAttribute {
      @Property()
      @IsPositive()
      count?: number;

      @Property()
      plain?: number;
    }
    const model = buildTypeModel([NoAttribute]).get(NoAttribute);
    expect(JSON.stringify(toApsSchema(model).properties)).toBe(
      JSON.stringify({ count: { type: 'number' }, plain: { type: 'number' } }),
    );
    expect(model.properties[0].rules).toEqual([{ name: 'isPositive', constraints: [], each: false }]);
    expect(model.properties[1].rules).toEqual([]);
  });

  it('keeps every rule with its constraints, mapped ones included', () => {
    @ApsType({ id: `${ID}/all-rules/1.0` })
    class AllRules {
      @Property()
      @Min(3)
      @IsPositive()
      count?: number;
    }
    const rules = buildTypeModel([AllRules]).get(AllRules).properties[0].rules;
    expect(rules).toHaveLength(2);
    expect(rules).toEqual(
      expect.arrayContaining([
        { name: 'min', constraints: [3], each: false },
        { name: 'isPositive', constraints: [], each: false },
      ]),
    );
  });

  it('takes the rules a plain base class declares', () => {
    class RulesBase {
      @Property()
      @IsEmail()
      @IsPositive()
      contact?: string;
    }

    @ApsType({ id: `${ID}/inherited-rules/1.0` })
    class InheritedRules extends RulesBase {}
    const model = buildTypeModel([InheritedRules]).get(InheritedRules);
    expect(toApsSchema(model).properties).toEqual({ contact: { type: 'string', format: 'email' } });
    expect(model.properties[0].rules.map((r) => r.name).sort()).toEqual(['isEmail', 'isPositive']);
  });
});
