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

/**
 * The member's name, or undefined for a symbol, which can never be an APS name (APS names are JSON
 * keys). The mistake is recorded, not thrown: a throw here would stop the app at import on the first
 * one, where building the model reports every mistake together, each by class and member.
 */
function memberName(cls: Class, key: string | symbol): string | undefined {
  if (typeof key === 'string') return key;
  getMetadataStorage().addMistake({ target: cls, message: `APS members must have string names, not ${String(key)}` });
  return undefined;
}

/**
 * Declares an APS property. The type is taken from the TypeScript type when `type` is not given
 * (`string`, `number`, `boolean`, a @Structure class); say `type: 'integer'` for integers, and give
 * `items` for arrays. class-validator decorators on the same property add runtime rules.
 */
export function Property(options: PropertyOptions = {}): PropertyDecorator {
  return (target, key) => {
    const { cls } = ownerOf(target);
    const name = memberName(cls, key);
    if (name === undefined) return;
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
    const { cls } = ownerOf(target);
    const name = memberName(cls, key);
    if (name !== undefined) getMetadataStorage().addRelation({ target: cls, name, to, options });
  };
}

/** Declares a method as an APS custom operation. A static method is a static operation. */
export function Operation(options: OperationOptions): MethodDecorator {
  return (target, key) => {
    const { cls, isStatic } = ownerOf(target);
    const method = memberName(cls, key);
    if (method !== undefined) getMetadataStorage().addOperation({ target: cls, method, options, isStatic });
  };
}

/** Declares a parameter of a custom operation: where it comes from (`kind`) and its APS type. */
export function Param(name: string, options: ParamOptions): ParameterDecorator {
  return (target, key, index) => {
    const { cls, isStatic } = ownerOf(target);
    if (key === undefined) {
      // On a constructor parameter, `target` is the class itself.
      getMetadataStorage().addMistake({
        target: cls,
        member: 'constructor',
        message: `@Param('${name}') belongs on a method parameter, not a constructor`,
      });
      return;
    }
    const method = memberName(cls, key);
    if (method === undefined) return;
    const paramTypes: unknown[] | undefined = Reflect.getMetadata('design:paramtypes', target, key);
    getMetadataStorage().addParam({
      target: cls,
      method,
      index,
      name,
      options,
      designType: paramTypes?.[index],
      isStatic,
    });
  };
}
