/**
 * An APS application as a whole: the metadata a package's APP-META.xml carries (id, name, version,
 * vendor, …), declared once in code next to the services map the endpoint serves. `apskit package`
 * builds the importable package from it and `apskit deploy` serves its services.
 */
import type { Class } from '../metadata/records';

/** Service name (the endpoint's first path segment, the APP-META.xml service id) → its @ApsType class. */
export type AppServices = Readonly<Record<string, Class>>;

/** The application's vendor: who owns the integrated software. */
export interface AppVendor {
  readonly name: string;
  /** An http(s) URL. */
  readonly homePage?: string;
}

/** Who made the APS package (often the vendor itself). */
export interface AppPackager {
  readonly name: string;
  /** An http(s) URL. */
  readonly homePage?: string;
  /** A URI that names the packager. */
  readonly uri?: string;
}

/**
 * The license agreement. Exactly one of `file`, `text` or `url` gives the text: `file` is a file of the
 * package folder copied into the package, `text` is written into it as `LICENSE.txt`, `url` is
 * referenced as it is.
 */
export interface AppLicense {
  /** The agreement's title. Default "License". */
  readonly name?: string;
  readonly file?: string;
  readonly text?: string;
  readonly url?: string;
  /** `<free/>`: the application costs nothing to use. Default true. */
  readonly free?: boolean;
  /** Whether the provider must accept the agreement when importing the package. Default true. */
  readonly mustAccept?: boolean;
}

/** One version's changes, newest first in `changelog`. */
export interface AppChangelogEntry {
  readonly version: string;
  readonly release: string;
  readonly entries: readonly string[];
}

/** How a service is presented in the platform's panels. Defaults: the type's APS name and its `doc`. */
export interface ServicePresentation {
  readonly name?: string;
  readonly summary?: string;
}

/**
 * Files of the package folder (paths relative to the folder holding the module's package.json, with
 * `/`) that go into the package as they are: the app's UI and its translations.
 */
export interface AppFiles {
  readonly ui?: readonly string[];
  readonly i18n?: readonly string[];
}

/** What `defineApp` takes. */
export interface AppDefinition<S extends AppServices = AppServices> {
  /** The application ID: a URI unique among all packages, `http://vendor.example/apps/name`. */
  readonly id: string;
  readonly name: string;
  /** Digits separated by dots: `1.0`, `5.0.1`. */
  readonly version: string;
  /** The package's own revision of `version`: `0`, `1.15`. */
  readonly release: string;
  readonly vendor: AppVendor;
  readonly packager: AppPackager;
  /** One line for the catalog. */
  readonly summary: string;
  readonly description: string;
  /** A file of the package folder, e.g. `images/icon.png`. */
  readonly icon?: string;
  readonly license?: AppLicense;
  readonly changelog?: readonly AppChangelogEntry[];
  /** The services the endpoint serves, exactly as `createEndpoint({ services })` takes them. */
  readonly services: S;
  /** Per service, how the platform presents it (defaults from the type). */
  readonly servicePresentation?: { readonly [K in keyof S]?: ServicePresentation };
  readonly files?: AppFiles;
  /**
   * The installed versions this package upgrades: APP-META.xml's `<upgrade match="…"/>`, an RQL
   * expression over their metadata, e.g. `version=ge=1.0, release=ge=0`
   * (docs.cloudblue.com/cbc/sdk/7.4/api/package/updates).
   */
  readonly upgrade?: AppUpgrade;
}

/** Which installed versions a package upgrades, and how their stored resources change. */
export interface AppUpgrade {
  /** An RQL expression over the installed package's metadata: `version=ge=1.0, release=ge=0`. */
  readonly match: string;
  /**
   * How resources stored under an older type ID become resources of the type served now, by that
   * older ID (`'http://vendor.example/mailbox/1.0': (p) => ({ ...p, quotaMb: p.quotaGb * 1024 })`):
   * the controller's upgrade task runs them once the endpoint's upgrade has succeeded. The type
   * served now is the one whose ID has the same base (the ID without its version). An older ID with
   * the same major version and a lower minor one needs no entry: its resources move as they are.
   */
  readonly migrate?: Readonly<Record<string, TypeMigration>>;
}

/**
 * One type's migration: the new properties of one stored resource (without `aps`), from its old ones.
 * Called once per resource; what it answers is validated against the type served now.
 */
export type TypeMigration = (
  properties: Readonly<Record<string, unknown>>,
  resource: { readonly id: string; readonly type: string },
) => Record<string, unknown> | Promise<Record<string, unknown>>;

/** What `defineApp` returns: the definition checked, with defaults filled in, frozen. */
export interface ApsApp<S extends AppServices = AppServices> {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly release: string;
  readonly vendor: AppVendor;
  readonly packager: AppPackager;
  readonly summary: string;
  readonly description: string;
  readonly icon?: string;
  readonly license?: AppLicense;
  readonly changelog: readonly AppChangelogEntry[];
  readonly services: S;
  readonly servicePresentation: { readonly [K in keyof S]?: ServicePresentation };
  readonly files: { readonly ui: readonly string[]; readonly i18n: readonly string[] };
  readonly upgrade?: AppUpgrade;
}
