/**
 * What `apskit import` refuses, and how: each problem on stderr, one line each, as
 * `<file>: <JSON path>: error: <reason>`; the refused file is left out (here the only file: nothing
 * written), exit code 1, and a summary. (A folder with good files among broken ones, and --strict:
 * import-folder.test.ts.) Also what it reads as absent (with a note), and how it treats an output
 * folder that already has files. It runs the compiled CLI.
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

/** `tmp/…/<file>: <path>: error: <reason>`, as one whole line of stderr. */
function line(file: string, path: string, reason: string): RegExp {
  const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^tmp/[^\n]*/${escaped(file)}: ${escaped(path)}: error: ${reason}$`, 'm');
}

/**
 * Every file refused: exit code 1, each problem a line of stderr, the summary last, nothing on
 * stdout and no output folder.
 */
function expectRefused(r: Run & { out: string }, files: number, ...problems: RegExp[]): void {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  for (const p of problems) expect(r.stderr).toMatch(p);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines.slice(0, -1).filter((l) => / error: /.test(l))).toHaveLength(problems.length);
  expect(lines[lines.length - 1]).toBe(
    `apskit: imported 0 of ${files} ${files === 1 ? 'file' : 'files'}; ${files} failed`,
  );
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(existsSync(r.out)).toBe(false);
}

describe('malformed input', () => {
  it('reports malformed JSON with its line and column, at the JSON path where it breaks', () => {
    const r = importFiles({
      'broken.schema':
        '{\n  "name": "Broken",\n  "id": "http://example.com/errors/broken/1.0"\n  "apsVersion": "2.0"\n}\n',
    });
    // JSON.parse finds the missing comma where the next attribute starts: after the value of "id".
    expectRefused(
      r,
      1,
      line('broken.schema', '$.id', "malformed JSON: Expected ',' or '}' after property value \\(line 4, column 3\\)"),
    );
  });

  it('counts the comment lines of a .schema.gen file in the line number', () => {
    const r = importFiles({ 'app.schema.gen': '// generated\n// by aps build\n{\n  "name": tru\n}\n' });
    expectRefused(r, 1, line('app.schema.gen', '$.name', 'malformed JSON: Unexpected "t" \\(line 4, column 11\\)'));
  });

  it('names the path in nested objects and arrays where the JSON breaks', () => {
    const text = JSON.stringify(schema('Deep', { operations: { resize: { path: '/r', verb: 'POST' } } }), null, 2);
    const r = importFiles({
      'deep.schema': text.replace('"verb": "POST"', '"verb": POST'),
      'list.json': `[${JSON.stringify(schema('First'))}, {"name": "Second", "implements": ["a" "b"]}]`,
    });
    expectRefused(
      r,
      2,
      line('deep.schema', '$.operations.resize.verb', 'malformed JSON: Unexpected "P" \\(line \\d+, column \\d+\\)'),
      line('list.json', '$[1].implements[0]', 'malformed JSON: .*'),
    );
  });

  it('reports JSON that is no schema, and a schema without its name, ID or APS version', () => {
    const r = importFiles({
      'number.schema': '42',
      'list.json': [schema('Listed'), 'not a schema'],
      'headless.schema': { id: `${ID}/headless/1.0`, apsVersion: '2.0' },
      'versionless.schema': { name: 'Versionless', id: `${ID}/versionless/1.0` },
    });
    // list.json's first schema is written: the file failed in part.
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      line(
        'number.schema',
        '$',
        'is not an APS schema: expected a JSON object, or an array of them as /aps/2/types answers, found a number \\(42\\)',
      ),
    );
    expect(r.stderr).toMatch(
      line('list.json', '$[1]', 'is not an APS schema: expected a JSON object, found a string \\("not a schema"\\)'),
    );
    expect(r.stderr).toMatch(line('headless.schema', '$', 'the schema has no "name", which every APS type has'));
    expect(r.stderr).toMatch(line('versionless.schema', '$', 'the schema has no "apsVersion".*'));
    expect(r.stderr).toMatch(
      /\napskit: imported 0 of 4 files; 4 failed \(tmp\/.*\/list\.json in part: its other schemas were written\)\n$/,
    );
    expect(readdirSync(r.out).sort()).toEqual(['index.ts', 'listed.ts']);
  });

  it('reports files and folders that do not exist', () => {
    const r = apskit('import', 'no/such.schema', '--out', join(dir, 'out'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('no/such.schema: $: error: no such file or folder\napskit: imported 0 of 1 file; 1 failed\n');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('needs --out', () => {
    const r = apskit('import', 'packages/cli/test/fixtures/schemas');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("required option '-o, --out <dir>' not specified");
  });
});

describe('unknown attributes and attribute types', () => {
  it('names an unknown type, a value of the wrong kind and an unknown parameter kind, each where it is', () => {
    const r = importFiles({
      'thing.schema': schema('Thing', {
        properties: {
          created: { type: 'datetime' },
          active: { type: 'boolean', required: 'yes' },
          tags: { type: 'array', items: { type: 'strnig' } },
        },
        operations: {
          run: {
            path: '/run',
            verb: 'GET',
            parameters: { mode: { type: 'string', kind: 'header' } },
            response: { type: 'Nothing' },
          },
        },
      }),
    });
    expectRefused(
      r,
      1,
      line(
        'thing.schema',
        '$.properties.created',
        'unknown type "datetime": it is no APS type \\(string, number, integer, boolean, object, array\\), no type ID, and no structure of this schema \\(it declares none\\)',
      ),
      line('thing.schema', '$.properties.active.required', 'must be true or false, not a string \\("yes"\\)'),
      line('thing.schema', '$.properties.tags.items', 'unknown type "strnig".*'),
      line(
        'thing.schema',
        '$.operations.run.parameters.mode.kind',
        'unknown parameter kind "header": APS has body, query, path',
      ),
      line('thing.schema', '$.operations.run.response', 'unknown type "Nothing".*'),
    );
  });

  it('refuses what declarations cannot say rather than drop it', () => {
    const r = importFiles({
      'lossy.schema': schema('Lossy', {
        properties: {
          rows: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } },
        },
        operations: { go: { name: 'run', path: '/go', verb: 'POST' }, went: { verb: 'GET' } },
      }),
    });
    expectRefused(
      r,
      1,
      line(
        'lossy.schema',
        '$.properties.rows.items.properties',
        'inline properties of array items cannot be declared: declare a structure.*',
      ),
      line(
        'lossy.schema',
        '$.operations.go.name',
        'is "run", not the operation\'s key "go": APSKit publishes one name, the key',
      ),
      line('lossy.schema', '$.operations.went', 'has no "path"'),
    );
  });

  it('reports declaration mistakes the schema makes, by class and member', () => {
    const r = importFiles({
      'mistakes.schema': schema('Mistakes', {
        properties: {
          size: { type: 'string', enum: ['s', 'm'], enumTitles: ['Small'] },
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
      1,
      line('mistakes.schema', '$', 'Mistakes\\.size: `enumTitles` needs an `enum` of the same length'),
      line('mistakes.schema', '$', 'Mistakes\\.aps: "aps" is reserved.*'),
      line('mistakes.schema', '$', 'Mistakes\\.b: duplicate operation path: GET /same is already declared by a\\(\\)'),
    );
  });
});

describe('name clashes: the first type keeps its name, a later one of that name is numbered, of that ID refused', () => {
  // Issue 21: a class or file name taken is no reason to refuse a type: it gets a numbered one.
  it('gives a type whose class another type has a numbered class, with a warning', () => {
    const r = importFiles({
      'a.schema': schema('service-user', { id: `${ID}/a/1.0` }),
      'b.schema': schema('service_user', { id: `${ID}/b/1.0` }),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /b\.schema: \$: warning: the class ServiceUser \(service-user\.ts\) is taken by the type "service-user" \(tmp\/.*\/a\.schema\): this type is the class ServiceUser2, in service-user2\.ts/,
    );
    expect(readdirSync(r.out).sort()).toEqual(['index.ts', 'service-user.ts', 'service-user2.ts']);
    expect(readFileSync(join(r.out, 'service-user.ts'), 'utf8')).toContain(`id: '${ID}/a/1.0'`);
    expect(readFileSync(join(r.out, 'service-user2.ts'), 'utf8')).toContain(
      `@ApsType({ name: 'service_user', id: '${ID}/b/1.0' })\nexport class ServiceUser2 {`,
    );
  });

  it('gives a type whose file another type has (or index.ts) a numbered one', () => {
    const r = importFiles({
      'a.schema': schema('Vps', { id: `${ID}/a/1.0` }),
      'b.schema': schema('VPS', { id: `${ID}/b/1.0` }),
      'c.schema': schema('index'),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/b\.schema: \$: warning: the class VPS \(vps\.ts\) is taken by the type "Vps"/);
    expect(r.stderr).toMatch(
      /c\.schema: \$: warning: the class Index \(index\.ts\) is taken by index\.ts, which exports the others/,
    );
    expect(readdirSync(r.out).sort()).toEqual(['index.ts', 'index2.ts', 'vps.ts', 'vps2.ts']);
  });

  it('takes two types of one APS name (other IDs) as numbered classes, and refuses an ID declared twice', () => {
    const r = importFiles({
      'a.schema': schema('Twice', { id: `${ID}/a/1.0` }),
      'b.schema': schema('Twice', { id: `${ID}/b/1.0` }),
      'c.schema': schema('Other', { id: `${ID}/a/1.0` }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /b\.schema: \$: warning: the class Twice \(twice\.ts\) is taken by the type "Twice" \(tmp\/.*\/a\.schema\): this type is the class Twice2, in twice2\.ts/,
    );
    expect(r.stderr).toMatch(
      line(
        'c.schema',
        '$',
        'name clash: tmp/.*/a\\.schema and tmp/.*/c\\.schema both declare the type ID "http://example\\.com/errors/a/1\\.0"',
      ),
    );
    expect(r.stderr).toMatch(/\napskit: imported 2 of 3 files; 1 failed\n$/);
    expect(readdirSync(r.out).sort()).toEqual(['index.ts', 'twice.ts', 'twice2.ts']);
    expect(readFileSync(join(r.out, 'twice2.ts'), 'utf8')).toContain(
      `@ApsType({ name: 'Twice', id: '${ID}/b/1.0' })\nexport class Twice2 {`,
    );
  });

  it('keeps a reference to a type ID that the imported type of a clash declares as a class reference, without warning', () => {
    const r = importFiles({
      'a.schema': schema('Disk', { id: `${ID}/disk/1.0` }),
      'b.schema': schema('Volume', { id: `${ID}/disk/1.0` }),
      'c.schema': schema('Server', { relations: { disk: { type: `${ID}/disk/1.0` } } }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter((l) => / (error|warning): /.test(l))).toEqual([
      expect.stringMatching(/b\.schema: \$: error: name clash: .* both declare the type ID/),
    ]);
    expect(readFileSync(join(r.out, 'server.ts'), 'utf8')).toContain('@Relation(() => Disk)');
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
      line('orders.schema', path, `unknown type "${name}": .*no structure of this schema \\(it has Known\\)`);
    expectRefused(
      r,
      1,
      unknown('$.properties.limits', 'Limits'),
      unknown('$.properties.lines.items', 'OrderLine'),
      unknown('$.properties.nested.properties.inner', 'Inner'),
      unknown('$.operations.place.parameters.order', 'Order'),
      unknown('$.operations.place.response', 'Receipt'),
      unknown('$.operations.place.errorResponse.items', 'Problem'),
      unknown('$.structures.Known.properties.other', 'Missing'),
    );
  });

  it('refuses a structure that is no object', () => {
    const r = importFiles({
      'aliases.schema': schema('Aliases', { structures: { Email: { type: 'string', format: 'email' } } }),
    });
    expectRefused(
      r,
      1,
      line('aliases.schema', '$.structures.Email.type', 'is "string": an APS structure is an object.*'),
      // `format` beside them is kept with a warning (extraAttributes), as on any structure.
      line('aliases.schema', '$.structures.Email', 'has no "properties".*'),
    );
  });
});

describe('what is read as absent', () => {
  // `false` flags are kept as written (issue 21): import-quirks.test.ts.
  it('leaves out empty sections, with a note for each, and emits the rest', () => {
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
      expect.stringMatching(/Defaults\.operations\.ping\.parameters: left out: an empty section/),
    ]);
    const emitted = documents(apskit('schema', r.out).stdout);
    expect(emitted).toEqual([
      schema('Defaults', {
        relations: { account: { type: 'http://aps-standard.org/types/core/account/1.0', required: false } },
        properties: { data: { type: 'Data' } },
        operations: {
          list: {
            path: '/list',
            verb: 'GET',
            static: false,
            parameters: { limit: { type: 'integer', kind: 'query', required: false } },
          },
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
