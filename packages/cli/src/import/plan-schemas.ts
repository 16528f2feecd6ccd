/**
 * Reads APS schemas into a plan of declarations (./plan.ts). Every attribute a published schema can
 * say has a place in the plan; what has none is a problem, named by file and `Type.member`, and the
 * import stops: an import never drops what a schema says. Problems are collected over all schemas
 * and reported together.
 *
 * Empty sections (`{}`, or `[]` as PHP writes an empty map) are read as absent, because APS reads
 * them so and APSKit does not publish them; each is reported as a note. What the platform accepted
 * is kept as written (issue 21): `false` flags (`"collection": false`, `"static": false`), `items`
 * on a response of another type than array, `"contentType": null`, type IDs without a version, and
 * attributes APSKit has no option for (published again through `extraAttributes`); the unusual
 * ones are reported as warnings.
 */
import { CoreTypes, LIFECYCLE_METHODS, matchesApsType, patternProblem, type JsonValue } from '@apskit/core';
import { CliError } from '../cli-error';
import { textWidth } from './doc';
import {
  camelCase,
  className,
  isFreeMethodName,
  isTakenClassName,
  kebabCase,
  needsQuotes,
  pascalCase,
  unique,
} from './names';
import {
  json,
  literal,
  object,
  type ClassPlan,
  type Expr,
  type MemberPlan,
  type ModulePlan,
  type OperationPlan,
  type ParamPlan,
  type PropertyPlan,
  type RelationPlan,
} from './plan';
import type { SourceSchema } from './read-schemas';
import { jsonKind } from './read-schemas';
import {
  ACCESS_KEYS,
  attributeProblem,
  ITEMS_KEYS,
  KINDS,
  OPERATION_KEYS,
  PARAMETER_KEYS,
  PRIMITIVES,
  PROPERTY_KEYS,
  RELATION_KEYS,
  RESPONSE_KEYS,
  STRUCTURE_KEYS,
  TYPE_KEYS,
  VALUE_ATTRIBUTES,
  VALUE_KEYS,
  VERBS,
} from './vocabulary';
import { numberText, quote } from './write-typescript';

export interface ImportPlan {
  readonly modules: readonly ModulePlan[];
  /** What was read as absent, one line each. */
  readonly notes: readonly string[];
}

type JsonObject = Record<string, unknown>;

const CORE_TYPE_KEYS = new Map<string, string>(Object.entries(CoreTypes).map(([key, id]) => [id, key]));

/** The line width (prettier's, here): an enum's union of literals is the annotation only if its line fits. */
const MAX_LINE = 120;

/**
 * Plans the declarations of every schema. `earlier` are problems found while reading the files:
 * they are reported with the planner's, so that one run names every problem.
 *
 * @throws CliError listing every problem found, each as `<file>: <Type>.<member>: what is wrong`.
 */
export function planImport(sources: readonly SourceSchema[], earlier: readonly string[] = []): ImportPlan {
  const problems: string[] = [...earlier];
  const notes: string[] = [];
  const entries = sources.map((s) => readHeader(s, problems)).filter((e): e is TypeEntry => e !== undefined);
  nameTypes(entries, problems, notes);
  nameStructures(entries, notes);
  // Planning goes on after a problem, so that one run names them all.
  const byId = new Map(entries.map((e) => [e.id, e]));
  const modules = entries.map((e) => new ModulePlanner(e, byId, problems, notes).plan());
  if (problems.length > 0) throw importError(problems);
  return { modules, notes };
}

/** One error for every problem: the user fixes them in one pass. */
export function importError(problems: readonly string[]): CliError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new CliError(
    `Cannot import the schemas, nothing was written (${count}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );
}

interface TypeEntry {
  readonly source: SourceSchema;
  /** A copy of the source without the controller's `aps`; what the declarations must emit, once read. */
  readonly schema: JsonObject;
  readonly name: string;
  readonly id: string;
  className: string;
  file: string;
  /** APS structure name → class name. */
  readonly structureClasses: Map<string, string>;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readHeader(source: SourceSchema, problems: string[]): TypeEntry | undefined {
  const schema = structuredClone(source.json) as JsonObject;
  // `aps` is what a controller adds to each type it serves (its own id, revision, …): not the type's.
  delete schema.aps;
  const { name, id, apsVersion } = schema;
  const at = typeof name === 'string' && name !== '' ? `${source.origin}: ${name}` : source.origin;
  let ok = true;
  for (const [key, value] of [
    ['name', name],
    ['id', id],
    ['apsVersion', apsVersion],
  ] as const) {
    if (typeof value !== 'string' || value === '') {
      problems.push(
        value === undefined
          ? `${at}: the schema has no "${key}", which every APS type has`
          : `${at}: "${key}" must be a non-empty string, not ${jsonKind(value)}`,
      );
      ok = false;
    }
  }
  if (!ok) return undefined;
  return {
    source,
    schema,
    name: name as string,
    id: id as string,
    className: '',
    file: '',
    structureClasses: new Map(),
  };
}

/**
 * Class and file names of the types. Two types may not share an ID (APS tells types by it); they may
 * share an APS name (a platform's type dump has a `tenant` of each app). A type whose class or file
 * name another type (or index.ts) has already gets a numbered one, `Domain2` in `domain2.ts`, with a
 * warning: its APS name stays in `name`.
 */
function nameTypes(entries: TypeEntry[], problems: string[], notes: string[]): void {
  const seen = { id: new Map<string, TypeEntry>() };
  const classes = new Map<string, TypeEntry>();
  // index.ts exports the others: no type is written there.
  const files = new Map<string, TypeEntry | undefined>([['index.ts', undefined]]);
  for (const e of entries) {
    const base0 = className(e.name);
    const base = isTakenClassName(base0) ? `${base0}Type` : base0;
    const fileOf = (cls: string): string => `${kebabCase(cls)}.ts`;
    const taken = (cls: string): boolean => classes.has(cls) || files.has(fileOf(cls).toLowerCase());
    e.className = base;
    for (let i = 2; taken(e.className); i++) e.className = `${base}${i}`;
    e.file = fileOf(e.className);
    const sameId = seen.id.get(e.id);
    if (sameId) {
      problems.push(`name clash: ${sameId.source.origin} and ${e.source.origin} both declare the type ID "${e.id}"`);
    } else if (e.className !== base) {
      const other = classes.get(base) ?? files.get(fileOf(base).toLowerCase());
      const by = other ? `the type "${other.name}" (${other.source.origin})` : 'index.ts, which exports the others';
      notes.push(
        `${e.source.origin}: ${e.name}: warning: the class ${base} (${fileOf(base)}) is taken by ${by}: this type is the class ${e.className}, in ${e.file}`,
      );
    }
    seen.id.set(e.id, e);
    classes.set(e.className, e);
    files.set(e.file.toLowerCase(), e);
  }
}

/**
 * Class names of the structures. A structure keeps its APS name as class name where it can; one
 * whose name another type's structure or a type has gets the type's class name before it, since
 * the output's index exports every class.
 */
function nameStructures(entries: TypeEntry[], notes: string[]): void {
  const typeClasses = new Set(entries.map((e) => e.className));
  const counts = new Map<string, number>();
  const names = (e: TypeEntry): string[] => (isObject(e.schema.structures) ? Object.keys(e.schema.structures) : []);
  for (const e of entries) for (const s of names(e)) counts.set(s, (counts.get(s) ?? 0) + 1);
  const used = new Set(typeClasses);
  for (const e of entries) {
    for (const s of names(e)) {
      const base = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s) ? s : pascalCase(s);
      const shared = (counts.get(s) ?? 0) > 1 || typeClasses.has(base) || isTakenClassName(base);
      const wanted = shared ? `${e.className}${pascalCase(s)}` : base;
      // Still another class's (a type's class, or a structure of a numbered type): a number makes it its own.
      let cls = wanted;
      for (let i = 2; used.has(cls); i++) cls = `${wanted}${i}`;
      if (cls !== wanted) {
        notes.push(
          `${e.source.origin}: ${e.name}.structures.${s}: warning: the class name ${wanted} is another class's of this import: this structure is the class ${cls}`,
        );
      }
      used.add(cls);
      e.structureClasses.set(s, cls);
    }
  }
}

/** Plans one type's module. `from` below is the declaration index of the class being planned. */
class ModulePlanner {
  private readonly schema: JsonObject;
  private readonly imports = new Map<string, Set<string>>();
  /** Structure name → its source, and its declaration index in the module. */
  private readonly structures = new Map<string, JsonObject>();
  private readonly declared = new Map<string, number>();
  private typeIndex = 0;

  constructor(
    private readonly entry: TypeEntry,
    private readonly byId: ReadonlyMap<string, TypeEntry>,
    private readonly problems: string[],
    private readonly notes: string[],
  ) {
    this.schema = entry.schema;
  }

  plan(): ModulePlan {
    const e = this.entry;
    const implementsExpr = this.implementsList();
    const access = this.access(this.schema, 'access', '');
    const relations = this.section(this.schema, 'relations', 'relations');
    const properties = this.section(this.schema, 'properties', 'properties');
    const operations = this.section(this.schema, 'operations', 'operations');
    this.readStructures();
    const order = this.declarationOrder();
    order.forEach((name, i) => this.declared.set(name, i));
    this.typeIndex = order.length;

    const structures = order.map((name, i) => this.structurePlan(name, i));
    const members: MemberPlan[] = [];
    const memberNames = new Set<string>();
    for (const [name, value] of Object.entries(relations ?? {})) {
      const r = this.relation(name, value);
      if (r) members.push(r);
      memberNames.add(name).add(`${name}Link`).add(`${name}Unlink`);
    }
    for (const [name, value] of Object.entries(properties ?? {})) {
      const p = this.property(name, value, `properties.${name}`, this.typeIndex);
      if (p) members.push(p);
      memberNames.add(name);
    }
    const instanceNames = new Set([...memberNames, ...LIFECYCLE_METHODS, 'constructor']);
    const staticNames = new Set<string>();
    const planned: OperationPlan[] = [];
    for (const [name, value] of Object.entries(operations ?? {})) {
      const op = this.operation(name, value, instanceNames, staticNames);
      if (op) planned.push(op);
    }
    members.push(...planned);

    const options = object([
      ['name', e.className !== e.name ? literal(e.name) : undefined],
      ['id', literal(e.id)],
      ['apsVersion', this.schema.apsVersion !== '2.0' ? literal(this.schema.apsVersion as string) : undefined],
      ['implements', implementsExpr],
      ['access', access],
      ['structures', this.structuresOption(properties, operations)],
      ['operationOrder', operationOrder(planned)],
      ['extraAttributes', this.extraAttributes(this.schema, TYPE_KEYS, '', 'a type')],
      ['keyOrder', keyOrderOption(this.schema, TYPE_KEYS)],
    ]);
    return {
      file: e.file,
      origin: e.source.origin,
      structures,
      type: { className: e.className, decorator: 'ApsType', options, members },
      imports: this.imports,
      expected: this.schema as Record<string, JsonValue>,
    };
  }

  // ---- where, problems and notes -----------------------------------------------------------------

  private where(path: string): string {
    return `${this.entry.source.origin}: ${this.entry.name}${path ? `.${path}` : ''}`;
  }

  private problem(path: string, message: string): void {
    this.problems.push(`${this.where(path)}: ${message}`);
  }

  private note(path: string, message: string): void {
    this.notes.push(`${this.where(path)}: ${message}`);
  }

  /** Something imported exactly that is unusual enough for a look. */
  private warning(path: string, message: string): void {
    this.notes.push(`${this.where(path)}: warning: ${message}`);
  }

  /** A type ID without `major.minor` is kept (the platform took it), with a warning. */
  private checkVersion(id: string, path: string): void {
    if (!VERSIONED_TYPE_ID.test(id)) {
      this.warning(path, `the type ID "${id}" has no major.minor version: kept as written`);
    }
  }

  /**
   * The attributes of `value` APSKit has no option for, as the `extraAttributes` option that
   * publishes them again, each reported as a warning: the platform accepted them, so the import
   * keeps them, but they may be a typo or an attribute of an older platform worth a look.
   */
  private extraAttributes(value: JsonObject, known: readonly string[], path: string, what: string): Expr | undefined {
    const extra = Object.keys(value).filter((key) => !known.includes(key));
    if (extra.includes('__proto__')) {
      // An object literal would set the prototype with it, not publish it.
      this.problem(path ? `${path}.__proto__` : '__proto__', '"__proto__" cannot be an attribute of a declaration');
      return undefined;
    }
    for (const key of extra) {
      this.warning(
        path ? `${path}.${key}` : key,
        `unknown attribute "${key}" of ${what}: kept as written (published again through extraAttributes)`,
      );
    }
    if (extra.length === 0) return undefined;
    return json(Object.fromEntries(extra.map((key) => [key, value[key]])) as JsonValue);
  }

  /** Keys of a part that has no `extraAttributes` (a structure's head, `access`): refused by name. */
  private checkKeys(value: JsonObject, allowed: readonly string[], path: string, what: string): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.problem(path ? `${path}.${key}` : key, `unknown attribute "${key}" (${what} has ${allowed.join(', ')})`);
      }
    }
  }

  /**
   * A map section (`relations`, `parameters`, a structure's `properties`): an object, or nothing
   * when it is absent or empty. An empty one is removed from the expected schema (`keepEmpty`: kept
   * as `{}`, for sections APSKit publishes even when empty).
   */
  private section(owner: JsonObject, key: string, path: string, keepEmpty = false): JsonObject | undefined {
    const value = owner[key];
    if (value === undefined) return undefined;
    const empty = (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);
    if (empty) {
      if (keepEmpty) {
        if (Array.isArray(value)) {
          owner[key] = {};
          this.note(path, 'read the empty list [] as an empty map {}, as PHP writes one');
        }
        return {};
      }
      delete owner[key];
      this.note(path, 'left out: an empty section is what APS reads when there is none');
      return undefined;
    }
    if (!isObject(value)) {
      this.problem(path, `must be an object of named entries, not ${jsonKind(value)}`);
      return undefined;
    }
    return value;
  }

  /** A flag as written: `false` is kept, since a schema that writes it is another file than one that does not. */
  private flag(owner: JsonObject, key: string, path: string): boolean | undefined {
    const value = owner[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') {
      this.problem(`${path}.${key}`, `must be true or false, not ${jsonKind(value)}`);
      return undefined;
    }
    return value;
  }

  private string(owner: JsonObject, key: string, path: string, required: boolean): string | undefined {
    const value = owner[key];
    if (value === undefined) {
      if (required) this.problem(path, `has no "${key}"`);
      return undefined;
    }
    if (typeof value !== 'string' || value === '') {
      this.problem(`${path}.${key}`, `must be a non-empty string, not ${jsonKind(value)}`);
      return undefined;
    }
    return value;
  }

  // ---- the type --------------------------------------------------------------------------------

  private implementsList(): Expr | undefined {
    const list = this.schema.implements;
    if (list === undefined) return undefined;
    if (!Array.isArray(list) || list.some((id) => typeof id !== 'string')) {
      this.problem('implements', `must be a list of type IDs, not ${jsonKind(list)}`);
      return undefined;
    }
    if (list.length === 0) {
      delete this.schema.implements;
      this.note('implements', 'left out: an empty list, which APSKit does not publish');
      return undefined;
    }
    (list as string[]).forEach((id, i) => this.checkVersion(id, `implements[${i}]`));
    return { kind: 'array', items: (list as string[]).map((id) => this.typeIdExpr(id)) };
  }

  /** A type ID as declarations write it: a class of this import, `CoreTypes.x`, or the ID itself. */
  private typeIdExpr(id: string): Expr {
    const target = this.byId.get(id);
    if (target) return { kind: 'thunk', to: this.classOf(target) };
    const core = CORE_TYPE_KEYS.get(id);
    return core ? { kind: 'coreType', key: core, id } : literal(id);
  }

  private classOf(target: TypeEntry): Expr {
    if (target !== this.entry) {
      const names = this.imports.get(target.file) ?? new Set<string>();
      names.add(target.className);
      this.imports.set(target.file, names);
    }
    return { kind: 'class', name: target.className };
  }

  private access(owner: JsonObject, key: string, path: string): Expr | undefined {
    const value = owner[key];
    if (value === undefined) return undefined;
    const at = path ? `${path}.${key}` : key;
    if (!isObject(value)) {
      this.problem(at, `must be an object such as {"admin": true}, not ${jsonKind(value)}`);
      return undefined;
    }
    this.checkKeys(value, ACCESS_KEYS, at, 'access');
    for (const [k, v] of Object.entries(value)) {
      if (typeof v !== 'boolean') this.problem(`${at}.${k}`, `must be true or false, not ${jsonKind(v)}`);
    }
    return json(value as JsonValue);
  }

  /** `structures: [...]` when the order members reach them is not the source's, or some are reached by none. */
  private structuresOption(properties: JsonObject | undefined, operations: JsonObject | undefined): Expr | undefined {
    const listed = [...this.structures.keys()];
    const reached: string[] = [];
    const visit = (name: string | undefined): void => {
      if (name === undefined || reached.includes(name) || !this.structures.has(name)) return;
      reached.push(name);
      Object.values(this.structureProperties(name)).forEach(visitProperty);
    };
    const visitProperty = (p: unknown): void => {
      if (!isObject(p)) return;
      visit(this.structureIn(p));
      if (isObject(p.properties)) Object.values(p.properties).forEach(visitProperty);
    };
    Object.values(properties ?? {}).forEach(visitProperty);
    for (const op of Object.values(operations ?? {})) {
      if (!isObject(op)) continue;
      if (isObject(op.parameters))
        for (const p of Object.values(op.parameters)) if (isObject(p)) visit(this.structureIn(p));
      // Items of a response of another type than array do not reach a structure in the model: listed, it is published.
      for (const r of [op.response, op.errorResponse])
        if (isObject(r)) visit(this.structureIn(r.type === 'array' ? r : { type: r.type }));
    }
    if (reached.length === listed.length && reached.every((name, i) => name === listed[i])) return undefined;
    return {
      kind: 'array',
      items: listed.map((name) => ({ kind: 'class', name: this.entry.structureClasses.get(name) as string })),
    };
  }

  /** The structure a value's type (or its items' type, at any depth) names. */
  private structureIn(value: JsonObject): string | undefined {
    let v: unknown = value;
    while (isObject(v)) {
      if (typeof v.type === 'string' && this.structures.has(v.type)) return v.type;
      v = v.items;
    }
    return undefined;
  }

  // ---- structures --------------------------------------------------------------------------------

  private readStructures(): void {
    const section = this.section(this.schema, 'structures', 'structures');
    for (const [name, value] of Object.entries(section ?? {})) {
      const path = `structures.${name}`;
      if (!isObject(value)) {
        this.problem(path, `must be an object, not ${jsonKind(value)}`);
        continue;
      }
      if (value.type !== 'object') {
        this.problem(
          `${path}.type`,
          value.type === undefined
            ? 'is missing: an APS structure is {"type": "object", "properties": {…}}'
            : `is ${JSON.stringify(value.type)}: an APS structure is an object`,
        );
      }
      if (value.properties === undefined) {
        this.problem(path, 'has no "properties": an APS structure is {"type": "object", "properties": {…}}');
      } else {
        this.section(value, 'properties', `${path}.properties`, true);
      }
      this.structures.set(name, value);
    }
  }

  private structureProperties(name: string): JsonObject {
    const s = this.structures.get(name);
    return s && isObject(s.properties) ? s.properties : {};
  }

  /**
   * Structures in declaration order: each after the structures it names, so that it can name them
   * as they are; in a cycle, the later one is named through a thunk.
   */
  private declarationOrder(): string[] {
    const order: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const dependencies = (value: unknown, out: string[]): void => {
      if (!isObject(value)) return;
      const s = this.structureIn(value);
      if (s) out.push(s);
      if (isObject(value.properties)) for (const p of Object.values(value.properties)) dependencies(p, out);
    };
    const visit = (name: string): void => {
      if (state.has(name)) return;
      state.set(name, 'visiting');
      const deps: string[] = [];
      for (const p of Object.values(this.structureProperties(name))) dependencies(p, deps);
      deps.forEach(visit);
      state.set(name, 'done');
      order.push(name);
    };
    [...this.structures.keys()].forEach(visit);
    return order;
  }

  private structurePlan(name: string, index: number): ClassPlan {
    const cls = this.entry.structureClasses.get(name) as string;
    const members: MemberPlan[] = [];
    for (const [key, value] of Object.entries(this.structureProperties(name))) {
      const p = this.property(key, value, `structures.${name}.properties.${key}`, index);
      if (p) members.push(p);
    }
    const source = this.structures.get(name) ?? {};
    const options = object([
      ['name', cls === name ? undefined : literal(name)],
      ['extraAttributes', this.extraAttributes(source, STRUCTURE_KEYS, `structures.${name}`, 'a structure')],
      ['keyOrder', keyOrderOption(source, STRUCTURE_KEYS)],
    ]);
    return {
      className: cls,
      decorator: 'Structure',
      options: options.kind === 'object' && options.entries.length > 0 ? options : undefined,
      members,
    };
  }

  // ---- types of values -----------------------------------------------------------------------------

  /**
   * What a `type` names, as options write it: an APS primitive, a structure of this schema (its
   * class, through a thunk unless declared before `from`), a type of this import (through a thunk),
   * or a type ID.
   */
  private typeExpr(type: unknown, path: string, from: number): Expr | undefined {
    if (typeof type !== 'string' || type === '') {
      this.problem(
        path,
        type === undefined ? 'has no "type"' : `"type" must be a non-empty string, not ${jsonKind(type)}`,
      );
      return undefined;
    }
    if (PRIMITIVES.includes(type)) return literal(type);
    if (type.includes('://')) {
      const target = this.byId.get(type);
      if (!target) this.checkVersion(type.split('#')[0] as string, `${path}.type`);
      return target ? { kind: 'thunk', to: this.classOf(target) } : literal(type);
    }
    const index = this.declared.get(type);
    if (index === undefined) {
      const known = [...this.structures.keys()];
      const what =
        `it is no APS type (${PRIMITIVES.join(', ')}), no type ID, and no structure of this schema ` +
        `(${known.length > 0 ? `it has ${known.join(', ')}` : 'it declares none'})`;
      const resolved = this.platformResolves(type);
      if (resolved !== undefined) {
        this.warning(path, `"${type}" is ${resolved}: kept as written, unresolvedType("${type}")`);
        return { kind: 'unresolved', name: type };
      }
      this.problem(path, `unknown type "${type}": ${what}`);
      return undefined;
    }
    const cls: Expr = { kind: 'class', name: this.entry.structureClasses.get(type) as string };
    return index < from ? cls : { kind: 'thunk', to: cls };
  }

  /**
   * What the platform reads a type name as that is no structure of this schema, or undefined for a
   * name nothing explains (a typo). Published types use a structure a base type declares (types
   * inherit structures: https://docs.cloudblue.com/cbc/sdk/21.0/api/types/type-definition/inheritance),
   * a type of the import by its APS name, and the words `self` (the core resource's configure takes
   * the resource itself) and `binary` (a response that is no JSON), all of which the model keeps as
   * written without resolving them.
   */
  private platformResolves(type: string): string | undefined {
    if (type === 'self') return 'the type itself, as the core resource type says it';
    if (type === 'binary') return 'content that is no JSON, as the core backupable type says it';
    const seen = new Set<string>();
    const bases = (e: TypeEntry): TypeEntry[] =>
      (Array.isArray(e.schema.implements) ? e.schema.implements : [])
        .map((id) => this.byId.get(String(id)))
        .filter((b): b is TypeEntry => b !== undefined && !seen.has(b.id) && Boolean(seen.add(b.id)));
    for (let level = bases(this.entry); level.length > 0; level = level.flatMap(bases)) {
      const base = level.find((b) => isObject(b.schema.structures) && Object.hasOwn(b.schema.structures, type));
      if (base) return `a structure of the base type ${base.name} (${base.id})`;
    }
    const named = [...this.byId.values()].filter((e) => e.name === type);
    if (named.length === 1) return `the APS name of the type ${named[0]?.id ?? ''}`;
    if (named.length > 1) return `the APS name of ${named.length} types of this import`;
    return undefined;
  }

  /** The TypeScript annotation of a value of `type`. */
  private tsType(value: JsonObject, from: number, name?: string): string {
    const type = value.type;
    if (typeof type !== 'string') return 'unknown';
    switch (type) {
      case 'string':
      case 'number':
      case 'integer':
        return (name !== undefined && this.literalUnion(value.enum, name)) || (type === 'string' ? 'string' : 'number');
      case 'boolean':
        return 'boolean';
      case 'object':
        return 'Record<string, unknown>';
      case 'array': {
        const items = isObject(value.items) ? this.tsType(value.items, Number.POSITIVE_INFINITY) : 'unknown';
        return `${items}[]`;
      }
    }
    if (type.includes('://')) {
      const target = this.byId.get(type);
      if (!target) return 'Record<string, unknown>';
      if (this.declaredLater(value, from)) return 'object';
      this.classOf(target);
      return target.className;
    }
    const index = this.declared.get(type);
    if (index === undefined) return 'unknown';
    return this.declaredLater(value, from) ? 'object' : (this.entry.structureClasses.get(type) as string);
  }

  /**
   * The class a value names when it is declared after the class being planned (`from`) in this
   * module. Such a class cannot be the member's annotation: decorator metadata reads the annotation
   * as the module loads, before the class exists. (A class naming itself is fine: its members are
   * decorated once it is defined.)
   */
  private declaredLater(value: JsonObject, from: number): string | undefined {
    const type = value.type;
    if (typeof type !== 'string') return undefined;
    if (this.byId.get(type) === this.entry) return from < this.typeIndex ? this.entry.className : undefined;
    const index = this.declared.get(type);
    return index !== undefined && index > from ? this.entry.structureClasses.get(type) : undefined;
  }

  /** `'small' | 'large'` for an enum, when the member's line stays short enough. */
  private literalUnion(values: unknown, member: string): string | undefined {
    if (!Array.isArray(values) || values.length === 0) return undefined;
    if (!values.every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) return undefined;
    const union = [...new Set(values as Array<string | number>)]
      .map((v) => (typeof v === 'string' ? quote(v) : numberText(v)))
      .join(' | ');
    const key = needsQuotes(member) ? quote(member) : member;
    // `  key?: union;` on one line, measured as prettier measures it.
    return 2 + textWidth(key) + 3 + textWidth(union) + 1 <= MAX_LINE ? union : undefined;
  }

  // ---- properties and items --------------------------------------------------------------------

  private property(name: string, value: unknown, path: string, from: number): PropertyPlan | undefined {
    const options = this.propertyOptions(value, path, from);
    if (!options || !isObject(value)) return undefined;
    const description = value.description;
    const later = this.declaredLater(value, from);
    return {
      kind: 'property',
      name,
      options,
      tsType: this.tsType(value, from, name),
      required: value.required === true,
      doc: typeof description === 'string' && description.trim() !== '' ? description : undefined,
      comment: later ? `a ${later}, declared below (decorator metadata would read it too early)` : undefined,
    };
  }

  private propertyOptions(value: unknown, path: string, from: number): Expr | undefined {
    if (!isObject(value)) {
      this.problem(path, `must be an object of attributes, not ${jsonKind(value)}`);
      return undefined;
    }
    const extra = this.extraAttributes(value, PROPERTY_KEYS, path, 'a property');
    const type = this.typeExpr(value.type, path, from);
    const items = this.arrayItems(value, path, from);
    let inline: Expr | undefined;
    const props = this.section(value, 'properties', `${path}.properties`, true);
    if (props) {
      inline = object(
        Object.entries(props).map(([k, v]) => [k, this.propertyOptions(v, `${path}.properties.${k}`, from)] as const),
      );
    }
    return object([
      ['type', type],
      ['items', items],
      ['properties', inline],
      ...this.valueAttributes(value, path),
      ['extraAttributes', extra],
      ['keyOrder', keyOrderOption(value, PROPERTY_KEYS)],
    ]);
  }

  /** The `items` of an array (required there, and only there). */
  private arrayItems(value: JsonObject, path: string, from: number): Expr | undefined {
    if (value.items === undefined) {
      if (value.type === 'array') this.problem(path, 'is an array without "items"');
      return undefined;
    }
    if (value.type !== 'array') {
      this.problem(`${path}.items`, `"items" belongs to arrays, but the type is ${JSON.stringify(value.type)}`);
      return undefined;
    }
    return this.items(value.items, `${path}.items`, from);
  }

  /** Items: the bare type when that is all they say, else `{ type, items, …attributes }`. */
  private items(value: unknown, path: string, from: number): Expr | undefined {
    if (!isObject(value)) {
      this.problem(path, `must be an object such as {"type": "string"}, not ${jsonKind(value)}`);
      return undefined;
    }
    if (value.properties !== undefined) {
      this.problem(
        `${path}.properties`,
        'inline properties of array items cannot be declared: declare a structure for the items and name it as their type',
      );
      return undefined;
    }
    const extra = this.extraAttributes(value, ITEMS_KEYS, path, 'items');
    const type = this.typeExpr(value.type, path, from);
    const nested = this.arrayItems(value, path, from);
    const attributes = this.valueAttributes(value, path);
    if (type === undefined) return undefined;
    const keyOrder = keyOrderOption(value, ITEMS_KEYS);
    if (nested === undefined && attributes.length === 0 && extra === undefined && value.type !== 'array') return type;
    return object([
      ['type', type],
      ['items', nested],
      ...attributes,
      ['extraAttributes', extra],
      ['keyOrder', keyOrder],
    ]);
  }

  private valueAttributes(value: JsonObject, path: string): Array<readonly [string, Expr]> {
    const out: Array<readonly [string, Expr]> = [];
    for (const key of VALUE_KEYS) {
      const v = value[key];
      if (v === undefined) continue;
      const at = `${path}.${key}`;
      const kind = VALUE_ATTRIBUTES[key];
      if (kind === 'access') {
        const access = this.access(value, key, path);
        if (access) out.push([key, access]);
        continue;
      }
      const problem =
        attributeProblem(kind, v) ??
        // An imported pattern is matched against requests on the linear-time engine: say now, not
        // at request time, when it cannot run there (issue 15 #9).
        (key === 'pattern' ? linearPatternProblem(v as string) : undefined);
      if (problem) this.problem(at, problem);
      else out.push([key, json(v as JsonValue)]);
    }
    const unchecked = [value.default, ...(Array.isArray(value.enum) ? value.enum : [])].filter(
      (v) => v !== undefined && typeof value.type === 'string' && !matchesApsType(value.type, v),
    );
    if (unchecked.length > 0) {
      this.warning(
        path,
        `${unchecked.map((v) => JSON.stringify(v)).join(', ')} ${unchecked.length === 1 ? 'is' : 'are'} not of type ${JSON.stringify(value.type)}: kept as written (uncheckedValues)`,
      );
      out.push(['uncheckedValues', literal(true)]);
    }
    return out;
  }

  // ---- relations ---------------------------------------------------------------------------------

  private relation(name: string, value: unknown): RelationPlan | undefined {
    const path = `relations.${name}`;
    if (!isObject(value)) {
      this.problem(path, `must be an object such as {"type": "http://…/1.0"}, not ${jsonKind(value)}`);
      return undefined;
    }
    const extra = this.extraAttributes(value, RELATION_KEYS, path, 'a relation');
    const type = this.string(value, 'type', path, true);
    if (type !== undefined && !type.includes('://')) {
      this.problem(`${path}.type`, `a relation names a type ID (http://host/path/1.0), not "${type}"`);
      return undefined;
    }
    const collection = this.flag(value, 'collection', path);
    const required = this.flag(value, 'required', path);
    const access = this.access(value, 'access', path);
    if (type === undefined) return undefined;
    const target = this.byId.get(type);
    if (!target) this.checkVersion(type, `${path}.type`);
    const options = object([
      ['collection', collection === undefined ? undefined : literal(collection)],
      ['required', required === undefined ? undefined : literal(required)],
      ['access', access],
      ['extraAttributes', extra],
      ['keyOrder', keyOrderOption(value, RELATION_KEYS)],
    ]);
    // The thunk of @Relation reads the class when the model is built: any class of the import will do.
    const targetExpr = target ? this.classOf(target) : this.typeIdExpr(type);
    const one = target ? target.className : 'unknown';
    return {
      kind: 'relation',
      name,
      target: targetExpr,
      options: options.kind === 'object' && options.entries.length > 0 ? options : undefined,
      tsType: collection ? `${one}[]` : one,
    };
  }

  // ---- operations --------------------------------------------------------------------------------

  private operation(
    name: string,
    value: unknown,
    instanceNames: Set<string>,
    staticNames: Set<string>,
  ): OperationPlan | undefined {
    const path = `operations.${name}`;
    if (!isObject(value)) {
      this.problem(path, `must be an object such as {"path": "/${name}", "verb": "GET"}, not ${jsonKind(value)}`);
      return undefined;
    }
    const extra = this.extraAttributes(value, OPERATION_KEYS, path, 'an operation');
    const publishName = this.publishedName(value, name, path, 'operation');
    const opPath = this.string(value, 'path', path, true);
    const verb = this.string(value, 'verb', path, true);
    if (verb !== undefined && !VERBS.includes(verb)) {
      this.problem(`${path}.verb`, `unknown verb "${verb}": APS has ${VERBS.join(', ')}`);
    }
    const staticFlag = this.flag(value, 'static', path);
    const isStatic = staticFlag === true;
    const parameters = this.section(value, 'parameters', `${path}.parameters`);
    const response = this.response(value, 'response', path);
    const errorResponse = this.response(value, 'errorResponse', path);
    const access = this.access(value, 'access', path);

    const used = isStatic ? staticNames : instanceNames;
    const base = isFreeMethodName(name, isStatic) ? name : camelCase(name);
    const method = unique(isFreeMethodName(base, isStatic) ? base : `${base}Operation`, used, 'Operation');
    const identifiers = new Set<string>();
    const params: ParamPlan[] = [];
    for (const [key, p] of Object.entries(parameters ?? {})) {
      const param = this.param(key, p, `${path}.parameters.${key}`, identifiers);
      if (param) params.push(param);
    }
    if (opPath === undefined || verb === undefined) return undefined;
    const returnsValue = isObject(value.response) ? this.tsType(value.response, this.typeIndex) : 'void';
    return {
      kind: 'operation',
      method,
      schemaName: name,
      isStatic,
      options: object([
        ['verb', literal(verb)],
        ['path', literal(opPath)],
        ['name', method !== name ? literal(name) : undefined],
        // `static: true` is the method's `static`; a written `false` is said as an option.
        ['static', staticFlag === false ? literal(false) : undefined],
        ['response', response],
        ['errorResponse', errorResponse],
        ['access', access],
        ['publishName', publishName ? literal(true) : undefined],
        ['extraAttributes', extra],
        ['keyOrder', keyOrderOption(value, OPERATION_KEYS)],
      ]),
      params,
      returnType: returnsValue,
    };
  }

  /** `"name"` inside an operation or parameter: published again when it repeats the key, as PHP does. */
  private publishedName(value: JsonObject, key: string, path: string, what: string): boolean {
    if (value.name === undefined) return false;
    if (value.name !== key) {
      this.problem(
        `${path}.name`,
        `is ${JSON.stringify(value.name)}, not the ${what}'s key "${key}": APSKit publishes one name, the key`,
      );
    }
    return true;
  }

  private param(name: string, value: unknown, path: string, identifiers: Set<string>): ParamPlan | undefined {
    if (!isObject(value)) {
      this.problem(path, `must be an object such as {"kind": "query", "type": "string"}, not ${jsonKind(value)}`);
      return undefined;
    }
    const extra = this.extraAttributes(value, PARAMETER_KEYS, path, 'a parameter');
    const publishName = this.publishedName(value, name, path, 'parameter');
    const written = this.string(value, 'kind', path, true);
    // A media type for a kind (`"kind": "text/json"`, which the platform took) says what the body
    // holds: it is published as written, and the endpoint reads the value from the body. Another
    // word (`header`) is refused: nothing says where the value travels.
    let kind = written;
    let publishedKind: string | undefined;
    if (written !== undefined && !KINDS.includes(written)) {
      if (/^[\w.+-]+\/[\w.+-]+$/.test(written)) {
        this.warning(
          `${path}.kind`,
          `parameter kind "${written}" is a media type, no kind (APS has ${KINDS.join(', ')}): published as written, read from the body`,
        );
        [kind, publishedKind] = ['body', written];
      } else this.problem(`${path}.kind`, `unknown parameter kind "${written}": APS has ${KINDS.join(', ')}`);
    }
    // No `type` at all (the core backupable type's binary body, its `contentType` saying what it is).
    const untyped = value.type === undefined;
    if (untyped) this.warning(path, 'has no "type": published without one (untyped), checked as an object');
    const type = untyped ? undefined : this.typeExpr(value.type, path, this.typeIndex);
    const items = this.arrayItems(value, path, this.typeIndex);
    const required = this.flag(value, 'required', path);
    if (kind === undefined || (type === undefined && !untyped)) return undefined;
    return {
      name,
      identifier: unique(`_${camelCase(name)}`, identifiers, '_'),
      options: object([
        ['kind', literal(kind)],
        ['publishedKind', publishedKind === undefined ? undefined : literal(publishedKind)],
        ['type', type],
        ['untyped', untyped ? literal(true) : undefined],
        ['items', items],
        ['required', required === undefined ? undefined : literal(required)],
        ['publishName', publishName ? literal(true) : undefined],
        ['extraAttributes', extra],
        ['keyOrder', keyOrderOption(value, PARAMETER_KEYS)],
      ]),
      tsType: this.tsType(value, this.typeIndex),
      required: required === true,
    };
  }

  /**
   * A response: the bare type when that is all it says, else `{ type, items, contentType, name }`.
   * `items` on a response of another type than array, and `"contentType": null`, are kept as the
   * platform accepted them (with a warning for the items).
   */
  private response(owner: JsonObject, key: string, opPath: string): Expr | undefined {
    const value = owner[key];
    if (value === undefined) return undefined;
    const path = `${opPath}.${key}`;
    if (!isObject(value)) {
      this.problem(path, `must be an object such as {"type": "object"}, not ${jsonKind(value)}`);
      return undefined;
    }
    const extra = this.extraAttributes(value, RESPONSE_KEYS, path, 'a response');
    const type = this.typeExpr(value.type, path, this.typeIndex);
    let items: Expr | undefined;
    // `"items": null`, as the APS PHP runtime writes a response without items.
    if (value.items === null && value.type !== 'array') items = literal(null);
    else if (value.type === 'array' || value.items === undefined) items = this.arrayItems(value, path, this.typeIndex);
    else {
      this.warning(
        `${path}.items`,
        `"items" on a response of type ${JSON.stringify(value.type)}, which is no array: kept as written`,
      );
      items = this.items(value.items, `${path}.items`, this.typeIndex);
    }
    const contentType = value.contentType === null ? null : this.string(value, 'contentType', path, false);
    const name = this.string(value, 'name', path, false);
    if (type === undefined) return undefined;
    if (items === undefined && contentType === undefined && name === undefined && extra === undefined) return type;
    return object([
      ['type', type],
      ['items', items],
      ['contentType', contentType === undefined ? undefined : literal(contentType)],
      ['name', name === undefined ? undefined : literal(name)],
      ['extraAttributes', extra],
      ['keyOrder', keyOrderOption(value, RESPONSE_KEYS)],
    ]);
  }
}

function linearPatternProblem(pattern: string): string | undefined {
  const reason = patternProblem(pattern);
  return reason && `pattern ${JSON.stringify(pattern)} is not supported by the linear-time engine: ${reason}`;
}

/** `http://host/path/major.minor`: a type ID as APS versions it. */
const VERSIONED_TYPE_ID = /\/\d+\.\d+$/;

/**
 * The type's `operationOrder` option, when the source's order of operations is not the order the
 * declarations give: TypeScript decorates static methods after instance ones.
 */
function operationOrder(operations: readonly OperationPlan[]): Expr | undefined {
  const declared = [...operations.filter((o) => !o.isStatic), ...operations.filter((o) => o.isStatic)];
  if (declared.every((o, i) => o === operations[i])) return undefined;
  return { kind: 'array', items: operations.map((o) => literal(o.schemaName)) };
}

/**
 * The `keyOrder` option of an object whose keys the source orders otherwise than APSKit publishes
 * them (its known keys in `known` order, then the others as written): the source's order, since a
 * published file's order is its author's.
 */
function keyOrderOption(value: JsonObject, known: readonly string[]): Expr | undefined {
  const keys = Object.keys(value);
  const published = [...known.filter((k) => keys.includes(k)), ...keys.filter((k) => !known.includes(k))];
  if (published.every((k, i) => k === keys[i])) return undefined;
  return { kind: 'array', items: keys.map((k) => literal(k)) };
}
