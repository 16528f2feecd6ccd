/**
 * The class-validator rules the compiled schema cannot say (`@IsPositive`, `@Validate(...)`, rules on
 * array items, …) and a validator that runs class-validator for exactly those. A class without such
 * rules gets no validator at all, so it never pays for class-validator.
 */
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import type { Class } from '../metadata/records';
import type { PropertyModel, PropertySchema, ValidatorRule } from '../model/model';
import type { ValidationIssue } from './compile';
import { LinearRegExp } from './linear-pattern';

const FORMAT_RULES: Readonly<Record<string, string>> = {
  isEmail: 'email',
  isUrl: 'uri',
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
    case 'isUuid':
      // ajv's uuid format accepts every version: a rule that asks for one is class-validator's to check.
      return schema.format === 'uuid' && (c0 === undefined || c0 === 'all');
    case 'isLength':
      return schema.minLength === c0 && (c1 === undefined || schema.maxLength === c1);
    case 'arrayMinSize':
      return schema.minItems === c0;
    case 'arrayMaxSize':
      return schema.maxItems === c0;
    default:
      return FORMAT_RULES[rule.name] !== undefined && schema.format === FORMAT_RULES[rule.name];
  }
}

/** Property name → names of its rules that the schema already enforces, for one class. */
function coveredOf(properties: readonly PropertyModel[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const p of properties) {
    const names = p.rules.filter((r) => isCoveredBySchema(r, p.schema, p.structure !== undefined)).map((r) => r.name);
    out.set(p.name, new Set(names));
  }
  return out;
}

function hasUncovered(properties: readonly PropertyModel[]): boolean {
  return properties.some((p) => p.rules.some((r) => !isCoveredBySchema(r, p.schema, p.structure !== undefined)));
}

/** What to check on an instance of one class: its own rules, and the structures below it. */
interface ClassPlan {
  /**
   * Set when the class has rules only class-validator can check. A failed constraint whose name is
   * not listed here for its property is reported: class-validator names a custom `@Validate`
   * constraint by the constraint, not by the rule, so a list of what to skip is the safe one.
   */
  readonly covered?: Map<string, Set<string>>;
  /** Structure-typed properties, with the number of array levels above the structure (`T[]` is 1). */
  nested: Array<{ readonly name: string; readonly depth: number; readonly plan: ClassPlan }>;
}

export type ClassRulesValidator = (instance: object) => ValidationIssue[];

/** A property left out (or null) is not set: the schema says which are required, so its rules do not run. */
const OPTIONS = { forbidUnknownValues: false, skipMissingProperties: true } as const;

/**
 * A validator for the rules of `target` (and of the structures below it) that the schema cannot
 * say, or undefined when there are none. It walks the structures itself, so that their rules run
 * without `@ValidateNested()` on every property that holds one.
 */
export function compileClassRules(
  target: Class,
  properties: readonly PropertyModel[],
): ClassRulesValidator | undefined {
  const plans = new Map<Class, ClassPlan>();
  const planOf = (cls: Class, props: readonly PropertyModel[]): ClassPlan => {
    const cached = plans.get(cls);
    if (cached) return cached;
    const plan: ClassPlan = { covered: hasUncovered(props) ? coveredOf(props) : undefined, nested: [] };
    // Registered before the structures below are planned, so that a structure may contain itself.
    plans.set(cls, plan);
    for (const p of props) {
      if (p.structure) {
        plan.nested.push({
          name: p.name,
          depth: arrayDepth(p),
          plan: planOf(p.structure.target, p.structure.properties),
        });
      }
    }
    return plan;
  };
  const root = planOf(target, properties);

  // Only the structures with rules somewhere below them are walked.
  const needed = new Set([...plans.values()].filter((p) => p.covered));
  for (let grew = true; grew;) {
    grew = false;
    for (const p of plans.values()) {
      if (!needed.has(p) && p.nested.some((n) => needed.has(n.plan))) {
        needed.add(p);
        grew = true;
      }
    }
  }
  if (!needed.has(root)) return undefined;
  for (const p of plans.values()) p.nested = p.nested.filter((n) => needed.has(n.plan));
  for (const [cls, p] of plans) if (p.covered) useLinearMatches(cls);

  const check = (instance: object, plan: ClassPlan, base: string, out: ValidationIssue[]): void => {
    if (plan.covered) collect(validateSync(instance, OPTIONS), base, plan.covered, out);
    for (const n of plan.nested) {
      const value = (instance as Record<string, unknown>)[n.name];
      eachStructure(value, n.depth, base ? `${base}.${n.name}` : n.name, (item, at) => check(item, n.plan, at, out));
    }
  };
  return (instance) => {
    const issues: ValidationIssue[] = [];
    check(instance, root, '', issues);
    return issues;
  };
}

/**
 * Points the `@Matches` rules of `cls` at the linear-time engine (issue 15 #9). class-validator runs
 * every rule of a class it validates, those the schema covers too, and validator.js matches with the
 * native RegExp, which backtracks. Its constraint is swapped for a LinearRegExp of the same source
 * and flags (validator.js takes any RegExp as it is); the model build has already refused what the
 * engine cannot run, so this does not throw for a built model.
 */
function useLinearMatches(cls: Class): void {
  for (const m of getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false)) {
    if (m.name !== 'matches' || !m.constraints) continue;
    const [pattern, modifiers] = m.constraints as [unknown, unknown];
    if (pattern instanceof LinearRegExp) continue;
    if (pattern instanceof RegExp) m.constraints = [new LinearRegExp(pattern), modifiers];
    else if (typeof pattern === 'string')
      m.constraints = [new LinearRegExp(pattern, typeof modifiers === 'string' ? modifiers : ''), modifiers];
  }
}

/** How many array levels stand between a property and its structure (`T[][]` is 2). */
function arrayDepth(p: PropertyModel): number {
  let depth = 0;
  for (let items = p.schema.type === 'array' ? p.schema.items : undefined; items; items = items.items) {
    depth++;
    if (items.type !== 'array') break;
  }
  return depth;
}

function eachStructure(value: unknown, depth: number, at: string, fn: (item: object, at: string) => void): void {
  if (value === null || typeof value !== 'object') return;
  if (depth === 0) {
    if (!Array.isArray(value)) fn(value, at);
    return;
  }
  if (Array.isArray(value)) value.forEach((item, i) => eachStructure(item, depth - 1, `${at}[${i}]`, fn));
}

/** The failed constraints of one instance that the schema did not check. Nested errors are walked by `check`. */
function collect(
  errors: readonly ValidationError[],
  base: string,
  covered: Map<string, Set<string>>,
  out: ValidationIssue[],
): void {
  for (const e of errors) {
    const field = base ? `${base}.${e.property}` : e.property;
    const skip = covered.get(e.property);
    if (!skip) continue; // not an APS property: not the request's business
    for (const [name, message] of Object.entries(e.constraints ?? {})) {
      if (!skip.has(name)) out.push({ field, message: message.replace(new RegExp(`^${e.property} `), '') });
    }
  }
}
