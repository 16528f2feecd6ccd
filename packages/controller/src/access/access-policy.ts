/**
 * What each APS role may do with the resources of one type, compiled once per type from the model's
 * `access` attributes (types, properties, relations, operations) and `encrypted` properties.
 *
 * The roles are APS's (docs.cloudblue.com/cbc/sdk/21.0/api/types/type-definition/general: `access`,
 * "permissions to resources for APS roles"; docs.cloudblue.com/cbc/sdk/8.2/concepts/security/model:
 * the controller decides, per actor, which operations on a resource or a property are allowed):
 * - `admin`, the provider's administrator;
 * - `owner`, the account that owns the resource;
 * - `referrer`, an account or user that refers to the resource (a service user it is assigned to,
 *   docs.cloudblue.com/cbc/sdk/8.2/api/types/standard/core/user-service). No caller of this
 *   controller has that role yet (there are no service-user tokens); it is compiled for when one does.
 *
 * What a member's `access` means here (our reading; where the pages are silent, our choice, written
 * down in docs/security.md "Access rules"):
 * - absent: admin and owner may read and write the member, referrer may not see it (the defaults
 *   `{admin: true, owner: true, referrer: false}`); a role left out of a given `access` keeps its default;
 * - `false` for a role: the member is hidden from that role (absent from what it reads) and it may not
 *   write it, link through it or call it;
 * - `referrer: true`: the referrer reads the member, and never writes (it changes nothing it refers to).
 * On the type, `access` says who sees resources of the type at all (same defaults), and `global: true`
 * lets every account owner read them (not change them) as well as its own.
 * `encrypted` properties are the application's: returned only to it (its instance certificate), never
 * to any role, whatever `access` says (kb.odin.com/en/118502, kb.odin.com/en/118247).
 */
import type { AccessOptions, ApsTypeModel, OperationModel } from '@apskit/core';
import type { Caller } from '../auth/caller';

export type AccessRole = 'admin' | 'owner' | 'referrer';

export const ACCESS_ROLES: readonly AccessRole[] = ['admin', 'owner', 'referrer'];

/** What a role may do when `access` does not say: APS's defaults. */
const DEFAULT_ACCESS: Readonly<Record<AccessRole, boolean>> = { admin: true, owner: true, referrer: false };

/** The words the errors use for a role. */
export const ROLE_NAMES: Readonly<Record<AccessRole, string>> = {
  admin: 'a provider administrator',
  owner: 'an account owner',
  referrer: 'a referrer',
};

/**
 * The role a caller acts in, or `app` for the application itself, which sees and does everything of
 * its instance. An `open` caller (local development, nothing configured) is an administrator.
 */
export function roleOf(caller: Caller): AccessRole | 'app' {
  switch (caller.kind) {
    case 'app':
      return 'app';
    case 'owner':
      return 'owner';
    case 'admin':
    case 'open':
      return 'admin';
  }
}

/** Whether `access` lets `role` at the member (or type) it is on. */
export function allows(access: Readonly<AccessOptions> | undefined, role: AccessRole): boolean {
  return access?.[role] ?? DEFAULT_ACCESS[role];
}

type ByRole<T> = Readonly<Record<AccessRole, T>>;

function byRole<T>(make: (role: AccessRole) => T): ByRole<T> {
  return { admin: make('admin'), owner: make('owner'), referrer: make('referrer') };
}

export interface TypePolicy {
  readonly typeId: string;
  readonly typeName: string;
  /** Whether the role sees resources of this type at all (the type's own `access`). */
  readonly seesType: ByRole<boolean>;
  /** The type's `access.global`: every account owner reads its resources, not only their owner's. */
  readonly global: boolean;
  /** Every property and relation of the type, by name. */
  readonly members: ReadonlySet<string>;
  /** The relations of the type, by name. */
  readonly relations: ReadonlySet<string>;
  /** Properties and relations the role may not read: absent from everything it is shown. */
  readonly hidden: ByRole<ReadonlySet<string>>;
  /** Properties and relations the role may write (or link through). */
  readonly writable: ByRole<ReadonlySet<string>>;
  /** Encrypted properties: shown to the application only. */
  readonly encrypted: ReadonlySet<string>;
  /** Whether the role may call an operation (by its name in the schema). */
  mayCall(role: AccessRole, operation: Pick<OperationModel, 'name' | 'access'>): boolean;
}

export function compileTypePolicy(type: ApsTypeModel): TypePolicy {
  const members = [
    ...type.properties.map((p) => ({ name: p.name, access: p.schema.access })),
    ...type.relations.map((r) => ({ name: r.name, access: r.access })),
  ];
  const readable = (role: AccessRole, access: Readonly<AccessOptions> | undefined): boolean => allows(access, role);
  // A referrer reads what it is let at, and writes nothing.
  const writes = (role: AccessRole, access: Readonly<AccessOptions> | undefined): boolean =>
    role !== 'referrer' && allows(access, role);
  return {
    typeId: type.id,
    typeName: type.name,
    seesType: byRole((role) => allows(type.access, role)),
    global: type.access?.global === true,
    members: new Set(members.map((m) => m.name)),
    relations: new Set(type.relations.map((r) => r.name)),
    hidden: byRole((role) => new Set(members.filter((m) => !readable(role, m.access)).map((m) => m.name))),
    writable: byRole((role) => new Set(members.filter((m) => writes(role, m.access)).map((m) => m.name))),
    encrypted: new Set(type.properties.filter((p) => p.schema.encrypted === true).map((p) => p.name)),
    mayCall: (role, operation) => allows(operation.access, role),
  };
}
