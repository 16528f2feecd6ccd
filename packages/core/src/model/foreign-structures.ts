/**
 * Classes that stand for a structure another type declares (`<type ID>#<structure name>`), such as
 * the core resource's Counter. A property typed with such a class emits that reference, as published
 * APS schemas do, instead of a structure of the app's own: APS already knows the shape.
 */
import type { Class } from '../metadata/records';

const references = new WeakMap<Class, string>();

/** Records that `target` means the structure `reference` (`http://…/1.0#Name`); the model checks the reference. */
export function declareForeignStructure(target: Class, reference: string): void {
  references.set(target, reference);
}

/** The `<type ID>#<structure>` a class stands for, if it stands for one. */
export function foreignStructureOf(target: Class): string | undefined {
  return references.get(target);
}
