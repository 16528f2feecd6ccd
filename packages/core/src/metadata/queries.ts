import type { Class } from './records';
import { getMetadataStorage } from './storage';

/** True for a class declared with @ApsType: how the CLI finds the types a module exports. */
export function isApsTypeClass(value: unknown): value is Class {
  return typeof value === 'function' && getMetadataStorage().typeOf(value as Class) !== undefined;
}
