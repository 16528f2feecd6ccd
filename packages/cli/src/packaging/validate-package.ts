/**
 * Checks a package's files before it is zipped: APP-META.xml is well-formed XML in the APS 2
 * namespace, has what the platform requires, every file it references is in the package, and its
 * services are exactly the endpoint's, once each. The XML is read back as the platform would read
 * it, not trusted because APSKit wrote it.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { APS_NAMESPACE } from './app-meta';

export const APP_META = 'APP-META.xml';

type XmlNode = Record<string, unknown>;

/** The problems found, each naming what is wrong and where; empty when the package is sound. */
export function validatePackage(files: ReadonlyMap<string, Uint8Array>, services: readonly string[]): string[] {
  const meta = files.get(APP_META);
  if (!meta) return [`${APP_META} is missing`];
  const xml = Buffer.from(meta).toString('utf8');
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) {
    const { msg, line, col } = wellFormed.err;
    return [`${APP_META} is not well-formed XML: ${msg} (line ${line}, column ${col})`];
  }

  const doc = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    // Versions like 1.0 stay text: the parser would read them as numbers.
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (_name, jpath) =>
      ['application.service', 'application.presentation.changelog.version'].includes(String(jpath)),
  }).parse(xml) as XmlNode;

  const problems: string[] = [];
  const app = doc.application as XmlNode | undefined;
  if (typeof app !== 'object' || app === null) return [`${APP_META}: the root element is not <application>`];
  if (app['@_xmlns'] !== APS_NAMESPACE)
    problems.push(`${APP_META}: <application> is not in the namespace ${APS_NAMESPACE}`);

  for (const path of ['id', 'name', 'version', 'release', 'vendor.name', 'packager.name', 'presentation.summary']) {
    if (!nonEmptyText(at(app, path))) problems.push(`${APP_META}: <${path.replace('.', '><')}> is missing or empty`);
  }
  if (at(app, 'license-agreement') === undefined) problems.push(`${APP_META}: <license-agreement> is missing`);

  // Every file APP-META.xml points to: path attributes (icon, schemas) and the license text's file.
  const referenced = collectPaths(app);
  const licenseFile = at(app, 'license-agreement.text.file');
  if (nonEmptyText(licenseFile) && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(licenseFile)) referenced.push(licenseFile);
  for (const path of referenced) {
    if (!files.has(path)) problems.push(`${APP_META} references "${path}", which is not in the package`);
  }

  const declared = (Array.isArray(app.service) ? app.service : []) as XmlNode[];
  const seen = new Set<string>();
  for (const service of declared) {
    const id = service['@_id'];
    if (!nonEmptyText(id)) {
      problems.push(`${APP_META}: a <service> has no id`);
      continue;
    }
    if (seen.has(id)) problems.push(`${APP_META}: service id "${id}" is declared twice`);
    seen.add(id);
    if (!nonEmptyText(at(service, 'schema.@_path'))) problems.push(`${APP_META}: service "${id}" has no <schema path>`);
    if (!nonEmptyText(at(service, 'presentation.name')))
      problems.push(`${APP_META}: service "${id}" has no <presentation><name>`);
  }
  for (const name of services) {
    if (!seen.has(name)) problems.push(`${APP_META}: the endpoint serves "${name}", but no <service id="${name}">`);
  }
  for (const id of seen) {
    if (!services.includes(id)) problems.push(`${APP_META}: service "${id}" is not one the endpoint serves`);
  }
  return problems;
}

function at(node: unknown, path: string): unknown {
  let value = node;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as XmlNode)[key];
  }
  return value;
}

function nonEmptyText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function collectPaths(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => collectPaths(n, out));
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '@_path' && typeof value === 'string') out.push(value);
      else collectPaths(value, out);
    }
  }
  return out;
}
