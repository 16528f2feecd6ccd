/**
 * defineApp: the app metadata a package is built from, checked where it is written. A sound definition
 * comes back frozen with its defaults; every mistake is reported at once, naming the field.
 */
import {
  AppDefinitionError,
  ApsType,
  CoreTypes,
  defineApp,
  isApsApp,
  type AppDefinition,
  type AppServices,
} from '@apskit/core';

@ApsType({ name: 'widget', id: 'http://example.com/app-tests/widget/1.0', implements: [CoreTypes.resource] })
class Widget {}

class NotAType {}

const base: AppDefinition<{ widgets: typeof Widget }> = {
  id: 'http://example.com/apps/widgets',
  name: 'widgets',
  version: '1.0',
  release: '0',
  vendor: { name: 'Example' },
  packager: { name: 'Example' },
  summary: 'Widgets',
  description: 'Widgets on demand.',
  services: { widgets: Widget },
};

function mistakesOf(definition: unknown): readonly string[] {
  try {
    defineApp(definition as AppDefinition<AppServices>);
  } catch (e) {
    if (e instanceof AppDefinitionError) return e.problems;
    throw e;
  }
  throw new Error('expected defineApp to throw an AppDefinitionError');
}

describe('defineApp', () => {
  it('returns the app frozen, with defaults, and recognisable by isApsApp', () => {
    const app = defineApp(base);
    expect(app).toMatchObject({ ...base, changelog: [], servicePresentation: {}, files: { ui: [], i18n: [] } });
    expect(isApsApp(app)).toBe(true);
    expect(isApsApp({ ...base })).toBe(false);
    expect(Object.isFrozen(app)).toBe(true);
    expect(Object.isFrozen(app.services)).toBe(true);
    expect(Object.isFrozen(app.files.ui)).toBe(true);
    // The classes themselves are the app's and stay writable (apps keep static state on them).
    expect(Object.isFrozen(Widget)).toBe(false);
    expect(app.services.widgets).toBe(Widget);
  });

  it('does not share the arrays and objects it was given', () => {
    const ui = ['ui/a.js'];
    const app = defineApp({ ...base, files: { ui } });
    ui.push('ui/b.js');
    expect(app.files.ui).toEqual(['ui/a.js']);
  });

  it('reports every mistake at once, naming the field', () => {
    expect(
      mistakesOf({
        ...base,
        id: 'widgets',
        version: '1.x',
        release: '',
        vendor: { name: 'Example', homePage: 'ftp://example.com' },
        summary: undefined,
        services: { widgets: Widget, 'bad/name': Widget, plain: NotAType },
      }),
    ).toEqual([
      'id: "widgets" is not an absolute URI (like http://example.com/apps/mail)',
      'version: "1.x" is not digits separated by dots (like 1.0 or 5.0.1)',
      'release: must be a non-empty string',
      'summary: is required',
      'vendor.homePage: "ftp://example.com" is not an http(s) URL',
      'services.bad/name: "bad/name" is not a service name (letters, digits, "_", "." and "-", as a URL path segment)',
      'services.plain: class NotAType is not declared with @ApsType()',
    ]);
  });

  it('says so in one message with a count', () => {
    expect(() => defineApp({ ...base, version: 'v1' })).toThrow(
      '1 mistake in the app metadata of "widgets":\n  - version: "v1" is not digits separated by dots (like 1.0 or 5.0.1)',
    );
  });

  it('checks the license, changelog, presentations and listed files', () => {
    expect(
      mistakesOf({
        ...base,
        icon: '../icon.png',
        license: { text: 'MIT', url: 'https://opensource.org/licenses/MIT' },
        changelog: [{ version: '1.0', release: '0', entries: [] }],
        servicePresentation: { gadgets: { name: 'Gadgets' } },
        files: { ui: ['/abs/app.js', 'ui/app.js', 'ui/app.js', 'schemas/x.schema'], i18n: ['i18n\\en.po'] },
      }),
    ).toEqual([
      'icon: "../icon.png" must stay inside the package folder (no "..", ".", or empty parts)',
      'license: give exactly one of file, text or url (it has text, url)',
      'changelog[0].entries: list at least one change',
      'servicePresentation.gadgets: there is no service "gadgets"',
      'files.ui[0]: "/abs/app.js" must be a relative path with "/" (like ui/app.js)',
      'files.ui[2]: "ui/app.js" is listed twice',
      'files.ui[3]: "schemas/x.schema" is written by the package builder (APP-META.xml, schemas/)',
      'files.i18n[0]: "i18n\\en.po" must be a relative path with "/" (like ui/app.js)',
    ]);
  });

  it('refuses text that XML cannot carry', () => {
    expect(mistakesOf({ ...base, description: 'bell \u0007' })).toEqual([
      'description: contains a control character that XML cannot hold',
    ]);
  });

  it('asks for at least one service', () => {
    expect(mistakesOf({ ...base, services: {} })).toEqual(['services: name at least one service']);
  });
});
