import type { ApsTypeModel } from '@apskit/core';

/**
 * The file of each type for a command that writes one file per type (`apskit schema --out`,
 * `apskit docs`): `<name><ext>`. APS tells types by ID, and a module may hold several of one APS
 * name (a platform's type dump has a `tenant` of each app): the first keeps `<name><ext>`, the next
 * are `<name>-2<ext>`, `<name>-3<ext>`… in the module's order. Names are compared without case,
 * since `Tenant.schema` and `tenant.schema` are one file on some file systems.
 */
export function typeFileNames(types: readonly ApsTypeModel[], ext: string): Map<ApsTypeModel, string> {
  const used = new Set<string>();
  const files = new Map<ApsTypeModel, string>();
  for (const type of types) {
    let file = `${type.name}${ext}`;
    for (let i = 2; used.has(file.toLowerCase()); i++) file = `${type.name}-${i}${ext}`;
    used.add(file.toLowerCase());
    files.set(type, file);
  }
  return files;
}

/** What a command says after `wrote <path>`: the type ID, when the file name is no longer the type's name. */
export function renamedNote(type: ApsTypeModel, file: string, ext: string): string {
  return file === `${type.name}${ext}` ? '' : ` (the type ${type.id}: another type is named "${type.name}" too)`;
}
