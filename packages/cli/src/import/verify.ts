/**
 * The proof that an import loses nothing, before anything is written: the planned classes are
 * declared in memory with the real decorators and the very options the modules will hold, a model
 * is built, and each type's schema is compared with what its source says. A declaration mistake
 * (a `default` not of its type, two operations on one path) or any difference fails the import,
 * named by file and place.
 */
import {
  ApsType,
  buildTypeModel,
  CoreTypes,
  DeclarationError,
  Operation,
  Param,
  Property,
  Relation,
  Structure,
  toApsSchema,
  unresolvedType,
  type Class,
  type JsonValue,
  type TypeModel,
} from '@apskit/core';
import { importError } from './plan-schemas';
import type { ClassPlan, Expr, ModulePlan } from './plan';

/** @throws CliError naming every difference between a source and what its declarations emit. */
export function verifyImport(modules: readonly ModulePlan[]): void {
  const classes = new Map<string, Class>();
  const origins = new Map<string, string>();
  for (const m of modules) {
    for (const c of [...m.structures, m.type]) {
      classes.set(c.className, namedClass(c.className));
      origins.set(c.className, m.origin);
    }
  }
  for (const m of modules) for (const c of [...m.structures, m.type]) declare(c, classes);

  const typeClasses = modules.map((m) => classes.get(m.type.className) as Class);
  let model: TypeModel;
  try {
    model = buildTypeModel(typeClasses);
  } catch (e) {
    if (!(e instanceof DeclarationError)) throw e;
    throw importError(
      e.problems.map((p) => {
        const where = p.member ? `${p.className}.${p.member}` : p.className;
        return `${origins.get(p.className) ?? 'the import'}: ${where}: ${p.message}`;
      }),
    );
  }

  const problems: string[] = [];
  modules.forEach((m, i) => {
    const emitted = JSON.parse(JSON.stringify(toApsSchema(model.get(typeClasses[i] as Class)))) as JsonValue;
    const name = typeof m.expected.name === 'string' ? m.expected.name : m.type.className;
    for (const d of differences(m.expected as JsonValue, emitted, name)) problems.push(`${m.origin}: ${d}`);
  });
  if (problems.length > 0) throw importError(problems);
}

function namedClass(name: string): Class {
  // The class takes the name it will have in the module, for messages that name it.
  const cls = class {};
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

/** Applies the decorators as TypeScript does: members in order (static ones last), then the class. */
function declare(plan: ClassPlan, classes: ReadonlyMap<string, Class>): void {
  const cls = classes.get(plan.className) as Class;
  const proto = cls.prototype as object;
  // The options as the module will hold them; the plan gave them their shape.
  const value = (e: Expr | undefined): never => evaluate(e, classes) as never;
  const members = [...plan.members].sort((a, b) => Number(isStatic(a)) - Number(isStatic(b)));
  for (const m of members) {
    if (m.kind === 'property') Property(value(m.options))(proto, m.name);
    else if (m.kind === 'relation') Relation(() => value(m.target), m.options && value(m.options))(proto, m.name);
    else {
      const target = m.isStatic ? cls : proto;
      Object.defineProperty(target, m.method, { value: () => undefined, configurable: true, writable: true });
      // TypeScript applies a method's decorators last first: the parameters' before the method's.
      m.params.forEach((_, i, params) => {
        const param = params[params.length - 1 - i] as (typeof params)[number];
        Param(param.name, value(param.options))(target, m.method, params.length - 1 - i);
      });
      const descriptor = Object.getOwnPropertyDescriptor(target, m.method) as PropertyDescriptor;
      Operation(value(m.options))(target, m.method, descriptor);
    }
  }
  if (plan.decorator === 'ApsType') ApsType(value(plan.options))(cls as never);
  else Structure(plan.options ? value(plan.options) : undefined)(cls as never);
}

function isStatic(m: ClassPlan['members'][number]): boolean {
  return m.kind === 'operation' && m.isStatic;
}

/** What an expression is at run time, as the module will have it. */
function evaluate(e: Expr | undefined, classes: ReadonlyMap<string, Class>): unknown {
  if (e === undefined) return undefined;
  switch (e.kind) {
    case 'literal':
      return e.value;
    case 'class': {
      const cls = classes.get(e.name);
      if (!cls) throw new Error(`internal: the import names a class it does not declare: ${e.name}`);
      return cls;
    }
    case 'thunk':
      return () => evaluate(e.to, classes);
    case 'coreType':
      return CoreTypes[e.key as keyof typeof CoreTypes];
    case 'unresolved':
      return unresolvedType(e.name);
    case 'array':
      return e.items.map((item) => evaluate(item, classes));
    case 'object':
      return Object.fromEntries(e.entries.map(([k, v]) => [k, evaluate(v, classes)]));
  }
}

/**
 * Where two JSON values differ, as `path: what`. Key order counts (issue 21): a published file's order
 * is its author's, and the declarations say it with `keyOrder` where it is not APSKit's.
 */
export function differences(expected: JsonValue, actual: JsonValue | undefined, path: string): string[] {
  if (actual === undefined) return [`${path}: the declarations cannot say it, and would leave it out`];
  if (isRecord(expected) && isRecord(actual)) {
    const out: string[] = [];
    for (const [k, v] of Object.entries(expected)) out.push(...differences(v, actual[k], `${path}.${k}`));
    for (const [k, v] of Object.entries(actual)) {
      if (!(k in expected))
        out.push(`${path}.${k}: the declarations would add ${JSON.stringify(v)}, which the schema has not`);
    }
    const order = (o: object): string => Object.keys(o).join(', ');
    if (out.length === 0 && order(expected) !== order(actual)) {
      out.push(
        `${path}: the declarations would publish the keys in the order ${order(actual)}, where the schema has ${order(expected)}`,
      );
    }
    return out;
  }
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length) {
    return expected.flatMap((v, i) => differences(v, actual[i], `${path}[${i}]`));
  }
  if (JSON.stringify(expected) === JSON.stringify(actual)) return [];
  return [
    `${path}: the declarations would publish ${JSON.stringify(actual)} where the schema has ${JSON.stringify(expected)}`,
  ];
}

function isRecord(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
