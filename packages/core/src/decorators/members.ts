import 'reflect-metadata';
import { getMetadataStorage } from '../metadata/storage';
import type { Class } from '../metadata/records';
import type { OperationOptions, ParamOptions, PropertyOptions, RelationOptions, TypeThunk } from './options';

/** A member decorator gets the prototype for instance members and the class for static ones. */
function ownerOf(target: object): { cls: Class; isStatic: boolean } {
  return typeof target === 'function'
    ? { cls: target as Class, isStatic: true }
    : { cls: target.constructor as Class, isStatic: false };
}

function memberName(key: string | symbol): string {
  // APS names are JSON keys; a symbol can never be one, and saying so here beats a silent skip.
  if (typeof key === 'symbol') throw new TypeError(`APS members must have string names, not ${String(key)}`);
  return key;
}

/**
 * Declares an APS property. The type is taken from the TypeScript type when `type` is not given
 * (`string`, `number`, `boolean`, a @Structure class); say `type: 'integer'` for integers, and give
 * `items` for arrays. class-validator decorators on the same property add runtime rules.
 */
export function Property(options: PropertyOptions = {}): PropertyDecorator {
  return (target, key) => {
    const { cls } = ownerOf(target);
    const name = memberName(key);
    getMetadataStorage().addProperty({
      target: cls,
      name,
      options,
      designType: Reflect.getMetadata('design:type', target, key),
    });
  };
}

/**
 * Declares an APS relation. The target is lazy, `() => Website` or `() => CoreTypes.account`, so
 * that declaration files may import each other.
 */
export function Relation(to: TypeThunk, options: RelationOptions = {}): PropertyDecorator {
  return (target, key) => {
    getMetadataStorage().addRelation({ target: ownerOf(target).cls, name: memberName(key), to, options });
  };
}

/** Declares a method as an APS custom operation. A static method is a static operation. */
export function Operation(options: OperationOptions): MethodDecorator {
  return (target, key) => {
    const { cls, isStatic } = ownerOf(target);
    getMetadataStorage().addOperation({ target: cls, method: memberName(key), options, isStatic });
  };
}

/** Declares a parameter of a custom operation: where it comes from (`kind`) and its APS type. */
export function Param(name: string, options: ParamOptions): ParameterDecorator {
  return (target, key, index) => {
    if (key === undefined) throw new TypeError(`@Param('${name}') belongs on a method parameter, not a constructor`);
    const { cls, isStatic } = ownerOf(target);
    const paramTypes: unknown[] | undefined = Reflect.getMetadata('design:paramtypes', target, key);
    getMetadataStorage().addParam({
      target: cls,
      method: memberName(key),
      index,
      name,
      options,
      designType: paramTypes?.[index],
      isStatic,
    });
  };
}
