/**
 * What `apskit import` refuses, and how: one message naming every problem by file and
 * `Type.member`, exit code 1, and nothing written. Also what it reads as absent (with a note), and
 * how it treats an output folder that already has files. It runs the compiled CLI.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { apskit, documents, ROOT, tempFolder, type Run } from './helpers/cli';

let dir: string;

beforeEach(() => {
  dir = tempFolder('import-errors-');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes the files into the test's folder and imports them into `<folder>/out`. */
function importFiles(files: Record<string, unknown>, ...options: string[]): Run & { out: string } {
  const paths = Object.entries(files).map(([name, content]) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return relative(ROOT, path);
  });
  const out = join(dir, 'out');
  return { ...apskit('import', ...paths, '--out', out, ...options), out };
}

const ID = 'http://example.com/errors';

function schema(name: string, rest: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, id: `${ID}/${name.toLowerCase()}/1.0`, apsVersion: '2.0', ...rest };
}

/** A failed import: exit code 1, one message on stderr listing the problems, no output folder. */
function expectRefused(r: Run & { out: string }, ...problems: RegExp[]): void {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^apskit: Cannot import the schemas, nothing was written \(\d+ problems?\):\n/);
  for (const p of problems) expect(r.stderr).toMatch(p);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(existsSync(r.out)).toBe(false);
}

describe('malformed input', () => {
  it('reports malformed JSON with its line and column', () => {
    const r = importFiles({
      'broken.schema':
        '{\n  "name": "Broken",\n  "id": "http://example.com/errors/broken/1.0"\n  "apsVersion": "2.0"\n}\n',
    });
    // JSON.parse finds the missing comma where the next attribute starts.
    expectRefused(
      r,
      /- tmp\/.*\/broken\.schema: malformed JSON: Expected ',' or '}' after property value \(line 4, column 3\)\n/,
    );
  });

  it('counts the comment lines of a .schema.gen file in the line number', () => {
    const r = importFiles({ 'app.schema.gen': '// generated\n// by aps build\n{\n  "name": tru\n}\n' });
    expectRefused(r, /app\.schema\.gen: malformed JSON: Unexpected "t" \(line 4, column 11\)\n/);
  });

  it('reports JSON that is no schema, and a schema without its name, ID or APS version', () => {
    const r = importFiles({
      'number.schema': '42',
      'list.json': [schema('Listed'), 'not a schema'],
      'headless.schema': { id: `${ID}/headless/1.0`, apsVersion: '2.0' },
      'versionless.schema': { name: 'Versionless', id: `${ID}/versionless/1.0` },
    });
    expectRefused(
      r,
      /number\.schema: is not an APS schema: expected a JSON object, or an array of them as \/aps\/2\/types answers, found a number \(42\)/,
      /list\.json\[1\]: is not an APS schema: expected a JSON object, found a string \("not a schema"\)/,
      /headless\.schema: the schema has no "name", which every APS type has/,
      /versionless\.schema: Versionless: the schema has no "apsVersion"/,
    );
  });

  it('reports files and folders that do not exist', () => {
    const r = apskit('import', 'no/such.schema', '--out', join(dir, 'out'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('- no/such.schema: no such file or folder');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('needs --out', () => {
    const r = apskit('import', 'packages/cli/test/fixtures/schemas');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("required option '-o, --out <dir>' not specified");
  });
});

describe('unknown attributes and attribute types', () => {
  it('names an unknown type, an unknown attribute and a value of the wrong kind, each where it is', () => {
    const r = importFiles({
      'thing.schema': schema('Thing', {
        properties: {
          created: { type: 'datetime' },
          count: { type: 'integer', minimumExclusive: 0 },
          active: { type: 'boolean', required: 'yes' },
          tags: { type: 'array', items: { type: 'strnig' } },
        },
        operations: {
          run: {
            path: '/run',
            verb: 'GET',
            parameters: { mode: { type: 'string', kind: 'header' } },
            response: { type: 'string', schema: {} },
          },
        },
      }),
    });
    expectRefused(
      r,
      /thing\.schema: Thing\.properties\.created: unknown type "datetime": it is no APS type \(string, number, integer, boolean, object, array\), no type ID, and no structure of this schema \(it declares none\)/,
      /Thing\.properties\.count\.minimumExclusive: unknown attribute "minimumExclusive" \(a property has type, items, properties, required/,
      /Thing\.properties\.active\.required: must be true or false, not a string \("yes"\)/,
      /Thing\.properties\.tags\.items: unknown type "strnig"/,
      /Thing\.operations\.run\.parameters\.mode\.kind: unknown parameter kind "header": APS has body, query, path/,
      /Thing\.operations\.run\.response\.schema: unknown attribute "schema" \(a response has type, items, contentType, name\)/,
    );
    expect(r.stderr).toMatch(/\(6 problems\)/);
  });

  it('refuses what declarations cannot say rather than drop it', () => {
    const r = importFiles({
      'lossy.schema': schema('Lossy', {
        description: 'types have no description in APS',
        properties: {
          rows: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } },
        },
        operations: { go: { name: 'run', path: '/go', verb: 'POST' }, went: { verb: 'GET' } },
      }),
    });
    expectRefused(
      r,
      /Lossy: unknown attribute "description" \(a type has name, id, apsVersion, implements, access, relations, properties, operations, structures\)/,
      /Lossy\.properties\.rows\.items\.properties: inline properties of array items cannot be declared: declare a structure/,
      /Lossy\.operations\.go\.name: is "run", not the operation's key "go": APSKit publishes one name, the key/,
      /Lossy\.operations\.went: has no "path"/,
    );
  });

  it('reports declaration mistakes the schema makes, by class and member', () => {
    const r = importFiles({
      'mistakes.schema': schema('Mistakes', {
        properties: {
          count: { type: 'integer', default: 'ten' },
          aps: { type: 'string' },
        },
        operations: {
          a: { path: '/same', verb: 'GET' },
          b: { path: '/same', verb: 'GET' },
        },
      }),
    });
    expectRefused(
      r,
      /mistakes\.schema: Mistakes\.count: default "ten" is not of type "integer"/,
      /mistakes\.schema: Mistakes\.aps: "aps" is reserved/,
      /mistakes\.schema: Mistakes\.b: duplicate operation path: GET \/same is already declared by a\(\)/,
    );
  });
});

describe('name clashes', () => {
  it('refuses two types that become one class', () => {
    const r = importFiles({
      'a.schema': schema('service-user', { id: `${ID}/a/1.0` }),
      'b.schema': schema('service_user', { id: `${ID}/b/1.0` }),
    });
    expectRefused(
      r,
      /name clash: the types "service-user" \(tmp\/.*\/a\.schema\) and "service_user" \(tmp\/.*\/b\.schema\) both become the class ServiceUser/,
    );
  });

  it('refuses two types that would be written to one file', () => {
    const r = importFiles({
      'a.schema': schema('Vps', { id: `${ID}/a/1.0` }),
      'b.schema': schema('VPS', { id: `${ID}/b/1.0` }),
    });
    expectRefused(
      r,
      /name clash: the types "Vps" \(.*a\.schema\) and "VPS" \(.*b\.schema\) would both be written to vps\.ts/,
    );
  });

  it('refuses a type name or ID declared twice, and a type that would be written to index.ts', () => {
    const r = importFiles({
      'a.schema': schema('Twice', { id: `${ID}/a/1.0` }),
      'b.schema': schema('Twice', { id: `${ID}/b/1.0` }),
      'c.schema': schema('Other', { id: `${ID}/a/1.0` }),
      'd.schema': schema('index'),
    });
    expectRefused(
      r,
      /name clash: tmp\/.*\/a\.schema and tmp\/.*\/b\.schema both declare the type "Twice"/,
      /name clash: tmp\/.*\/a\.schema and tmp\/.*\/c\.schema both declare the type ID "http:\/\/example\.com\/errors\/a\/1\.0"/,
      /name clash: tmp\/.*\/d\.schema: the type "index" would be written to index\.ts, which exports the others/,
    );
  });

  it('gives structures that share a name across types class names of their own, keeping the APS names', () => {
    const shared = { type: 'object', properties: { value: { type: 'string' } } };
    const r = importFiles({
      'a.schema': schema('First', { properties: { s: { type: 'State' } }, structures: { State: shared } }),
      'b.schema': schema('Second', { properties: { s: { type: 'State' } }, structures: { State: shared } }),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(r.out, 'first.ts'), 'utf8')).toContain(
      "@Structure({ name: 'State' })\nexport class FirstState {",
    );
    expect(readFileSync(join(r.out, 'second.ts'), 'utf8')).toContain(
      "@Structure({ name: 'State' })\nexport class SecondState {",
    );
  });
});

describe('unresolvable structures', () => {
  it('names every place that uses a structure the schema does not declare', () => {
    const r = importFiles({
      'orders.schema': schema('Orders', {
        properties: {
          limits: { type: 'Limits' },
          lines: { type: 'array', items: { type: 'OrderLine' } },
          nested: { type: 'object', properties: { inner: { type: 'Inner' } } },
        },
        operations: {
          place: {
            path: '/place',
            verb: 'POST',
            parameters: { order: { type: 'Order', kind: 'body' } },
            response: { type: 'Receipt' },
            errorResponse: { type: 'array', items: { type: 'Problem' } },
          },
        },
        structures: { Known: { type: 'object', properties: { other: { type: 'Missing' } } } },
      }),
    });
    const unknown = (path: string, name: string): RegExp =>
      new RegExp(`Orders\\.${path}: unknown type "${name}": .*no structure of this schema \\(it has Known\\)`);
    expectRefused(
      r,
      unknown('properties\\.limits', 'Limits'),
      unknown('properties\\.lines\\.items', 'OrderLine'),
      unknown('properties\\.nested\\.properties\\.inner', 'Inner'),
      unknown('operations\\.place\\.parameters\\.order', 'Order'),
      unknown('operations\\.place\\.response', 'Receipt'),
      unknown('operations\\.place\\.errorResponse\\.items', 'Problem'),
      unknown('structures\\.Known\\.properties\\.other', 'Missing'),
    );
    expect(r.stderr).toMatch(/\(7 problems\)/);
  });

  it('refuses a structure that is no object', () => {
    const r = importFiles({
      'aliases.schema': schema('Aliases', { structures: { Email: { type: 'string', format: 'email' } } }),
    });
    expectRefused(
      r,
      /Aliases\.structures\.Email\.type: is "string": an APS structure is an object/,
      /Aliases\.structures\.Email\.format: unknown attribute "format" \(a structure has type, properties\)/,
      /Aliases\.structures\.Email: has no "properties"/,
    );
  });
});

describe('what is read as absent', () => {
  it('leaves out empty sections and false flags APS assumes, with a note for each, and emits the rest', () => {
    const source = schema('Defaults', {
      implements: [],
      relations: { account: { type: 'http://aps-standard.org/types/core/account/1.0', required: false } },
      properties: { data: { type: 'Data' } },
      operations: {
        list: {
          path: '/list',
          verb: 'GET',
          static: false,
          parameters: { limit: { type: 'integer', kind: 'query', required: false } },
        },
        ping: { path: '/ping', verb: 'GET', parameters: [] },
      },
      // PHP writes an empty map as [].
      structures: { Data: { type: 'object', properties: [] } },
    });
    const r = importFiles({ 'defaults.schema': source });
    expect(r.code).toBe(0);
    const notes = r.stderr.trim().split('\n');
    expect(notes).toEqual([
      expect.stringMatching(/^note: tmp\/.*\/defaults\.schema: Defaults\.implements: left out: an empty list/),
      expect.stringMatching(/Defaults\.structures\.Data\.properties: read the empty list \[\] as an empty map \{\}/),
      expect.stringMatching(/Defaults\.relations\.account\.required: left out: false is what APS assumes/),
      expect.stringMatching(/Defaults\.operations\.list\.static: left out: false is what APS assumes/),
      expect.stringMatching(/Defaults\.operations\.list\.parameters\.limit\.required: left out: false/),
      expect.stringMatching(/Defaults\.operations\.ping\.parameters: left out: an empty section/),
    ]);
    const emitted = documents(apskit('schema', r.out).stdout);
    expect(emitted).toEqual([
      schema('Defaults', {
        relations: { account: { type: 'http://aps-standard.org/types/core/account/1.0' } },
        properties: { data: { type: 'Data' } },
        operations: {
          list: { path: '/list', verb: 'GET', parameters: { limit: { type: 'integer', kind: 'query' } } },
          ping: { path: '/ping', verb: 'GET' },
        },
        structures: { Data: { type: 'object', properties: {} } },
      }),
    ]);
  });
});

describe('the output folder', () => {
  it('refuses to replace files unless --force, and then replaces them', () => {
    const files = { 'one.schema': schema('One') };
    expect(importFiles(files).code).toBe(0);
    writeFileSync(join(dir, 'out', 'one.ts'), '// edited by hand\n');

    const again = importFiles(files);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /^apskit: tmp\/.*\/out already has one\.ts, index\.ts: nothing was written; pass --force/,
    );
    expect(readFileSync(join(dir, 'out', 'one.ts'), 'utf8')).toBe('// edited by hand\n');

    const forced = importFiles(files, '--force');
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'out', 'one.ts'), 'utf8')).toContain('export class One {}');
  });

  it('creates the folder, and leaves other files in it alone', () => {
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'main.ts'), '// the app\n');
    const r = importFiles({ 'one.schema': schema('One') });
    expect(r.code).toBe(0);
    expect(readdirSync(r.out).sort()).toEqual(['index.ts', 'main.ts', 'one.ts']);
  });
});
