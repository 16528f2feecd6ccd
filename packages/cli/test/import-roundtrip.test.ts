/**
 * `apskit import` as users run it, over a corpus of schemas that covers the APS schema vocabulary
 * (fixtures/schemas) and the golden PASubscription read in place from ../shared/golden: the real
 * command writes the declarations, the TypeScript compiler checks them strictly, prettier finds them
 * formatted, and `apskit schema` (which compiles them with ts-node) emits every source schema again.
 * It runs the compiled CLI, which `npm test` builds first.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { apskit, documents, prettierCheck, ROOT, tempFolder } from './helpers/cli';

const CORPUS = 'packages/cli/test/fixtures/schemas';
/** Relative to the repository, as the golden test reads it: never copied into the repo. */
const GOLDEN = '../shared/golden/pa-subscription.schema.json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

/** The source schemas as a reader sees them: `//` lines are comments, arrays hold several, `aps` is the controller's. */
function readSources(): Array<{ file: string; schema: Schema }> {
  const files = [...readdirSync(join(ROOT, CORPUS)).map((f) => join(CORPUS, f)), GOLDEN];
  return files.flatMap((file) => {
    const parsed = JSON.parse(readFileSync(join(ROOT, file), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as Schema | Schema[];
    return (Array.isArray(parsed) ? parsed : [parsed]).map((schema) => {
      const { aps: _aps, ...declared } = schema;
      return { file, schema: declared };
    });
  });
}

const sources = readSources();
let out: string;
let imported: ReturnType<typeof apskit>;
let emitted: ReturnType<typeof apskit>;

beforeAll(() => {
  out = tempFolder('import-');
  imported = apskit('import', CORPUS, GOLDEN, '--out', out);
  emitted = apskit('schema', out);
}, 60_000);

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

describe('the corpus', () => {
  it('has at least 20 schema files, the golden one included, and more schemas than files', () => {
    expect(new Set(sources.map((s) => s.file)).size).toBeGreaterThanOrEqual(21);
    expect(sources.map((s) => s.file)).toContain(GOLDEN);
    expect(sources.map((s) => s.file)).toContain(`${CORPUS}/php-generated.schema.gen`);
    expect(sources.filter((s) => s.file.endsWith('aps-2-types.json'))).toHaveLength(2);
  });

  it('says everything a published schema can say', () => {
    const seen = new Set<string>();
    const walkValue = (v: Json | undefined, at: string): void => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return;
      for (const key of Object.keys(v)) seen.add(`${at}.${key}`);
      if (v.items) walkValue(v.items, 'items');
      if (v.properties && typeof v.properties === 'object' && !Array.isArray(v.properties)) {
        for (const p of Object.values(v.properties)) walkValue(p, 'inline');
      }
    };
    const entries = (v: Json | undefined): Json[] =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.values(v) : [];
    for (const { schema } of sources) {
      for (const key of Object.keys(schema)) seen.add(`type.${key}`);
      entries(schema.properties).forEach((p) => walkValue(p, 'property'));
      entries(schema.relations).forEach((r) => walkValue(r, 'relation'));
      for (const s of entries(schema.structures))
        entries((s as Schema).properties).forEach((p) => walkValue(p, 'property'));
      for (const op of entries(schema.operations) as Schema[]) {
        for (const key of Object.keys(op)) seen.add(`operation.${key}`);
        for (const p of entries(op.parameters) as Schema[]) {
          for (const key of Object.keys(p)) seen.add(`parameter.${key}`);
          seen.add(`kind.${String(p.kind)}`);
          if (p.items) walkValue(p.items, 'items');
        }
        for (const r of [op.response, op.errorResponse]) walkValue(r, 'response');
        if (op.static === true) seen.add('operation.static:true');
      }
    }
    const vocabulary = [
      ...['implements', 'access', 'relations', 'properties', 'operations', 'structures'].map((k) => `type.${k}`),
      ...[
        'type',
        'items',
        'properties',
        'required',
        'final',
        'readonly',
        'encrypted',
        'default',
        'title',
        'description',
        'format',
        'unit',
        'pattern',
        'enum',
        'enumTitles',
        'minimum',
        'maximum',
        'minLength',
        'maxLength',
        'minItems',
        'maxItems',
        'access',
      ].map((k) => `property.${k}`),
      ...['type', 'required', 'default', 'enum', 'minimum'].map((k) => `inline.${k}`),
      ...['type', 'items', 'enum', 'enumTitles', 'default', 'minItems', 'maxItems', 'minimum', 'title'].map(
        (k) => `items.${k}`,
      ),
      ...['type', 'collection', 'required', 'access'].map((k) => `relation.${k}`),
      ...['name', 'path', 'verb', 'static', 'parameters', 'response', 'errorResponse', 'access'].map(
        (k) => `operation.${k}`,
      ),
      'operation.static:true',
      ...['name', 'type', 'items', 'kind', 'required'].map((k) => `parameter.${k}`),
      ...['body', 'query', 'path'].map((k) => `kind.${k}`),
      ...['type', 'items', 'contentType', 'name'].map((k) => `response.${k}`),
    ];
    expect(vocabulary.filter((v) => !seen.has(v))).toEqual([]);
  });
});

describe('apskit import', () => {
  it('writes one module per type and an index exporting them, and says so', () => {
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toHaveLength(sources.length + 1);
    expect(files).toEqual(expect.arrayContaining(['index.ts', 'pa-subscription.ts', 'service-plan.ts', 'cloud.ts']));
    const index = readFileSync(join(out, 'index.ts'), 'utf8');
    for (const f of files.filter((f) => f !== 'index.ts')) {
      expect(index).toContain(`export * from './${f.replace(/\.ts$/, '')}';`);
      expect(imported.stdout).toContain(`wrote ${join(out, f).replace(`${ROOT}/`, '')}\n`);
    }
  });

  it('writes declarations that emit every source schema again, deep-equal (the aps objects aside)', () => {
    expect(emitted.stderr).toBe('');
    expect(emitted.code).toBe(0);
    const byName = new Map(documents<Schema>(emitted.stdout).map((d) => [d.name, d]));
    expect(byName.size).toBe(sources.length);
    for (const { file, schema } of sources) {
      expect({ file, schema: byName.get(schema.name as string) }).toEqual({ file, schema });
    }
  });

  it('reproduces the golden PASubscription byte for byte', () => {
    const golden = documents<Schema>(emitted.stdout).find((d) => d.name === 'PASubscription');
    expect(`${JSON.stringify(golden, null, 2)}\n`).toBe(readFileSync(join(ROOT, GOLDEN), 'utf8'));
  });

  it('writes modules that compile under the strict tsconfig of the project', () => {
    const base = ts.readConfigFile(join(ROOT, 'tsconfig.base.json'), (f) => ts.sys.readFile(f));
    const { options, errors } = ts.convertCompilerOptionsFromJson(
      { ...base.config.compilerOptions, composite: false, declaration: false, declarationMap: false, noEmit: true },
      ROOT,
    );
    expect(errors).toEqual([]);
    expect(options.strict).toBe(true);
    const files = readdirSync(out).map((f) => join(out, f));
    const program = ts.createProgram(files, options);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.formatDiagnostic(d, formatHost));
    expect(diagnostics).toEqual([]);
  });

  it('writes files that prettier finds formatted', () => {
    const r = prettierCheck(out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('names imported types by class, and types it does not import by type ID', () => {
    const read = (f: string): string => readFileSync(join(out, f), 'utf8');
    expect(read('mailbox.ts')).toContain("import { MailDomain } from './mail-domain';");
    expect(read('mailbox.ts')).toContain('@Relation(() => MailDomain, { required: true })\n  domain?: MailDomain;');
    expect(read('mail-domain.ts')).toContain(
      '@Relation(() => Mailbox, { collection: true })\n  mailboxes?: Mailbox[];',
    );
    expect(read('pa-subscription.ts')).toContain('@Relation(() => PaWebsite, { collection: true })');
    expect(read('pa-subscription.ts')).toContain('@Relation(() => CoreTypes.account)\n  account?: unknown;');
    expect(read('relations-to-core.ts')).toContain("@Relation(() => 'http://example.com/elsewhere/license/2.0', {");
    expect(read('implements-list.ts')).toContain('() => EveryPropertyType');
  });

  it('keeps every APS name where the TypeScript name differs', () => {
    const plan = readFileSync(join(out, 'service-plan.ts'), 'utf8');
    expect(plan).toContain("@ApsType({ name: 'service-plan',");
    expect(plan).toContain('export class ServicePlan {');
    expect(plan).toContain("'admin-name'!: string;");
    expect(plan).toContain("@Structure({ name: 'Property' })\nexport class ServicePlanProperty {");
    expect(plan).toContain("name: 'get-state'");
    expect(plan).toContain("@Param('part-id', { kind: 'path', type: 'string', required: true }) _partId: string,");
    // `state` is a property, `provision` a lifecycle method: the operations get other methods.
    expect(plan).toContain("@Operation({ verb: 'PUT', path: '/state', name: 'state' })\n  stateOperation(): void {");
    expect(plan).toContain("name: 'provision' })\n  provisionOperation(): void {");
  });
});

const formatHost: ts.FormatDiagnosticsHost = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => ROOT,
  getNewLine: () => '\n',
};
