import { getMetadataStorage } from '../metadata/storage';
import type { Class } from '../metadata/records';
import type { ApsTypeOptions, StructureOptions } from './options';

/**
 * Declares a class as an APS type. It records the options and nothing else: names, IDs and the
 * rest are checked when a model is built, where every mistake is reported at once.
 *
 * @example
 * @ApsType({ id: 'http://example.com/app/provisionable/1.0', implements: [CoreTypes.resource] })
 * export class Provisionable { … }
 */
export function ApsType(options: ApsTypeOptions): ClassDecorator {
  return (target) => {
    getMetadataStorage().addType({ target: target as unknown as Class, options });
  };
}

/** Declares a class as an APS structure: a named object type used by properties and operations. */
export function Structure(options: StructureOptions = {}): ClassDecorator {
  return (target) => {
    getMetadataStorage().addStructure({ target: target as unknown as Class, options });
  };
}
