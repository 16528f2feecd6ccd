/**
 * `apskit package` as users run it (the built command in a child process), and the package checked
 * the way the platform reads it: unzipped, APP-META.xml parsed and compared with the declarations,
 * every schema file byte-equal to what `apskit schema` prints. Then the ways a build must fail.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import JSZip from 'jszip';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { buildTypeModel, type ApsApp } from '@apskit/core';
import { buildPackage, CliError, validatePackage } from '@apskit/cli';
import { app as asyncProvisioning } from './fixtures/async-provisioning-app';
import { app as paSubscription } from './fixtures/pa-subscription-app';
import { app as withFiles } from './fixtures/app-with-files/src';

const ROOT = resolve(__dirname, '../../..');
const BIN = join(ROOT, 'packages/cli/bin/apskit.js');
const FIXTURES = 'packages/cli/test/fixtures';

function apskit(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function unzip(file: string): Promise<Map<string, Buffer>> {
  const zip = await JSZip.loadAsync(readFileSync(file));
  const files = new Map<string, Buffer>();
  for (const entry of Object.values(zip.files)) {
    if (!entry.dir) files.set(entry.name, await entry.async('nodebuffer'));
  }
  return files;
}

type Xml = Record<string, unknown> & { [key: string]: Xml | string | Xml[] };

function parseAppMeta(xml: string): Xml {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (name) => name === 'service' || name === 'entry',
  }).parse(xml) as { application: Xml };
  return doc.application;
}

let out: string;
beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'apskit-package-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('apskit package', () => {
  it.each([
    [`${FIXTURES}/async-provisioning-app.ts`, asyncProvisioning],
    [`${FIXTURES}/pa-subscription-app.ts`, paSubscription],
  ] as Array<[string, ApsApp]>)('builds %s into a package that matches its declarations', async (module, app) => {
    const r = apskit('package', module, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const file = join(out, `${app.name}-${app.version}-${app.release}.app.zip`);
    expect(r.stdout).toContain(`wrote ${file}`);

    const files = await unzip(file);
    const services = Object.keys(app.services);
    expect([...files.keys()]).toEqual(['APP-META.xml', ...services.map((s) => `schemas/${s}.schema`)]);

    const meta = parseAppMeta(files.get('APP-META.xml')!.toString('utf8'));
    expect(meta['@_xmlns']).toBe('http://aps-standard.org/ns/2');
    expect(meta['@_version']).toBe('2.0');
    expect(meta).toMatchObject({
      id: app.id,
      name: app.name,
      version: app.version,
      release: app.release,
      vendor: { name: app.vendor.name },
      packager: { name: app.packager.name },
      presentation: { summary: app.summary, description: app.description },
      'license-agreement': {
        '@_must-accept': 'true',
        free: '',
        text: { name: app.license!.name, file: app.license!.url },
      },
    });

    const model = buildTypeModel(Object.values(app.services));
    const declared = meta.service as Xml[];
    expect(declared.map((s) => s['@_id'])).toEqual(services);
    for (const service of declared) {
      const id = service['@_id'] as string;
      const type = model.get(app.services[id]!);
      const presentation = app.servicePresentation[id];
      expect(service).toEqual({
        '@_id': id,
        schema: { '@_path': `schemas/${id}.schema` },
        presentation: {
          name: presentation?.name ?? type.name,
          summary: presentation?.summary ?? type.doc,
        },
      });
      const schema = apskit('schema', module, '--type', type.name);
      expect(schema.code).toBe(0);
      expect(files.get(`schemas/${id}.schema`)!.toString('utf8')).toBe(schema.stdout);
    }
  });

  it('carries the icon, the license file, and the UI and i18n files the app lists, byte for byte', async () => {
    const folder = join(ROOT, FIXTURES, 'app-with-files');
    const r = apskit('package', `${FIXTURES}/app-with-files`, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // Spaces in the app name become "-" in the file name.
    const files = await unzip(join(out, 'Gadget-Shop-2.1.3-7.app.zip'));
    const carried = ['images/icon.png', 'LICENSE.txt', 'ui/app.html', 'ui/app.js', 'i18n/en_US.po'];
    expect([...files.keys()]).toEqual(['APP-META.xml', 'schemas/gadgets.schema', ...carried]);
    for (const path of carried) expect(files.get(path)).toEqual(readFileSync(join(folder, path)));

    const meta = parseAppMeta(files.get('APP-META.xml')!.toString('utf8'));
    // Markup characters in the metadata are escaped in the XML and read back as written.
    expect(meta.vendor).toEqual({ name: 'Gadgets & Co', homepage: 'https://gadgets.example.com/' });
    expect(meta.packager).toEqual({
      name: 'APSKit tests',
      homepage: 'https://packager.example.com/',
      uri: 'urn:apskit:tests',
    });
    expect(meta.presentation).toEqual({
      summary: 'Gadgets <on demand>',
      description: 'Sells "gadgets".',
      icon: { '@_path': 'images/icon.png' },
    });
    // `free: false`: no <free/>.
    expect(meta['license-agreement']).toEqual({
      '@_must-accept': 'true',
      text: { name: 'Fixture License', file: 'LICENSE.txt' },
    });
    expect((meta.service as Xml[])[0]!.presentation).toEqual({
      name: 'gadget',
      summary: 'The gadget service of Gadget Shop',
    });
  });

  it('fails naming a listed file that is missing, and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apskit-package-missing-'));
    try {
      const r = apskit('package', `${FIXTURES}/app-with-files/src/missing-file.ts`, '--out', dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `apskit: Cannot build the package of Gadget Shop: a file the app lists is missing from ${join(ROOT, FIXTURES, 'app-with-files')}:\n` +
          '  - ui/missing-view.js (files.ui[1])\n',
      );
      expect(r.stdout).toBe('');
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails on a broken declaration, naming the class and member', () => {
    const r = apskit('package', `${FIXTURES}/broken-app.ts`, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('2 declaration mistakes');
    expect(r.stderr).toContain('Broken.other: relation target: NotDeclared is used as a type but is not declared');
    expect(r.stderr).toContain('Broken.stateAgain: duplicate operation path: GET /state');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('fails on app metadata mistakes, naming every field', () => {
    const r = apskit('package', `${FIXTURES}/bad-app-metadata.ts`, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'apskit: 3 mistakes in the app metadata of "bad":\n' +
        '  - id: "not a uri" is not an absolute URI (like http://example.com/apps/mail)\n' +
        '  - version: "one" is not digits separated by dots (like 1.0 or 5.0.1)\n' +
        '  - services.plain: class PlainClass is not declared with @ApsType()\n',
    );
  });

  it('fails when the module exports no app', () => {
    const r = apskit('package', `${FIXTURES}/no-types.ts`, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^apskit: No APS app found in .*no-types\.ts: export one made with defineApp\(\)/);
  });
});

describe('buildPackage', () => {
  const root = join(ROOT, FIXTURES, 'app-with-files');
  const packaged = new Date('2026-01-02T03:04:05Z');

  it('gives the same bytes for the same declarations and date (reproducible packages)', async () => {
    const a = await buildPackage(withFiles, { root, packaged });
    const b = await buildPackage(withFiles, { root, packaged });
    expect(a.zip.equals(b.zip)).toBe(true);
    expect(a.files.get('APP-META.xml')!.toString()).toContain('packaged="2026-01-02T03:04:05Z"');
  });

  it('writes a license given as text into LICENSE.txt and points to it', async () => {
    const app = { ...withFiles, license: { text: 'Use it freely.' } } as ApsApp;
    const built = await buildPackage(app, { root, packaged });
    expect(built.files.get('LICENSE.txt')!.toString()).toBe('Use it freely.\n');
    const meta = parseAppMeta(built.files.get('APP-META.xml')!.toString());
    expect(meta['license-agreement']).toEqual({
      '@_must-accept': 'true',
      free: '',
      text: { name: 'License', file: 'LICENSE.txt' },
    });
  });

  it('refuses a listed file that collides with another one', async () => {
    // The license text is written as LICENSE.txt, which the app also lists as a UI file.
    const clash = { ...withFiles, license: { text: 'x' }, files: { ui: ['LICENSE.txt'], i18n: [] } } as ApsApp;
    await expect(buildPackage(clash, { root, packaged })).rejects.toThrow(
      new CliError('Cannot build the package: "LICENSE.txt" is both files.ui[0] and license.text'),
    );
  });
});

describe('validatePackage', () => {
  const schema = Buffer.from('{}\n');
  const meta = (services: string, extra = ''): Map<string, Uint8Array> =>
    new Map([
      [
        'APP-META.xml',
        Buffer.from(
          '<?xml version="1.0" encoding="UTF-8"?>\n' +
            '<application xmlns="http://aps-standard.org/ns/2" version="2.0">' +
            '<id>http://example.com/a</id><name>a</name><version>1.0</version><release>0</release>' +
            '<vendor><name>v</name></vendor><packager><name>p</name></packager>' +
            `<presentation><summary>s</summary>${extra}</presentation>` +
            '<license-agreement><free/></license-agreement>' +
            services +
            '</application>',
        ),
      ],
      ['schemas/a.schema', schema],
    ]);
  const service = (id: string, path = `schemas/${id}.schema`): string =>
    `<service id="${id}"><schema path="${path}"/><presentation><name>${id}</name></presentation></service>`;

  it('accepts a sound package', () => {
    expect(validatePackage(meta(service('a')), ['a'])).toEqual([]);
  });

  it('reports XML that is not well-formed, with its line and column', () => {
    const files = new Map([['APP-META.xml', Buffer.from('<application>\n<id>x</application>')]]);
    expect(validatePackage(files, ['a'])).toEqual([
      expect.stringMatching(/^APP-META\.xml is not well-formed XML: .*'id'.* \(line 2, column \d+\)$/),
    ]);
  });

  it('reports files it references that are not in the package', () => {
    expect(validatePackage(meta(service('a'), '<icon path="images/icon.png"/>'), ['a'])).toEqual([
      'APP-META.xml references "images/icon.png", which is not in the package',
    ]);
  });

  it('reports duplicate service ids, and services that are not the endpoint’s', () => {
    expect(validatePackage(meta(service('a') + service('a', 'schemas/a.schema')), ['a'])).toEqual([
      'APP-META.xml: service id "a" is declared twice',
    ]);
    expect(validatePackage(meta(service('a')), ['a', 'b'])).toEqual([
      'APP-META.xml: the endpoint serves "b", but no <service id="b">',
    ]);
    expect(validatePackage(meta(service('a')), [])).toEqual([
      'APP-META.xml: service "a" is not one the endpoint serves',
    ]);
  });

  it('reports another namespace and missing required elements', () => {
    const files = new Map([
      ['APP-META.xml', Buffer.from('<application xmlns="http://apstandard.com/ns/1"><name>a</name></application>')],
    ]);
    expect(validatePackage(files, [])).toEqual([
      'APP-META.xml: <application> is not in the namespace http://aps-standard.org/ns/2',
      'APP-META.xml: <id> is missing or empty',
      'APP-META.xml: <version> is missing or empty',
      'APP-META.xml: <release> is missing or empty',
      'APP-META.xml: <vendor><name> is missing or empty',
      'APP-META.xml: <packager><name> is missing or empty',
      'APP-META.xml: <presentation><summary> is missing or empty',
      'APP-META.xml: <license-agreement> is missing',
    ]);
  });
});
