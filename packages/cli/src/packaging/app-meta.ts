/**
 * APP-META.xml, the package's metadata descriptor in the APS 2 format (namespace
 * http://aps-standard.org/ns/2), written from the app's metadata and its type model. Only what APSKit
 * knows goes in: no `<code>` (the services run on an external endpoint, not in the platform's PHP
 * runtime), no navigation (the UI files are carried, not described).
 */
import type { ApsApp, TypeModel } from '@apskit/core';

export const APS_NAMESPACE = 'http://aps-standard.org/ns/2';
/** The version of the package format, on `<application version>`. */
export const APS_FORMAT_VERSION = '2.0';

/** Where the builder puts what APP-META.xml points to. */
export interface PackageLayout {
  /** Service name → its schema file in the package. */
  readonly schemas: ReadonlyMap<string, string>;
  /** The license text's file in the package, when it is one (not a URL). */
  readonly licenseFile?: string;
  /** The `packaged` timestamp. */
  readonly packaged: Date;
}

interface XmlElement {
  readonly tag: string;
  readonly attrs?: Readonly<Record<string, string>>;
  readonly children?: readonly (XmlElement | undefined)[];
  readonly text?: string;
}

const el = (tag: string, attrs?: Record<string, string>, ...children: (XmlElement | undefined)[]): XmlElement => ({
  tag,
  attrs,
  children,
});
const text = (tag: string, value: string): XmlElement => ({ tag, text: value });
const optional = (tag: string, value: string | undefined): XmlElement | undefined =>
  value === undefined ? undefined : text(tag, value);

export function appMetaXml(app: ApsApp, model: TypeModel, layout: PackageLayout): string {
  const license = app.license;
  const root = el(
    'application',
    {
      xmlns: APS_NAMESPACE,
      version: APS_FORMAT_VERSION,
      // Seconds are enough, and a timestamp without milliseconds is what APS samples show.
      packaged: layout.packaged.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
    text('id', app.id),
    text('name', app.name),
    text('version', app.version),
    text('release', app.release),
    el('vendor', undefined, text('name', app.vendor.name), optional('homepage', app.vendor.homePage)),
    el(
      'packager',
      undefined,
      text('name', app.packager.name),
      optional('homepage', app.packager.homePage),
      optional('uri', app.packager.uri),
    ),
    el(
      'presentation',
      undefined,
      text('summary', app.summary),
      text('description', app.description),
      app.icon === undefined ? undefined : el('icon', { path: app.icon }),
      app.changelog.length === 0
        ? undefined
        : el(
            'changelog',
            undefined,
            ...app.changelog.map((c) =>
              el('version', { version: c.version, release: c.release }, ...c.entries.map((e) => text('entry', e))),
            ),
          ),
    ),
    el(
      'license-agreement',
      { 'must-accept': String(license?.mustAccept ?? license !== undefined) },
      license?.free === false ? undefined : el('free'),
      license === undefined
        ? undefined
        : el(
            'text',
            undefined,
            text('name', license.name ?? 'License'),
            text('file', license.url ?? layout.licenseFile ?? ''),
          ),
    ),
    // After the license, before the services, as the spec's APP-META.xml places it
    // (docs.cloudblue.com/cbc/sdk/21.0/api/package/app-meta).
    app.upgrade === undefined ? undefined : el('upgrade', { match: app.upgrade.match }),
    ...Object.entries(app.services).map(([service, cls]) => {
      const type = model.get(cls);
      const presentation = app.servicePresentation[service] ?? {};
      return el(
        'service',
        { id: service },
        el('schema', { path: layout.schemas.get(service) ?? '' }),
        el(
          'presentation',
          undefined,
          text('name', presentation.name ?? type.name),
          text('summary', presentation.summary ?? type.doc ?? `The ${type.name} service of ${app.name}`),
        ),
      );
    }),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${render(root, '')}`;
}

function render(node: XmlElement, indent: string): string {
  const attrs = Object.entries(node.attrs ?? {})
    .map(([k, v]) => ` ${k}="${escape(v)}"`)
    .join('');
  if (node.text !== undefined) return `${indent}<${node.tag}${attrs}>${escape(node.text)}</${node.tag}>\n`;
  const children = (node.children ?? []).filter((c): c is XmlElement => c !== undefined);
  if (children.length === 0) return `${indent}<${node.tag}${attrs}/>\n`;
  const inner = children.map((c) => render(c, `${indent}  `)).join('');
  return `${indent}<${node.tag}${attrs}>\n${inner}${indent}</${node.tag}>\n`;
}

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}
