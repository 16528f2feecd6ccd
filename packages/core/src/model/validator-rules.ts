/**
 * Reads the class-validator rules of a class once, when the model is built, and says which of them
 * APS has an attribute for. The schema takes those attributes (unless the declaration sets them
 * itself); the runtime gets every rule.
 */
import { getMetadataStorage as getClassValidatorStorage } from 'class-validator';
import type { JsonPrimitive } from '../decorators/options';
import type { Class } from '../metadata/records';
import type { PropertySchema, ValidatorRule } from './model';

/** Every class-validator rule of a class (its base classes' included), by property name. */
export function readValidatorRules(target: Class): ReadonlyMap<string, ValidatorRule[]> {
  const metadatas = getClassValidatorStorage().getTargetValidationMetadatas(target, '', true, false);
  const byProperty = new Map<string, ValidatorRule[]>();
  for (const m of metadatas) {
    const rule: ValidatorRule = {
      name: m.name ?? m.type,
      constraints: Object.freeze([...(m.constraints ?? [])]),
      each: m.each === true,
    };
    const list = byProperty.get(m.propertyName);
    if (list) list.push(rule);
    else byProperty.set(m.propertyName, [rule]);
  }
  return byProperty;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const FORMATS: Readonly<Record<string, string>> = {
  isEmail: 'email',
  isUrl: 'uri',
  isUuid: 'uuid', // class-validator's name for @IsUUID()
};

/**
 * The APS attributes that class-validator rules imply. `base` holds what the declaration said; an
 * attribute it already has is never overridden.
 */
export function attributesFromRules(
  base: Partial<PropertySchema>,
  rules: readonly ValidatorRule[],
): Partial<PropertySchema> {
  const out: Partial<Mutable<PropertySchema>> = {};
  const unset = (key: keyof PropertySchema): boolean => base[key] === undefined && out[key] === undefined;
  for (const rule of rules) {
    if (rule.each) continue; // rules on items say nothing about the property itself
    const [c0, c1] = rule.constraints;
    switch (rule.name) {
      case 'isInt':
        if (base.type === 'number') out.type = 'integer';
        break;
      case 'isDefined':
        if (unset('required')) out.required = true;
        break;
      case 'matches':
        if (unset('pattern') && c0 instanceof RegExp && c0.flags === '') out.pattern = c0.source;
        else if (unset('pattern') && typeof c0 === 'string' && c1 === undefined) out.pattern = c0;
        break;
      case 'isIn':
        if (unset('enum') && Array.isArray(c0)) out.enum = [...(c0 as JsonPrimitive[])];
        break;
      case 'isEnum':
        if (unset('enum') && c0 && typeof c0 === 'object') out.enum = enumValues(c0 as Record<string, JsonPrimitive>);
        break;
      case 'min':
        if (unset('minimum') && typeof c0 === 'number') out.minimum = c0;
        break;
      case 'max':
        if (unset('maximum') && typeof c0 === 'number') out.maximum = c0;
        break;
      case 'minLength':
        if (unset('minLength') && typeof c0 === 'number') out.minLength = c0;
        break;
      case 'maxLength':
        if (unset('maxLength') && typeof c0 === 'number') out.maxLength = c0;
        break;
      case 'isLength': // @Length(min, max)
        if (unset('minLength') && typeof c0 === 'number') out.minLength = c0;
        if (unset('maxLength') && typeof c1 === 'number') out.maxLength = c1;
        break;
      case 'arrayMinSize':
        if (unset('minItems') && typeof c0 === 'number') out.minItems = c0;
        break;
      case 'arrayMaxSize':
        if (unset('maxItems') && typeof c0 === 'number') out.maxItems = c0;
        break;
      default: {
        const format = FORMATS[rule.name];
        if (format && unset('format')) out.format = format;
      }
    }
  }
  return out;
}

/** The values of a TypeScript enum object, without the reverse entries of numeric enums. */
function enumValues(e: Record<string, JsonPrimitive>): JsonPrimitive[] {
  return Object.entries(e)
    .filter(([key]) => !/^\d+$/.test(key))
    .map(([, value]) => value);
}
