/**
 * What real published schemas say that `apskit import` once refused or changed (issue 21), one
 * minimal schema each: imported with the explicit option that says it, a warning where the schema is
 * unusual, and emitted again by `apskit schema` byte for byte (each source is written as `apskit
 * schema` formats). It runs the compiled CLI.
 */
import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { differences } from '../src/import/verify';
import { apskit, prettierCheck, ROOT, tempFolder, type Run } from './helpers/cli';

const ID = 'http://vendor.example/quirks';

function schema(name: string, rest: Record<string, unknown>): Record<string, unknown> {
  return { name, id: `${ID}/${name.toLowerCase()}/1.0`, apsVersion: '2.0', ...rest };
}

/** One minimal schema per quirk, by file name. */
const QUIRKS: Record<string, Record<string, unknown>> = {
  'explicit-defaults.schema': schema('ExplicitDefaults', {
    relations: {
      stack: { type: `${ID}/stack/1.0`, collection: false, required: true },
      owner: { type: `${ID}/owner/1.0`, required: false },
    },
    properties: { note: { type: 'string', required: false, readonly: false } },
    operations: {
      ping: {
        path: '/ping',
        verb: 'GET',
        static: false,
        parameters: { limit: { type: 'integer', kind: 'query', required: false } },
      },
    },
  }),
  'response-items.schema': schema('ResponseItems', {
    operations: {
      name: { path: '/name', verb: 'GET', response: { type: 'string', items: { type: 'string' } } },
      info: { path: '/info', verb: 'GET', response: { type: 'object', items: { type: 'object' } } },
      // As the APS PHP runtime writes a response without items.
      token: { path: '/token', verb: 'GET', response: { type: 'string', items: null } },
      // Items naming a structure no other member names: the structure is published all the same.
      ticket: { path: '/ticket', verb: 'GET', response: { type: 'string', items: { type: 'Ticket' } } },
    },
    structures: { Ticket: { type: 'object', properties: { id: { type: 'string' } } } },
  }),
  'content-type-null.schema': schema('ContentTypeNull', {
    operations: { download: { path: '/download', verb: 'GET', response: { type: 'string', contentType: null } } },
  }),
  'odd-type-ids.schema': schema('OddTypeIds', {
    implements: ['http://vendor.example/heatstack'],
    relations: { stack: { type: 'http://vendor.example/heatstack', required: true } },
    properties: { settings: { type: 'http://vendor.example/heatstack#Settings' } },
  }),
  'unknown-attributes.schema': schema('UnknownAttributes', {
    relations: { stack: { type: `${ID}/stack/1.0`, hint: 'one' } },
    properties: {
      size: { type: 'integer', 'x-ui': 'slider' },
      tags: { type: 'array', items: { type: 'string', 'x-each': true } },
    },
    operations: {
      info: {
        path: '/info',
        verb: 'GET',
        parameters: { q: { type: 'string', kind: 'query', hidden: true } },
        response: { type: 'object', cache: false },
        deprecated: true,
      },
    },
    description: 'a type of an older platform',
  }),
  'static-order.schema': schema('StaticOrder', {
    operations: {
      restart: { path: '/restart', verb: 'POST' },
      search: { path: '/search', verb: 'GET', static: true },
      stop: { path: '/stop', verb: 'POST' },
    },
  }),
  // Written by another tool: its own key order everywhere.
  'key-order.schema': {
    apsVersion: '2.0',
    name: 'KeyOrder',
    id: `${ID}/keyorder/1.0`,
    properties: { size: { title: 'Size', type: 'string', required: true } },
    relations: { stack: { type: `${ID}/stack/1.0`, required: true, collection: false } },
    operations: {
      info: {
        verb: 'GET',
        path: '/info',
        response: { contentType: null, type: 'string', items: null },
        parameters: { q: { kind: 'query', type: 'string' } },
      },
    },
  },
  'structure-extra.schema': schema('StructureExtra', {
    operations: { configurations: { path: '/$configurations', verb: 'GET', response: { type: 'Token' } } },
    structures: { Token: { properties: { id: { type: 'string' } }, type: 'object', description: 'a token' } },
  }),
  // Two apps' types of one APS name, as a platform's type dump has them: told apart by ID.
  'same-name-a.schema': { ...schema('SameName', {}), id: `${ID}/a/samename/1.0` },
  'same-name-b.schema': { ...schema('SameName', {}), id: `${ID}/b/samename/1.0` },
  // Names the platform resolves: a base type's structure (`Grant`), a type's APS name (`Identity`).
  'identity-provider.schema': schema('IdentityProvider', {
    operations: { authenticate: { path: '/authenticate', verb: 'POST', response: { type: 'Grant', name: 'token' } } },
    structures: { Grant: { type: 'object', properties: { identity: { type: 'Identity' } } } },
  }),
  'identity.schema': schema('Identity', { properties: { userId: { type: 'string' } } }),
  'identity-management.schema': schema('IdentityManagement', {
    implements: [`${ID}/identityprovider/1.0`],
    operations: { guestGrant: { path: '/guestGrant', verb: 'POST', response: { type: 'Grant', name: 'token' } } },
  }),
  // `self` and `binary`, as the core types say them; a media type for a parameter's kind.
  'platform-words.schema': schema('PlatformWords', {
    operations: {
      configure: { path: '/', verb: 'PUT', parameters: { new: { type: 'self', kind: 'body', required: true } } },
      backup: { path: '/backup', verb: 'GET', response: { type: 'binary', contentType: 'application/binary' } },
      test: { path: '/test', verb: 'GET', parameters: { data: { type: 'string', kind: 'text/json', required: true } } },
      restore: {
        path: '/restore',
        verb: 'PUT',
        parameters: { data: { kind: 'body', contentType: 'application/binary' } },
      },
    },
  }),
  'unchecked-values.schema': schema('UncheckedValues', {
    properties: { usage: { type: 'string', default: 0 }, level: { type: 'integer', enum: [1, 'high'] } },
  }),
};

/** The source text of a quirk, formatted as `apskit schema` prints it. */
function text(file: string): string {
  return `${JSON.stringify(QUIRKS[file], null, 2)}\n`;
}

let dir: string;
let imported: Run;
let emitted: Run;

beforeAll(() => {
  dir = tempFolder('import-quirks-');
  mkdirSync(join(dir, 'schemas'));
  for (const file of Object.keys(QUIRKS)) writeFileSync(join(dir, 'schemas', file), text(file));
  imported = apskit('import', relative(ROOT, join(dir, 'schemas')), '--out', relative(ROOT, join(dir, 'out')));
  emitted = apskit('schema', relative(ROOT, join(dir, 'out')));
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function module(file: string): string {
  return readFileSync(join(dir, 'out', file), 'utf8');
}

/** The documents `apskit schema` printed, each as its text, by type ID (two quirks share a name). */
function emittedTexts(): Map<string, string> {
  const texts = emitted.stdout.split(/\n(?=\{)/).map((t) => (t.endsWith('\n') ? t : `${t}\n`));
  return new Map(texts.map((t) => [(JSON.parse(t) as { id: string }).id, t]));
}

describe('issue 21: quirks of published schemas', () => {
  it('imports every quirk, and emits each schema again byte for byte', () => {
    expect(imported.code).toBe(0);
    expect(emitted.stderr).toBe('');
    expect(emitted.code).toBe(0);
    const texts = emittedTexts();
    for (const file of Object.keys(QUIRKS)) {
      const id = QUIRKS[file]?.id as string;
      expect({ file, text: texts.get(id) }).toEqual({ file, text: text(file) });
    }
  });

  it('writes modules that prettier finds formatted', () => {
    const r = prettierCheck(join(dir, 'out'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('says an explicit default as the option written so: `collection: false`, `required: false`, `static: false`', () => {
    const ts = module('explicit-defaults.ts');
    expect(ts).toContain(
      "@Relation(() => 'http://vendor.example/quirks/stack/1.0', { collection: false, required: true })",
    );
    expect(ts).toContain("@Relation(() => 'http://vendor.example/quirks/owner/1.0', { required: false })");
    expect(ts).toContain("@Property({ type: 'string', required: false, readonly: false })");
    expect(ts).toContain("@Operation({ verb: 'GET', path: '/ping', static: false })");
    expect(ts).toContain("@Param('limit', { kind: 'query', type: 'integer', required: false })");
    expect(imported.stderr).not.toMatch(/explicit-defaults/);
  });

  it('keeps `items` on a string or object response (with a warning) and `"items": null`', () => {
    const ts = module('response-items.ts');
    expect(ts).toContain("response: { type: 'string', items: 'string' }");
    expect(ts).toContain("response: { type: 'object', items: 'object' }");
    expect(ts).toContain("response: { type: 'string', items: null }");
    expect(imported.stderr).toMatch(
      /response-items\.schema: .*operations\.name\.response\.items: .*"items" on a response of type "string", which is no array: kept as written/,
    );
    expect(imported.stderr).not.toMatch(/operations\.token\.response\.items/);
  });

  it('keeps `"contentType": null`', () => {
    expect(module('content-type-null.ts')).toContain("response: { type: 'string', contentType: null }");
  });

  it('keeps type IDs without a version, with a warning naming each', () => {
    const ts = module('odd-type-ids.ts');
    expect(ts).toContain("implements: ['http://vendor.example/heatstack']");
    expect(ts).toContain("@Relation(() => 'http://vendor.example/heatstack', { required: true })");
    expect(ts).toContain("@Property({ type: 'http://vendor.example/heatstack#Settings' })");
    for (const path of ['implements\\[0\\]', 'relations\\.stack\\.type', 'properties\\.settings\\.type'])
      expect(imported.stderr).toMatch(
        new RegExp(
          `odd-type-ids\\.schema: .*${path}: .*"http://vendor.example/heatstack" has no major.minor version: kept as written`,
        ),
      );
  });

  it('keeps unknown attributes as extraAttributes, with a warning naming each by its path', () => {
    const ts = module('unknown-attributes.ts');
    expect(ts).toContain("extraAttributes: { description: 'a type of an older platform' }");
    expect(ts).toContain("{ extraAttributes: { hint: 'one' } })");
    expect(ts).toContain("@Property({ type: 'integer', extraAttributes: { 'x-ui': 'slider' } })");
    expect(ts).toContain("items: { type: 'string', extraAttributes: { 'x-each': true } }");
    expect(ts).toContain('extraAttributes: { hidden: true }');
    expect(ts).toContain("response: { type: 'object', extraAttributes: { cache: false } }");
    expect(ts).toContain('extraAttributes: { deprecated: true }');
    for (const path of [
      'description',
      'relations\\.stack\\.hint',
      'properties\\.size(\\.x-ui|\\["x-ui"\\])',
      'properties\\.tags\\.items(\\.x-each|\\["x-each"\\])',
      'operations\\.info\\.parameters\\.q\\.hidden',
      'operations\\.info\\.response\\.cache',
      'operations\\.info\\.deprecated',
    ])
      expect(imported.stderr).toMatch(new RegExp(`unknown-attributes\\.schema: .*${path}: .*unknown attribute`));
  });

  it("keeps a static operation where the schema lists it, by the type's operationOrder", () => {
    const ts = module('static-order.ts');
    expect(ts).toContain("operationOrder: ['restart', 'search', 'stop']");
    expect(ts).toMatch(/static search\(\): void/);
  });

  it('keeps the key order of a schema written otherwise, by keyOrder where it differs', () => {
    const ts = module('key-order.ts');
    expect(ts).toContain("keyOrder: ['apsVersion', 'name', 'id', 'properties', 'relations', 'operations']");
    expect(ts).toContain("keyOrder: ['title', 'type', 'required']");
    expect(ts).toContain("keyOrder: ['type', 'required', 'collection']");
    expect(ts).toContain("keyOrder: ['verb', 'path', 'response', 'parameters']");
    expect(ts).toContain("keyOrder: ['contentType', 'type', 'items']");
    expect(ts).toContain("keyOrder: ['kind', 'type']");
    // Where the order is APSKit's, nothing is said.
    expect(module('explicit-defaults.ts')).not.toContain('keyOrder');
  });

  it("keeps a structure's unknown attributes and key order, and an operation path with `$`", () => {
    const ts = module('structure-extra.ts');
    expect(ts).toContain(
      "@Structure({ extraAttributes: { description: 'a token' }, keyOrder: ['properties', 'type', 'description'] })",
    );
    expect(ts).toContain("path: '/$configurations'");
    expect(imported.stderr).toMatch(/structure-extra\.schema: .*structures\.Token\.description: .*unknown attribute/);
  });

  it('keeps a default or enum value of another type as written (uncheckedValues), with a warning', () => {
    const ts = module('unchecked-values.ts');
    expect(ts).toContain("@Property({ type: 'string', default: 0, uncheckedValues: true })");
    expect(ts).toContain("@Property({ type: 'integer', enum: [1, 'high'], uncheckedValues: true })");
    expect(imported.stderr).toMatch(
      /unchecked-values\.schema: .*properties\.usage: .*0 is not of type "string": kept as written \(uncheckedValues\)/,
    );
  });

  it('takes two types of one APS name as two classes, each with its own ID', () => {
    expect(module('same-name.ts')).toContain(`@ApsType({ id: '${ID}/a/samename/1.0' })\nexport class SameName {`);
    expect(module('same-name2.ts')).toContain(
      `@ApsType({ name: 'SameName', id: '${ID}/b/samename/1.0' })\nexport class SameName2 {`,
    );
  });

  it("keeps a base type's structure and a type's APS name as unresolvedType, with a warning saying what each is", () => {
    expect(module('identity-management.ts')).toContain("response: { type: unresolvedType('Grant'), name: 'token' }");
    expect(module('identity-provider.ts')).toContain("@Property({ type: unresolvedType('Identity') })");
    expect(imported.stderr).toMatch(
      /identity-management\.schema: .*operations\.guestGrant\.response: warning: "Grant" is a structure of the base type IdentityProvider \(http:\/\/vendor\.example\/quirks\/identityprovider\/1\.0\): kept as written, unresolvedType\("Grant"\)/,
    );
    expect(imported.stderr).toMatch(
      /identity-provider\.schema: .*structures\.Grant\.properties\.identity: warning: "Identity" is the APS name of the type http:\/\/vendor\.example\/quirks\/identity\/1\.0/,
    );
  });

  it('keeps `self`, `binary`, a media type for a kind (publishedKind) and a parameter without a type (untyped), with a warning', () => {
    const ts = module('platform-words.ts');
    expect(ts).toContain("@Param('new', { kind: 'body', type: unresolvedType('self'), required: true })");
    expect(ts).toContain("response: { type: unresolvedType('binary'), contentType: 'application/binary' }");
    expect(ts).toContain(
      "@Param('data', { kind: 'body', publishedKind: 'text/json', type: 'string', required: true })",
    );
    expect(ts).toContain(
      "@Param('data', { kind: 'body', untyped: true, extraAttributes: { contentType: 'application/binary' } })",
    );
    expect(imported.stderr).toMatch(
      /platform-words\.schema: .*operations\.restore\.parameters\.data: warning: has no "type": published without one \(untyped\)/,
    );
    expect(imported.stderr).toMatch(
      /platform-words\.schema: .*operations\.test\.parameters\.data\.kind: warning: parameter kind "text\/json" is a media type, no kind .*: published as written, read from the body/,
    );
  });
});

describe('the check before writing', () => {
  it('counts key order: an import whose declarations would reorder keys is no exact import', () => {
    expect(differences({ type: 'string', title: 'A' }, { type: 'string', title: 'A' }, 'T.p')).toEqual([]);
    expect(differences({ title: 'A', type: 'string' }, { type: 'string', title: 'A' }, 'T.p')).toEqual([
      'T.p: the declarations would publish the keys in the order type, title, where the schema has title, type',
    ]);
  });
});

describe('what stays refused', () => {
  it('refuses an attribute named __proto__, which an object literal would not publish', () => {
    const folder = tempFolder('import-quirks-proto-');
    try {
      const file = join(folder, 'proto.schema');
      writeFileSync(
        file,
        '{"name":"Proto","id":"http://vendor.example/proto/1.0","apsVersion":"2.0",' +
          '"properties":{"a":{"type":"string","__proto__":{"x":1}}}}',
      );
      const r = apskit('import', relative(ROOT, file), '--out', relative(ROOT, join(folder, 'out')));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /proto\.schema: \$\.properties\.a\.__proto__: error: "__proto__" cannot be an attribute of a declaration/,
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
