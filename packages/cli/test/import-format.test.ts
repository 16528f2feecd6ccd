/**
 * The import's writer lays out code as prettier would, without prettier. Generated schemas (long and
 * short texts, quotes, backslashes, wide characters, enums, nested defaults, long type IDs,
 * operations with many parameters) are planned, checked in memory to round-trip, and written;
 * prettier must then find every file formatted, and the TypeScript compiler must parse them.
 *
 * IMPORT_FORMAT_RUNS and IMPORT_FORMAT_SEED draw more (or other) schemas; KEEP_IMPORT_FORMAT=1
 * keeps the files under tmp/ to compare with `prettier --write`.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import ts from 'typescript';
import { planImport } from '../src/import/plan-schemas';
import { verifyImport } from '../src/import/verify';
import { writeModules } from '../src/import/write-typescript';
import { prettierCheck, tempFolder } from './helpers/cli';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Texts that stress the layout: quotes of both kinds, escapes, wide characters, and length. */
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({
    unit: fc.constantFrom('a', 'b', 'c', ' ', ' ', "'", '"', '\\', '\n', '\t', 'é', '漢', '🚀', '*/', '-', '`', '${'),
    maxLength: 90,
  }),
  fc.lorem({ maxCount: 30 }),
);
const memberName = fc
  .stringMatching(/^[a-z][a-zA-Z0-9_-]{0,40}$/)
  .filter((n) => !['constructor', 'prototype', 'aps'].includes(n));
const number = fc.oneof(fc.integer({ min: -1e9, max: 1e9 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
const jsonValue: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>;

/** A property: a type and attributes that suit it (a default of its type, an enum of its values). */
const property: fc.Arbitrary<Record<string, Json>> = fc
  .constantFrom('string', 'integer', 'number', 'boolean', 'object', 'array')
  .chain((type) => {
    const value: fc.Arbitrary<Json> =
      type === 'string'
        ? text
        : type === 'integer'
          ? fc.integer({ min: -1e6, max: 1e12 })
          : type === 'number'
            ? number
            : type === 'boolean'
              ? fc.boolean()
              : type === 'object'
                ? fc.dictionary(fc.string({ maxLength: 10 }), jsonValue, { maxKeys: 4 })
                : fc.array(fc.string({ maxLength: 30 }), { maxLength: 8 });
    return fc
      .record(
        {
          type: fc.constant(type),
          required: fc.boolean(),
          title: text,
          description: text,
          default: value,
          enum:
            type === 'string' || type === 'integer' || type === 'number' ? fc.array(value, { maxLength: 25 }) : value,
          format: fc.constantFrom('email', 'uri', 'date-time', 'a-format-of-the-app'),
          minimum: number,
          access: fc.record({ owner: fc.boolean(), referrer: fc.boolean() }, { requiredKeys: [] }),
        },
        { requiredKeys: ['type'] },
      )
      .map((p) => {
        // Attributes for other types than the one drawn are left out: APS would refuse them.
        const out: Record<string, Json> = { ...p };
        if (type === 'array') out.items = { type: 'string' };
        if (!['string', 'integer', 'number'].includes(type)) delete out.enum;
        if (type !== 'string') delete out.format;
        if (type !== 'integer' && type !== 'number') delete out.minimum;
        return out;
      });
  });

const parameter = fc.record(
  {
    kind: fc.constantFrom('query', 'path'),
    type: fc.constantFrom('string', 'integer', 'boolean'),
    required: fc.constant(true),
  },
  { requiredKeys: ['kind', 'type'] },
);

const operation = fc.record(
  {
    path: memberName.map((n) => `/${n}`),
    verb: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
    parameters: fc.dictionary(memberName, parameter, { minKeys: 1, maxKeys: 6 }),
    response: fc.record(
      { type: fc.constantFrom('string', 'object'), contentType: text.filter((t) => t !== '') },
      {
        requiredKeys: ['type'],
      },
    ),
  },
  { requiredKeys: ['path', 'verb'] },
);

/** Type IDs of every length, up to longer than a line. */
const typeId = fc
  .tuple(fc.stringMatching(/^[a-z][a-z-]{0,60}$/), fc.stringMatching(/^[a-z]{1,50}$/))
  .map(([a, b]) => `http://example.com/${a}/${b}/1.0`);

const relation = fc.record(
  {
    type: typeId,
    collection: fc.constant(true),
    required: fc.constant(true),
    access: fc.record({ global: fc.boolean(), admin: fc.boolean(), owner: fc.boolean() }, { requiredKeys: [] }),
  },
  { requiredKeys: ['type'] },
);

function schemaArbitrary(i: number): fc.Arbitrary<Record<string, Json>> {
  return fc
    .record({
      relations: fc.dictionary(
        memberName.map((n) => `r${n}`),
        relation,
        { maxKeys: 3 },
      ),
      properties: fc.dictionary(memberName, property, { minKeys: 1, maxKeys: 6 }),
      operations: fc.dictionary(memberName, operation, { maxKeys: 3 }),
    })
    .map(({ relations, properties, operations }) => {
      // Paths are unique per verb in APS; the generated ones are made so.
      const ops = Object.fromEntries(
        Object.entries(operations).map(([name, op], n) => [name, { ...op, path: `${op.path}-${n}` }]),
      );
      return {
        name: `Generated${i}`,
        id: `http://example.com/generated/with-a-path-long-enough-to-matter/t${i}/1.0`,
        apsVersion: '2.0',
        ...(Object.keys(relations).length > 0 ? { relations } : {}),
        properties,
        ...(Object.keys(ops).length > 0 ? { operations: ops } : {}),
      };
    });
}

describe('the layout of generated modules', () => {
  let out: string;

  beforeAll(() => {
    out = tempFolder('import-format-');
  });

  afterAll(() => {
    if (!process.env.KEEP_IMPORT_FORMAT) rmSync(out, { recursive: true, force: true });
  });

  it('is what prettier writes, for generated schemas', () => {
    for (let i = 0; i < Number(process.env.IMPORT_FORMAT_RUNS ?? 60); i++) {
      const [schema] = fc.sample(schemaArbitrary(i), {
        seed: Number(process.env.IMPORT_FORMAT_SEED ?? 1000) + i,
        numRuns: 1,
      }) as [Record<string, Json>];
      const plan = planImport([{ origin: `generated-${i}.schema`, json: schema }]);
      expect(plan.notes).toEqual([]);
      // The declarations say all the schema says: the same options declared in memory emit it again.
      verifyImport(plan.modules);
      const folder = join(out, String(i));
      mkdirSync(folder);
      for (const file of writeModules(plan.modules)) {
        writeFileSync(join(folder, file.file), file.text);
        const parsed = ts.createSourceFile(file.file, file.text, ts.ScriptTarget.ES2022, true);
        const syntax = (parsed as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
        expect({ file: `${i}/${file.file}`, syntax: syntax.map((d) => d.messageText) }).toEqual({
          file: `${i}/${file.file}`,
          syntax: [],
        });
      }
    }
    const r = prettierCheck(out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);
});
