/**
 * Properties: one of every APS type, inferred from TypeScript or given, and every APS attribute,
 * emitted in the key order of published APS schemas whatever order the declaration uses.
 */
import { ApsType, buildTypeModel, Property, Structure, toApsSchema } from '@apskit/core';
import { IsInt } from 'class-validator';
import { schemaJson } from './helpers/declarations';

const ID = 'http://example.com/properties';

describe('APS types', () => {
  @Structure()
  class EveryTypeStructure {
    @Property()
    value?: string;
  }

  @ApsType({ id: `${ID}/other/1.0` })
  class EveryTypeOther {}

  @ApsType({ id: `${ID}/every-type/1.0` })
  class EveryType {
    @Property()
    inferredString?: string;

    @Property({ type: 'string' })
    namedString?: string;

    @Property({ type: String })
    constructorString?: string;

    @Property()
    inferredNumber?: number;

    @Property({ type: 'number' })
    namedNumber?: number;

    @Property({ type: 'integer' })
    namedInteger?: number;

    @Property()
    @IsInt()
    validatorInteger?: number;

    @Property()
    inferredBoolean?: boolean;

    @Property({ type: Boolean })
    constructorBoolean?: boolean;

    @Property({ items: String })
    inferredArray?: string[];

    @Property({ type: 'array', items: 'number' })
    namedArray?: number[];

    @Property({ type: 'object' })
    namedObject?: Record<string, unknown>;

    @Property()
    structure?: EveryTypeStructure;

    @Property({ type: () => EveryTypeStructure })
    structureThunk?: EveryTypeStructure;

    @Property({ type: 'http://example.com/properties/ref/1.0' })
    typeId?: object;

    @Property({ type: () => EveryTypeOther })
    typeIdOfClass?: object;

    @Property()
    date?: Date;

    @Property({ required: true })
    literalUnion!: 'small' | 'large';

    // TypeScript says Object for `string | null`: the declaration says what it is.
    @Property({ type: 'string' })
    nullable?: string | null;
  }

  const properties = toApsSchema(EveryType).properties ?? {};

  it.each([
    ['inferredString', { type: 'string' }],
    ['namedString', { type: 'string' }],
    ['constructorString', { type: 'string' }],
    ['inferredNumber', { type: 'number' }],
    ['namedNumber', { type: 'number' }],
    ['namedInteger', { type: 'integer' }],
    ['validatorInteger', { type: 'integer' }],
    ['inferredBoolean', { type: 'boolean' }],
    ['constructorBoolean', { type: 'boolean' }],
    ['inferredArray', { type: 'array', items: { type: 'string' } }],
    ['namedArray', { type: 'array', items: { type: 'number' } }],
    ['namedObject', { type: 'object' }],
    ['structure', { type: 'EveryTypeStructure' }],
    ['structureThunk', { type: 'EveryTypeStructure' }],
    ['typeId', { type: 'http://example.com/properties/ref/1.0' }],
    ['typeIdOfClass', { type: 'http://example.com/properties/other/1.0' }],
    ['date', { type: 'string', format: 'date-time' }],
    ['literalUnion', { type: 'string', required: true }],
    ['nullable', { type: 'string' }],
  ])('publishes %s as %j', (name, expected) => {
    expect(JSON.stringify(properties[name])).toBe(JSON.stringify(expected));
  });

  it('publishes the properties in declaration order and the structure once', () => {
    const schema = toApsSchema(EveryType);
    expect(Object.keys(schema.properties ?? {})).toEqual([
      'inferredString',
      'namedString',
      'constructorString',
      'inferredNumber',
      'namedNumber',
      'namedInteger',
      'validatorInteger',
      'inferredBoolean',
      'constructorBoolean',
      'inferredArray',
      'namedArray',
      'namedObject',
      'structure',
      'structureThunk',
      'typeId',
      'typeIdOfClass',
      'date',
      'literalUnion',
      'nullable',
    ]);
    expect(Object.keys(schema.structures ?? {})).toEqual(['EveryTypeStructure']);
  });

  it('links structure-typed properties to the structure in the model', () => {
    const model = buildTypeModel([EveryType]).get(EveryType);
    const byName = new Map(model.properties.map((p) => [p.name, p]));
    expect(byName.get('structure')?.structure?.target).toBe(EveryTypeStructure);
    expect(byName.get('structureThunk')?.structure).toBe(byName.get('structure')?.structure);
    expect(byName.get('typeIdOfClass')?.structure).toBeUndefined();
  });

  it('lets an explicit format replace the date-time of a Date', () => {
    @ApsType({ id: `${ID}/date-format/1.0` })
    class DateFormat {
      @Property({ format: 'date' })
      day?: Date;
    }
    expect(schemaJson(DateFormat).properties).toEqual({ day: { type: 'string', format: 'date' } });
  });

  it('takes `type: Date` and `items: Date` like a Date property', () => {
    @ApsType({ id: `${ID}/explicit-date/1.0` })
    class ExplicitDate {
      @Property({ type: Date })
      when?: string;

      @Property({ items: Date })
      history?: Date[];
    }
    expect(JSON.stringify(toApsSchema(ExplicitDate).properties)).toBe(
      JSON.stringify({
        when: { type: 'string', format: 'date-time' },
        history: { type: 'array', items: { type: 'string' } },
      }),
    );
  });

  it('keeps an explicit `type: "number"` even with @IsInt()', () => {
    @ApsType({ id: `${ID}/explicit-number/1.0` })
    class ExplicitNumber {
      @Property({ type: 'number' })
      @IsInt()
      value?: number;
    }
    expect(schemaJson(ExplicitNumber).properties).toEqual({ value: { type: 'number' } });
  });
});

describe('attributes', () => {
  it('emits every attribute of a string property in APS order, whatever the declaration order', () => {
    @ApsType({ id: `${ID}/every-attribute/1.0` })
    class EveryAttribute {
      @Property({
        access: { owner: false, referrer: true, admin: true },
        maxLength: 8,
        minLength: 2,
        maximum: 9,
        minimum: 1,
        enumTitles: ['Small', 'Large'],
        enum: ['s', 'l'],
        pattern: '^[sl]$',
        unit: 'item',
        format: 'size',
        description: 'How big',
        title: 'Size',
        default: 's',
        encrypted: true,
        readonly: true,
        final: true,
        required: true,
        type: 'string',
        doc: 'Not part of the schema',
      })
      size!: string;
    }
    const expected = {
      type: 'string',
      required: true,
      final: true,
      readonly: true,
      encrypted: true,
      default: 's',
      title: 'Size',
      description: 'How big',
      format: 'size',
      unit: 'item',
      pattern: '^[sl]$',
      enum: ['s', 'l'],
      enumTitles: ['Small', 'Large'],
      minimum: 1,
      maximum: 9,
      minLength: 2,
      maxLength: 8,
      access: { owner: false, referrer: true, admin: true },
    };
    const size = toApsSchema(EveryAttribute).properties?.size;
    expect(Object.keys(size ?? {})).toEqual(Object.keys(expected));
    expect(JSON.stringify(size)).toBe(JSON.stringify(expected));
    expect(buildTypeModel([EveryAttribute]).get(EveryAttribute).properties[0].doc).toBe('Not part of the schema');
  });

  it('emits the array attributes in APS order', () => {
    @ApsType({ id: `${ID}/array-attributes/1.0` })
    class ArrayAttributes {
      @Property({
        maxItems: 5,
        minItems: 1,
        default: ['a'],
        title: 'Tags',
        required: true,
        items: String,
        access: { global: true },
      })
      tags!: string[];
    }
    expect(JSON.stringify(toApsSchema(ArrayAttributes).properties)).toBe(
      JSON.stringify({
        tags: {
          type: 'array',
          items: { type: 'string' },
          required: true,
          default: ['a'],
          title: 'Tags',
          minItems: 1,
          maxItems: 5,
          access: { global: true },
        },
      }),
    );
  });

  it('emits numeric attributes, an integer default and enum on an integer', () => {
    @ApsType({ id: `${ID}/numeric-attributes/1.0` })
    class NumericAttributes {
      @Property({ type: 'integer', unit: 'GB', maximum: 1024, minimum: 0, default: 10, enum: [10, 100, 1024] })
      quota?: number;

      @Property({ default: 0.5, minimum: 0, maximum: 1 })
      ratio?: number;

      @Property({ default: false, readonly: true })
      enabled?: boolean;
    }
    expect(JSON.stringify(toApsSchema(NumericAttributes).properties)).toBe(
      JSON.stringify({
        quota: { type: 'integer', default: 10, unit: 'GB', enum: [10, 100, 1024], minimum: 0, maximum: 1024 },
        ratio: { type: 'number', default: 0.5, minimum: 0, maximum: 1 },
        enabled: { type: 'boolean', readonly: true, default: false },
      }),
    );
  });

  it('emits `false` flags that the declaration gives, and nothing it does not', () => {
    @ApsType({ id: `${ID}/false-flags/1.0` })
    class FalseFlags {
      @Property({ required: false, encrypted: false })
      plain?: string;

      @Property()
      bare?: string;
    }
    expect(JSON.stringify(toApsSchema(FalseFlags).properties)).toBe(
      JSON.stringify({ plain: { type: 'string', required: false, encrypted: false }, bare: { type: 'string' } }),
    );
  });

  it('emits an object default for a structure-typed property', () => {
    @Structure()
    class DefaultedStructure {
      @Property()
      value?: string;
    }

    @ApsType({ id: `${ID}/structure-default/1.0` })
    class StructureDefault {
      @Property({ default: { value: 'x' } })
      settings?: DefaultedStructure;
    }
    expect(schemaJson(StructureDefault).properties).toEqual({
      settings: { type: 'DefaultedStructure', default: { value: 'x' } },
    });
  });

  it('emits the type-level key order: name, id, apsVersion, implements, access, relations, properties, operations, structures', () => {
    @Structure()
    class TopLevelStructure {
      @Property()
      value?: string;
    }

    @ApsType({
      structures: [TopLevelStructure],
      access: { global: true, admin: false },
      implements: ['http://aps-standard.org/types/core/resource/1.0'],
      apsVersion: '2.1',
      id: `${ID}/top-level/1.0`,
      name: 'TopLevel',
    })
    class TopLevelOrder {
      @Property()
      prop?: string;
    }
    const schema = toApsSchema(TopLevelOrder);
    expect(Object.keys(schema)).toEqual([
      'name',
      'id',
      'apsVersion',
      'implements',
      'access',
      'properties',
      'structures',
    ]);
    expect(schema.apsVersion).toBe('2.1');
    expect(JSON.stringify(schema.access)).toBe(JSON.stringify({ global: true, admin: false }));
  });

  it('leaves out every section the type does not have', () => {
    @ApsType({ id: `${ID}/empty/1.0` })
    class EmptyType {}
    expect(JSON.stringify(toApsSchema(EmptyType))).toBe(
      JSON.stringify({ name: 'EmptyType', id: `${ID}/empty/1.0`, apsVersion: '2.0' }),
    );
  });
});
