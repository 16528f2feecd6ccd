/**
 * Which stored type IDs an upgrade migrates, to which served type, and how: the app's own
 * `upgrade.migrate` entries (by old type ID), and, without an entry, every older minor version of a
 * served type's major version (`mailbox/1.0` and `mailbox/1.1` when `mailbox/1.2` is served), whose
 * resources move as they are. APS raises the minor version when a type only gains properties and
 * the major one when it loses or changes them (kb.cloudblue.com/en/120574); the platform's upgrade
 * "upgrades all APS resources" of an updated type to its new version
 * (docs.cloudblue.com/cbc/sdk/21.0/api/rest/application/upgrade). A major change has no default: the
 * app says how (an entry), or its resources keep their old ID.
 */
import type { TypeMigration } from '@apskit/core';
import type { ServiceInfo, ServiceRegistry } from '../registry/service-registry';
import { olderMinorIds, parseTypeId } from '../registry/type-versions';

/** The migrations an app gives, by the old type ID (`AppUpgrade.migrate`). */
export type TypeMigrations = Readonly<Record<string, TypeMigration>>;

/** One old type ID: the service that serves its resources now, and the app's function, if any. */
export interface TypeMove {
  readonly from: string;
  readonly to: ServiceInfo;
  readonly migration?: TypeMigration;
}

export class MigrationPlan {
  /** By old type ID, in a fixed order (the app's entries first, then the defaults by served type). */
  private readonly moves = new Map<string, TypeMove>();

  /** @throws Error naming an entry that no served type takes, or that names a served type. */
  constructor(
    private readonly registry: ServiceRegistry,
    served: readonly ServiceInfo[],
    migrate: TypeMigrations = {},
  ) {
    const byBase = new Map<string, ServiceInfo>();
    for (const info of served) {
      const parsed = parseTypeId(info.type.id);
      if (parsed) byBase.set(parsed.base, info);
    }
    for (const [from, migration] of Object.entries(migrate)) {
      const parsed = parseTypeId(from);
      const to = parsed && byBase.get(parsed.base);
      if (registry.find(from))
        throw new Error(`upgrade.migrate["${from}"]: that type is served as it is; only an older ID migrates`);
      if (!to)
        throw new Error(
          `upgrade.migrate["${from}"]: no served type has its base ID (${parsed?.base ?? from}); served: ${served.map((s) => s.type.id).join(', ')}`,
        );
      this.moves.set(from, { from, to, migration });
    }
    for (const info of served) {
      for (const from of olderMinorIds(info.type.id))
        if (from !== info.type.id && !this.moves.has(from) && !registry.find(from))
          this.moves.set(from, { from, to: info });
    }
  }

  /** Every old type ID the plan knows, in the order an upgrade migrates them. */
  get oldTypeIds(): readonly string[] {
    return [...this.moves.keys()];
  }

  /** Where resources of an old type ID go, if the plan knows it. */
  moveOf(typeId: string): TypeMove | undefined {
    return this.moves.get(typeId);
  }

  /** The service of a stored type ID: the type served under it, or the one it migrates to. */
  serviceOf(typeId: string): ServiceInfo {
    return this.registry.find(typeId) ?? this.moves.get(typeId)?.to ?? this.registry.serviceOf(typeId);
  }
}
