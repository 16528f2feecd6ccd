/**
 * Issue 19: `defineApp({ upgrade: { match } })` declares which installed versions a package upgrades,
 * written as APP-META.xml's `<upgrade match="…"/>` after the license agreement and before the services,
 * where the spec's example puts it (docs.cloudblue.com/cbc/sdk/21.0/api/package/app-meta,
 * docs.cloudblue.com/cbc/sdk/7.4/api/package/updates).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ApsType, AppDefinitionError, buildTypeModel, CoreTypes, defineApp, type AppDefinition } from '@apskit/core';
import { appMetaXml } from '@apskit/cli';

@ApsType({ name: 'globals', id: 'http://apskit.test/mail-hosting/globals/1.1', implements: [CoreTypes.application] })
class Globals {}

const definition: AppDefinition = {
  id: 'http://apskit.test/mail-hosting',
  name: 'mail-hosting',
  version: '1.1',
  release: '0',
  vendor: { name: 'APSKit tests' },
  packager: { name: 'APSKit' },
  summary: 'Mail hosting.',
  description: 'Mailboxes and domains.',
  license: { name: 'MIT License', url: 'https://opensource.org/licenses/MIT' },
  services: { globals: Globals },
};

function metaOf(app: ReturnType<typeof defineApp>): string {
  return appMetaXml(app, buildTypeModel(Object.values(app.services)), {
    schemas: new Map([['globals', 'schemas/globals.schema']]),
    packaged: new Date('2026-01-01T00:00:00Z'),
  });
}

it('writes <upgrade match="…"/> after the license agreement and before the services', () => {
  const xml = metaOf(defineApp({ ...definition, upgrade: { match: 'version=ge=1.0, release=ge=0' } }));
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' }).parse(xml) as {
    application: { upgrade: Record<string, string> };
  };
  expect(doc.application.upgrade['@_match']).toBe('version=ge=1.0, release=ge=0');
  const license = xml.indexOf('</license-agreement>');
  const upgrade = xml.indexOf('<upgrade match="version=ge=1.0, release=ge=0"/>');
  expect(license).toBeGreaterThan(0);
  expect(upgrade).toBeGreaterThan(license);
  expect(xml.indexOf('<service id="globals">')).toBeGreaterThan(upgrade);
});

it('writes no <upgrade> for an app that declares none', () => {
  expect(metaOf(defineApp(definition))).not.toContain('<upgrade');
});

it('refuses an empty match, naming upgrade.match', () => {
  expect(() => defineApp({ ...definition, upgrade: { match: ' ' } })).toThrow(AppDefinitionError);
  expect(() => defineApp({ ...definition, upgrade: { match: '' } })).toThrow(/upgrade\.match/);
});
