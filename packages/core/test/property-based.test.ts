/**
 * Property-based tests of the path declaration → schema → validation: fast-check generates type
 * declarations, resources that satisfy them and resources broken in one field. The schema says what
 * was declared, valid resources pass, and every broken one is refused with an issue naming the field.
 */
import fc from 'fast-check';
import {
  ApsType,
  Property,
  Structure,
  buildTypeModel,
  compileResourceValidators,
  toApsSchema,
  type PropertyOptions,
} from '@apskit/core';

type Kind = 'string' | 'integer' | 'number' | 'boolean' | 'strings' | 'structure';

interface PropSpec {
  name: string;
  kind: Kind;
  required: boolean;
  /** For numbers: [min, max]; for strings: [minLength, maxLength]. */
  range?: [number, number];
  choices?: string[];
}

const NAME = fc
  .stringMatching(/^[a-z][a-zA-Z0-9]{0,11}$/)
  .filter((n) => !['aps', 'constructor', 'prototype'].includes(n));

const PROP: fc.Arbitrary<Omit<PropSpec, 'name'>> = fc.oneof(
  fc.record({
    kind: fc.constant<Kind>('string'),
    required: fc.boolean(),
    range: fc.option(fc.tuple(fc.nat(3), fc.integer({ min: 4, max: 12 })), { nil: undefined }),
  }),
  fc.record({
    kind: fc.constant<Kind>('string'),
    required: fc.boolean(),
    choices: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    kind: fc.constantFrom<Kind>('integer', 'number'),
    required: fc.boolean(),
    range: fc.option(fc.tuple(fc.integer({ min: -100, max: 0 }), fc.integer({ min: 1, max: 100 })), { nil: undefined }),
  }),
  fc.record({ kind: fc.constantFrom<Kind>('boolean', 'strings', 'structure'), required: fc.boolean() }),
);

const SPEC = fc
  .uniqueArray(fc.tuple(NAME, PROP), { minLength: 1, maxLength: 8, selector: ([name]) => name })
  .map((list) => list.map(([name, p]) => ({ name, ...p }) as PropSpec));

let counter = 0;

@Structure()
class Contact {
  @Property({ required: true, format: 'email' })
  email!: string;

  @Property({ type: 'integer', minimum: 0 })
  priority?: number;
}

/** Declares a type from a spec, as app code would with decorators (they are plain functions). */
function declare(spec: PropSpec[]): { cls: new () => object; id: string } {
  const id = `http://apskit.test/generated/t${++counter}/1.0`;
  const cls = class Generated {};
  Object.defineProperty(cls, 'name', { value: `Generated${counter}` });
  for (const p of spec) {
    const options: PropertyOptions = { required: p.required || undefined };
    switch (p.kind) {
      case 'string':
        options.type = 'string';
        if (p.range) [options.minLength, options.maxLength] = p.range;
        if (p.choices) options.enum = p.choices;
        break;
      case 'integer':
      case 'number':
        options.type = p.kind;
        if (p.range) [options.minimum, options.maximum] = p.range;
        break;
      case 'boolean':
        options.type = 'boolean';
        break;
      case 'strings':
        options.items = String;
        options.type = 'array';
        break;
      case 'structure':
        options.type = Contact;
        break;
    }
    Property(options)(cls.prototype, p.name);
  }
  ApsType({ id })(cls);
  return { cls, id };
}

function validValue(p: PropSpec): fc.Arbitrary<unknown> {
  switch (p.kind) {
    case 'string':
      if (p.choices) return fc.constantFrom(...p.choices);
      return fc.string({ minLength: p.range?.[0] ?? 0, maxLength: p.range?.[1] ?? 20 });
    case 'integer':
      return fc.integer({ min: p.range?.[0] ?? -1e6, max: p.range?.[1] ?? 1e6 });
    case 'number':
      return fc.double({ min: p.range?.[0] ?? -1e6, max: p.range?.[1] ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'strings':
      return fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 });
    case 'structure':
      return fc.record(
        { email: fc.constantFrom('a@b.example', 'ops@example.com'), priority: fc.nat(5) },
        { requiredKeys: ['email'] },
      );
  }
}

/** A value that breaks the property's declaration. */
function invalidValue(p: PropSpec): fc.Arbitrary<unknown> {
  const wrongType = fc.constantFrom<unknown>({ nested: true }, [1, 2], 'text', 12.5, true);
  switch (p.kind) {
    case 'string': {
      const options: Array<fc.Arbitrary<unknown>> = [fc.constantFrom<unknown>(42, true, { x: 1 }, [])];
      if (p.choices) options.push(fc.stringMatching(/^[A-Z]{7}$/));
      if (p.range) options.push(fc.constant('x'.repeat(p.range[1] + 1)));
      return fc.oneof(...options);
    }
    case 'integer':
      return fc.oneof(
        fc.constantFrom<unknown>('7', 1.5, true, null, {}),
        ...(p.range ? [fc.constant(p.range[1] + 1)] : []),
      );
    case 'number':
      return fc.oneof(fc.constantFrom<unknown>('7', true, [], {}), ...(p.range ? [fc.constant(p.range[0] - 1)] : []));
    case 'boolean':
      return fc.constantFrom<unknown>('true', 1, {}, []);
    case 'strings':
      return fc.constantFrom<unknown>('a', [1], [{}], { 0: 'a' });
    case 'structure':
      return fc.constantFrom<unknown>(
        'contact',
        [],
        { email: 'not-an-email' },
        { priority: 1 },
        { email: 'a@b.example', extra: 1 },
      );
  }
  return wrongType;
}

function resourceOf(spec: PropSpec[]): fc.Arbitrary<Record<string, unknown>> {
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const p of spec) record[p.name] = validValue(p);
  return fc.record(record, { requiredKeys: spec.filter((p) => p.required).map((p) => p.name) });
}

const RUNS = { numRuns: 150 };

it('emits exactly the declared properties and attributes', () => {
  fc.assert(
    fc.property(SPEC, (spec) => {
      const { cls, id } = declare(spec);
      const schema = toApsSchema(cls);
      expect(schema.id).toBe(id);
      expect(Object.keys(schema.properties ?? {})).toEqual(spec.map((p) => p.name));
      for (const p of spec) {
        const s = schema.properties![p.name];
        expect(s.required).toBe(p.required ? true : undefined);
        if (p.kind === 'strings') expect(s).toMatchObject({ type: 'array', items: { type: 'string' } });
        else if (p.kind === 'structure') expect(s.type).toBe('Contact');
        else expect(s.type).toBe(p.kind);
        if (p.choices) expect(s.enum).toEqual(p.choices);
      }
      expect(Object.keys(schema.structures ?? {})).toEqual(spec.some((p) => p.kind === 'structure') ? ['Contact'] : []);
    }),
    RUNS,
  );
});

it('accepts every resource that satisfies the declaration', () => {
  fc.assert(
    fc.property(
      SPEC.chain((spec) => fc.tuple(fc.constant(spec), resourceOf(spec))),
      ([spec, resource]) => {
        const { cls } = declare(spec);
        const validators = compileResourceValidators(buildTypeModel([cls]).get(cls));
        expect(validators.create({ aps: { id: 'x' }, ...resource })).toEqual([]);
      },
    ),
    RUNS,
  );
});

it('refuses a resource broken in one field, naming that field', () => {
  fc.assert(
    fc.property(
      SPEC.chain((spec) =>
        fc.tuple(
          fc.constant(spec),
          resourceOf(spec),
          fc.nat(spec.length - 1).chain((i) => fc.tuple(fc.constant(i), invalidValue(spec[i]))),
        ),
      ),
      ([spec, resource, [i, bad]]) => {
        const { cls } = declare(spec);
        const validators = compileResourceValidators(buildTypeModel([cls]).get(cls));
        const broken = { ...resource, [spec[i].name]: bad };
        // null is "not set" for an optional property: only a required one refuses it.
        if (bad === null && !spec[i].required) return;
        const issues = validators.create(broken);
        expect(issues.length).toBeGreaterThan(0);
        expect(issues.every((issue) => issue.message.length > 0)).toBe(true);
        expect(
          issues.some(
            (issue) =>
              issue.field === spec[i].name ||
              issue.field.startsWith(`${spec[i].name}.`) ||
              issue.field.startsWith(`${spec[i].name}[`),
          ),
        ).toBe(true);
      },
    ),
    RUNS,
  );
});

it('refuses a missing required property and an undeclared one, by name', () => {
  fc.assert(
    fc.property(
      SPEC.filter((spec) => spec.some((p) => p.required)).chain((spec) =>
        fc.tuple(fc.constant(spec), resourceOf(spec), NAME),
      ),
      ([spec, resource, extra]) => {
        const { cls } = declare(spec);
        const validators = compileResourceValidators(buildTypeModel([cls]).get(cls));
        const required = spec.find((p) => p.required)!;
        const { [required.name]: _gone, ...missing } = resource;
        expect(validators.create(missing)).toContainEqual({ field: required.name, message: 'is required' });
        if (!spec.some((p) => p.name === extra)) {
          expect(validators.create({ ...resource, [extra]: 1 })).toContainEqual({
            field: extra,
            message: 'is not a declared property',
          });
        }
      },
    ),
    RUNS,
  );
});
