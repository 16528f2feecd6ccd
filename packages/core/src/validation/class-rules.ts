/**
 * The class-validator rules the compiled schema cannot say (`@IsPositive`, `@Validate(...)`, rules on
 * array items, …) and a validator that runs class-validator for exactly those. A class without such
 * rules gets no validator at all, so it never pays for class-validator.
 */
import { validateSync, type ValidationError } from 'class-validator';
import type { Class } from '../metadata/records';
import type { PropertyModel, PropertySchema, StructureModel, ValidatorRule } from '../model/model';
import type { ValidationIssue } from './compile';

const FORMAT_RULES: Readonly<Record<string, string>> = {
  isEmail: 'email',
  isUrl: 'uri',
  isISO8601: 'date-time',
  isDateString: 'date-time',
  isUUID: 'uuid',
};

/** Whether the compiled schema already enforces `rule` on a property with this schema. */
export function isCoveredBySchema(rule: ValidatorRule, schema: PropertySchema, hasStructure: boolean): boolean {
  if (rule.each) return false;
  const [c0, c1] = rule.constraints;
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  switch (rule.name) {
    case 'isOptional':
    case 'whitelistValidation':
      return true; // nothing to check: every property the schema does not require is optional
    case 'nestedValidation':
      return hasStructure;
    case 'isDefined':
      return schema.required === true;
    case 'isString':
      return schema.type === 'string';
    case 'isNumber':
      return schema.type === 'number' || schema.type === 'integer';
    case 'isInt':
      return schema.type === 'integer';
    case 'isBoolean':
      return schema.type === 'boolean';
    case 'isArray':
      return schema.type === 'array';
    case 'isObject':
      return schema.type === 'object' || hasStructure;
    case 'matches':
      return c0 instanceof RegExp ? c0.flags === '' && schema.pattern === c0.source : schema.pattern === c0;
    case 'isIn':
      return same(schema.enum, c0);
    case 'isEnum':
      return schema.enum !== undefined && c0 !== null && typeof c0 === 'object';
    case 'min':
      return schema.minimum === c0;
    case 'max':
      return schema.maximum === c0;
    case 'minLength':
      return schema.minLength === c0;
    case 'maxLength':
      return schema.maxLength === c0;
    case 'length':
      return schema.minLength === c0 && (c1 === undefined || schema.maxLength === c1);
    case 'arrayMinSize':
      return schema.minItems === c0;
    case 'arrayMaxSize':
      return schema.maxItems === c0;
    default:
      return FORMAT_RULES[rule.name] !== undefined && schema.format === FORMAT_RULES[rule.name];
  }
}

/** Property name → names of the rules only class-validator can check, for one class. */
function uncoveredOf(properties: readonly PropertyModel[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const p of properties) {
    const names = p.rules.filter((r) => !isCoveredBySchema(r, p.schema, p.structure !== undefined)).map((r) => r.name);
    if (names.length > 0) out.set(p.name, new Set(names));
  }
  return out;
}

export type ClassRulesValidator = (instance: object) => ValidationIssue[];

/**
 * A validator for the rules of `target` (and of the structures below it) that the schema cannot
 * say, or undefined when there are none.
 */
export function compileClassRules(
  target: Class,
  properties: readonly PropertyModel[],
): ClassRulesValidator | undefined {
  const uncovered = new Map<Class, Map<string, Set<string>>>();
  const visit = (cls: Class, props: readonly PropertyModel[], seen: Set<StructureModel>): void => {
    const own = uncoveredOf(props);
    if (own.size > 0) uncovered.set(cls, own);
    for (const p of props) {
      if (p.structure && !seen.has(p.structure)) {
        seen.add(p.structure);
        visit(p.structure.target, p.structure.properties, seen);
      }
    }
  };
  visit(target, properties, new Set());
  if (uncovered.size === 0) return undefined;

  return (instance) => {
    const errors = validateSync(instance, { forbidUnknownValues: false });
    const issues: ValidationIssue[] = [];
    collect(errors, '', uncovered, issues);
    return issues;
  };
}

function collect(
  errors: readonly ValidationError[],
  base: string,
  uncovered: Map<Class, Map<string, Set<string>>>,
  out: ValidationIssue[],
): void {
  for (const e of errors) {
    const field = /^\d+$/.test(e.property) ? `${base}[${e.property}]` : base ? `${base}.${e.property}` : e.property;
    const names = e.target ? uncovered.get(e.target.constructor as Class)?.get(e.property) : undefined;
    for (const [name, message] of Object.entries(e.constraints ?? {})) {
      if (names?.has(name)) out.push({ field, message: message.replace(new RegExp(`^${e.property} `), '') });
    }
    if (e.children && e.children.length > 0) collect(e.children, field, uncovered, out);
  }
}
