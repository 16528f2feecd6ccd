/**
 * `defineApp`: checks an application's metadata where it is written, so that a package is never
 * built from a version the platform would refuse, and hands back a frozen `ApsApp`.
 */
import { isApsTypeClass } from '../metadata/queries';
import { isServiceName } from '../model/names';
import type { AppChangelogEntry, AppDefinition, AppLicense, AppServices, ApsApp, ServicePresentation } from './app';

/**
 * Marks what defineApp made. A registered symbol, not a class: the CLI may load an app module that
 * resolves another copy of @apskit/core than its own, and `instanceof` would fail across copies.
 */
const APP_BRAND = Symbol.for('apskit.app');

/** Every mistake in an app's metadata, reported at once, each as `field: what is wrong`. */
export class AppDefinitionError extends Error {
  constructor(
    readonly app: string,
    readonly problems: readonly string[],
  ) {
    super(AppDefinitionError.format(app, problems));
    this.name = 'AppDefinitionError';
  }

  static format(app: string, problems: readonly string[]): string {
    const count = problems.length === 1 ? '1 mistake' : `${problems.length} mistakes`;
    return `${count} in the app metadata of ${app}:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
  }
}

/** True for an app that defineApp made: how the CLI finds the app a module exports. */
export function isApsApp(value: unknown): value is ApsApp {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[APP_BRAND] === true;
}

/** APS versions and releases are dot-separated numbers, compared number by number. */
const VERSION = /^\d+(\.\d+)*$/;
/** Characters XML 1.0 cannot carry, even escaped. */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/;

/** Paths the package builder writes itself: a listed file may not take their place. */
const RESERVED = (path: string): boolean => path === 'APP-META.xml' || path.startsWith('schemas/');

/**
 * Declares the application: its APS metadata and the services its endpoint serves. Export the
 * result (`export const app = defineApp({...})`) for `apskit package` and `apskit deploy`.
 *
 * @throws AppDefinitionError listing every mistake.
 */
export function defineApp<S extends AppServices>(definition: AppDefinition<S>): ApsApp<S> {
  const problems: string[] = [];
  const check = new Checker(problems);
  const d = definition as Partial<AppDefinition<S>>;

  check.uri('id', d.id, true);
  check.text('name', d.name, true);
  check.version('version', d.version);
  check.version('release', d.release);
  check.text('summary', d.summary, true);
  check.text('description', d.description, true);

  if (check.object('vendor', d.vendor)) {
    check.text('vendor.name', d.vendor.name, true);
    check.url('vendor.homePage', d.vendor.homePage);
  }
  if (check.object('packager', d.packager)) {
    check.text('packager.name', d.packager.name, true);
    check.url('packager.homePage', d.packager.homePage);
    check.uri('packager.uri', d.packager.uri, false);
  }
  if (d.icon !== undefined) check.path('icon', d.icon);
  if (d.license !== undefined && check.object('license', d.license)) checkLicense(check, d.license);
  (d.changelog ?? []).forEach((entry, i) => checkChangelog(check, `changelog[${i}]`, entry));
  if (d.upgrade !== undefined && check.object('upgrade', d.upgrade)) {
    check.text('upgrade.match', d.upgrade.match, true);
    if (d.upgrade.migrate !== undefined && check.object('upgrade.migrate', d.upgrade.migrate))
      for (const [typeId, migration] of Object.entries(d.upgrade.migrate)) {
        const field = `upgrade.migrate["${typeId}"]`;
        if (!/^http:\/\/\S+\/\d+(\.\d+)?$/.test(typeId))
          problems.push(`${field}: the key must be a versioned type ID (http://…/1.0)`);
        if (typeof migration !== 'function') problems.push(`${field}: must be a function of the old properties`);
      }
  }

  const serviceNames = checkServices(check, d.services);
  for (const [service, presentation] of Object.entries(d.servicePresentation ?? {})) {
    const field = `servicePresentation.${service}`;
    if (!serviceNames.includes(service)) problems.push(`${field}: there is no service "${service}"`);
    else if (check.object(field, presentation)) {
      const p = presentation as ServicePresentation;
      check.text(`${field}.name`, p.name, false);
      check.text(`${field}.summary`, p.summary, false);
    }
  }

  const files = { ui: [...(d.files?.ui ?? [])], i18n: [...(d.files?.i18n ?? [])] };
  const listed = new Set<string>();
  for (const [kind, paths] of Object.entries(files)) {
    paths.forEach((path, i) => {
      const field = `files.${kind}[${i}]`;
      if (!check.path(field, path)) return;
      if (listed.has(path)) problems.push(`${field}: "${path}" is listed twice`);
      listed.add(path);
    });
  }

  const label = typeof d.name === 'string' && d.name.trim() !== '' ? `"${d.name}"` : 'the app';
  if (problems.length > 0) throw new AppDefinitionError(label, problems);

  const app: ApsApp<S> = {
    id: definition.id,
    name: definition.name,
    version: definition.version,
    release: definition.release,
    vendor: Object.freeze({ ...definition.vendor }),
    packager: Object.freeze({ ...definition.packager }),
    summary: definition.summary,
    description: definition.description,
    ...(definition.icon !== undefined ? { icon: definition.icon } : {}),
    ...(definition.license !== undefined ? { license: Object.freeze({ ...definition.license }) } : {}),
    changelog: Object.freeze(
      (definition.changelog ?? []).map((c) => Object.freeze({ ...c, entries: Object.freeze([...c.entries]) })),
    ),
    // The map is frozen, never the classes: apps keep static state on them.
    services: Object.freeze({ ...definition.services }),
    servicePresentation: Object.freeze(
      Object.fromEntries(
        Object.entries(definition.servicePresentation ?? {}).map(([k, v]) => [k, Object.freeze({ ...v })]),
      ),
    ) as ApsApp<S>['servicePresentation'],
    files: Object.freeze({ ui: Object.freeze(files.ui), i18n: Object.freeze(files.i18n) }),
    ...(definition.upgrade !== undefined
      ? {
          upgrade: Object.freeze({
            match: definition.upgrade.match.trim(),
            ...(definition.upgrade.migrate !== undefined && {
              migrate: Object.freeze({ ...definition.upgrade.migrate }),
            }),
          }),
        }
      : {}),
  };
  Object.defineProperty(app, APP_BRAND, { value: true });
  return Object.freeze(app);
}

function checkLicense(check: Checker, license: AppLicense): void {
  const given = (['file', 'text', 'url'] as const).filter((k) => license[k] !== undefined);
  if (given.length !== 1) {
    check.problems.push(
      `license: give exactly one of file, text or url${given.length > 1 ? ` (it has ${given.join(', ')})` : ''}`,
    );
  }
  check.text('license.name', license.name, false);
  if (license.file !== undefined) check.path('license.file', license.file);
  if (license.text !== undefined) check.text('license.text', license.text, true);
  check.url('license.url', license.url);
  for (const flag of ['free', 'mustAccept'] as const) {
    if (license[flag] !== undefined && typeof license[flag] !== 'boolean')
      check.problems.push(`license.${flag}: must be true or false`);
  }
}

function checkChangelog(check: Checker, field: string, entry: AppChangelogEntry): void {
  if (!check.object(field, entry)) return;
  check.version(`${field}.version`, entry.version);
  check.version(`${field}.release`, entry.release);
  if (!Array.isArray(entry.entries) || entry.entries.length === 0) {
    check.problems.push(`${field}.entries: list at least one change`);
    return;
  }
  entry.entries.forEach((text, i) => check.text(`${field}.entries[${i}]`, text, true));
}

/** Checks the services map and returns its names. */
function checkServices(check: Checker, services: AppServices | undefined): string[] {
  if (!check.object('services', services)) return [];
  const entries = Object.entries(services);
  if (entries.length === 0) check.problems.push('services: name at least one service');
  for (const [name, cls] of entries) {
    if (!isServiceName(name)) {
      check.problems.push(
        `services.${name}: "${name}" is not a service name (letters, digits, "_", "." and "-", as a URL path segment)`,
      );
    }
    const value: unknown = cls;
    if (!isApsTypeClass(value)) {
      const what = typeof value === 'function' ? `class ${value.name}` : String(JSON.stringify(value));
      check.problems.push(`services.${name}: ${what} is not declared with @ApsType()`);
    }
  }
  return entries.map(([name]) => name);
}

/** Collects problems; each method says whether the value passed. */
class Checker {
  constructor(readonly problems: string[]) {}

  object(field: string, value: unknown): value is object {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return true;
    this.problems.push(value === undefined ? `${field}: is required` : `${field}: must be an object`);
    return false;
  }

  text(field: string, value: unknown, required: boolean): boolean {
    if (value === undefined && !required) return true;
    if (typeof value !== 'string' || value.trim() === '') {
      this.problems.push(value === undefined ? `${field}: is required` : `${field}: must be a non-empty string`);
      return false;
    }
    if (NOT_XML.test(value)) {
      this.problems.push(`${field}: contains a control character that XML cannot hold`);
      return false;
    }
    return true;
  }

  version(field: string, value: unknown): void {
    if (!this.text(field, value, true)) return;
    if (!VERSION.test(value as string))
      this.problems.push(`${field}: "${value as string}" is not digits separated by dots (like 1.0 or 5.0.1)`);
  }

  /** A URI with a scheme, as APS application IDs are. */
  uri(field: string, value: unknown, required: boolean): void {
    if (value === undefined && !required) return;
    if (!this.text(field, value, true)) return;
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(value as string))
      this.problems.push(`${field}: "${value as string}" is not an absolute URI (like http://example.com/apps/mail)`);
  }

  url(field: string, value: unknown): void {
    if (value === undefined) return;
    if (!this.text(field, value, true)) return;
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(value as string).protocol);
    } catch {
      ok = false;
    }
    if (!ok) this.problems.push(`${field}: "${value as string}" is not an http(s) URL`);
  }

  /** A relative path inside the package, with `/`: what a zip entry and an APP-META.xml path may be. */
  path(field: string, value: unknown): boolean {
    if (!this.text(field, value, true)) return false;
    const path = value as string;
    const segments = path.split('/');
    if (path.includes('\\') || path.startsWith('/') || /^[A-Za-z]:/.test(path)) {
      this.problems.push(`${field}: "${path}" must be a relative path with "/" (like ui/app.js)`);
      return false;
    }
    if (segments.some((s) => s === '' || s === '.' || s === '..')) {
      this.problems.push(`${field}: "${path}" must stay inside the package folder (no "..", ".", or empty parts)`);
      return false;
    }
    if (RESERVED(path)) {
      this.problems.push(`${field}: "${path}" is written by the package builder (APP-META.xml, schemas/)`);
      return false;
    }
    return true;
  }
}
