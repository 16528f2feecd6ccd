/**
 * RQL on resources (`GET /aps/2/resources?<rql>`, docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql/)
 * turned into the store's query: the text parsed by core's parseRql, then checked against the types
 * this application serves and typed from their schemas, so that the store compares like with like
 * (a string property takes `10` as the string "10", an integer property as the number 10).
 *
 * - `implementing(T)` is the served types that are T or implement it, directly or through another
 *   type (every type implements the core resource type), as `typeIn`; a T nothing implements matches
 *   nothing. It names a type by ID (a served type's APS name is taken too).
 * - The types in play are those the top-level `implementing()`s allow (all served types without
 *   one): every property path must reach a scalar property, or a field of a structure, of one of
 *   them, with the same JSON type in each; `aps.id`, `aps.type`, `aps.status`, `aps.revision` and
 *   `aps.modified` are always there. Anything else is a 400 naming the property and its position.
 * - A value is read as the property's type: integer and number properties take numbers, boolean
 *   ones `true`/`false`, string ones the text as it is; `null()` (and `null`, except for a string
 *   property) is null, `empty()` the empty string. `aps.modified` takes an ISO 8601 date (or epoch
 *   milliseconds) and compares as epoch milliseconds.
 * - `like()` reads strings only; `*` and `?` are its wildcards. A `*` or `?` written percent-encoded
 *   (`%2A`, `%3F`) is a literal character, passed to the store as an escaped pattern.
 * - `select(rel,…)` names relations of the types in play; `linkedWith(id)` passes through.
 * - Compatibility: a query that is exactly `type=<type ID or name>` keeps the meaning it had before
 *   RQL (that type's resources), and an unknown type is the 400 it was.
 */
import {
  BadRequestError,
  CoreTypes,
  parseRql,
  RqlSyntaxError,
  type ApsTypeModel,
  type PropertyModel,
  type RqlCondition,
  type RqlLikePart,
  type RqlLimit,
  type RqlProperty,
  type RqlValue,
} from '@apskit/core';
import type { FieldPath, QueryValue, ResourceCondition, ResourceQuery, SortKey } from '@apskit/store';
import type { ServiceRegistry } from '../registry/service-registry';

/** What a list query asks of the store and of the list. */
export interface ResourceListQuery {
  /** The conditions and the order (no page: see `limit`). */
  readonly query: ResourceQuery;
  /** The page `limit()` asks for, if it does (see ./list-page for how it meets a Range header). */
  readonly limit?: RqlLimit;
  /** The relations whose links list items show (`select()`): none unless asked. */
  readonly select: readonly string[];
}

type ApsField = Extract<FieldPath, { aps: unknown }>['aps'];
const APS_FIELDS: Readonly<Record<ApsField, Kind>> = {
  id: 'string',
  type: 'string',
  status: 'string',
  revision: 'integer',
  modified: 'date',
};

/** How a query value is read for a field. */
type Kind = 'string' | 'integer' | 'number' | 'boolean' | 'date';

interface ResolvedField {
  readonly field: FieldPath;
  readonly kind: Kind;
}

const COMPAT_TYPE = /^type=([^&|,;()=]+)$/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

function propertyError(property: RqlProperty, reason: string): BadRequestError {
  const name = property.path.join('.');
  const position = property.position ?? 0;
  return new BadRequestError(`Invalid RQL at position ${position}: property "${name}" ${reason}`, [
    { field: name, position, message: reason },
  ]);
}

function valueError(property: RqlProperty, value: RqlValue, reason: string): BadRequestError {
  const name = property.path.join('.');
  const position = value.position ?? property.position ?? 0;
  return new BadRequestError(`Invalid RQL at position ${position}: ${reason}`, [
    { field: name, position, message: reason },
  ]);
}

export function resourceListQuery(rql: string, registry: ServiceRegistry): ResourceListQuery {
  const compat = COMPAT_TYPE.exec(rql);
  if (compat) {
    let ref: string;
    try {
      ref = decodeURIComponent(compat[1] as string);
    } catch {
      throw new RqlSyntaxError(5, 'the type has a malformed percent-encoding');
    }
    return { query: { type: registry.serviceOf(ref).type.id }, select: [] };
  }
  return new Translation(registry).run(rql);
}

class Translation {
  private readonly served: ApsTypeModel[];
  private inPlay: ApsTypeModel[];

  constructor(private readonly registry: ServiceRegistry) {
    this.served = registry.model.types.filter((t) => registry.find(t.id)?.type === t);
    this.inPlay = this.served;
  }

  run(rql: string): ResourceListQuery {
    const parsed = parseRql(rql);
    const where = parsed.where;
    // The types in play: those every top-level implementing() allows.
    for (const c of where ? (where.op === 'and' ? where.of : [where]) : []) {
      if (c.op === 'implementing') {
        const allowed = new Set(this.implementing(c.type));
        this.inPlay = this.inPlay.filter((t) => allowed.has(t.id));
      }
    }
    const select = (parsed.select ?? []).map((p) => this.relation(p));
    const sort: SortKey[] = (parsed.sort ?? []).map((k) => ({
      field: this.resolve(k.property).field,
      descending: k.descending,
    }));
    return {
      query: { ...(where && { where: this.condition(where) }), ...(sort.length > 0 && { sort }) },
      ...(parsed.limit && { limit: parsed.limit }),
      select,
    };
  }

  /** The served types that are `typeRef` or implement it. */
  private implementing(typeRef: string): string[] {
    const wanted = this.registry.find(typeRef)?.type.id ?? typeRef;
    const model = this.registry.model;
    const reaches = (id: string, seen: Set<string>): boolean => {
      if (id === wanted) return true;
      if (seen.has(id)) return false;
      seen.add(id);
      return (model.find(id)?.implements ?? []).some((next) => reaches(next, seen));
    };
    return this.served.filter((t) => wanted === CoreTypes.resource || reaches(t.id, new Set())).map((t) => t.id);
  }

  private condition(c: RqlCondition): ResourceCondition {
    switch (c.op) {
      case 'and':
      case 'or':
        return { op: c.op, of: c.of.map((x) => this.condition(x)) };
      case 'not':
        return { op: 'not', of: this.condition(c.of) };
      case 'implementing':
        return { op: 'typeIn', types: this.implementing(c.type) };
      case 'composing':
        throw new RqlSyntaxError(c.position ?? 0, 'composing() selects types, not resources: ask /aps/2/types');
      case 'linkedWith':
        return { op: 'linkedWith', id: c.id };
      case 'like': {
        const { field, kind } = this.resolve(c.property);
        if (kind !== 'string') throw propertyError(c.property, 'is not a string: like() matches strings');
        return { op: 'like', field, pattern: likePattern(c.pattern), escaped: true };
      }
      case 'in':
      case 'out': {
        const { field, kind } = this.resolve(c.property);
        return { op: c.op, field, values: c.values.map((v) => this.value(c.property, kind, v)) };
      }
      default: {
        const { field, kind } = this.resolve(c.property);
        return { op: c.op, field, value: this.value(c.property, kind, c.value) };
      }
    }
  }

  /** A query value read as the field's kind. */
  private value(property: RqlProperty, kind: Kind, v: RqlValue): QueryValue {
    if (v.special === 'null') return null;
    const name = property.path.join('.');
    if (v.special === 'empty') {
      if (kind !== 'string')
        throw valueError(property, v, `empty() is the empty string, and "${name}" is not a string`);
      return '';
    }
    if (kind === 'string') {
      if (v.special) throw valueError(property, v, `${v.special}() is not a string, and "${name}" is one`);
      return v.text;
    }
    if (v.text === 'null' && !v.special) return null;
    switch (kind) {
      case 'boolean':
        if (v.text === 'true' || v.text === 'false') return v.text === 'true';
        throw valueError(property, v, `"${name}" is a boolean: expected true or false, not "${v.text}"`);
      case 'integer':
      case 'number': {
        const n = NUMBER.test(v.text) ? Number(v.text) : NaN;
        if (!Number.isFinite(n) || (kind === 'integer' && !Number.isSafeInteger(n)))
          throw valueError(
            property,
            v,
            `"${name}" is ${kind === 'integer' ? 'an integer' : 'a number'}: "${v.text}" is not one`,
          );
        return n;
      }
      default: {
        // A date: ISO 8601, or epoch milliseconds.
        if (/^\d{1,16}$/.test(v.text)) return Number(v.text);
        const ms = ISO_DATE.test(v.text) ? Date.parse(v.text) : NaN;
        if (Number.isNaN(ms))
          throw valueError(
            property,
            v,
            `"${name}" is a date: expected ISO 8601 (2024-05-01T12:00:00Z), not "${v.text}"`,
          );
        return ms;
      }
    }
  }

  /** A relation `select()` names: one of a type in play. */
  private relation(property: RqlProperty): string {
    const name = property.path.join('.');
    if (property.path.length === 1 && this.inPlay.some((t) => t.relations.some((r) => r.name === name))) return name;
    throw propertyError(property, `is not a relation of ${this.typesInPlay()}: select() names relations`);
  }

  private typesInPlay(): string {
    if (this.inPlay.length === 0) return 'any type the query asks for (its implementing() matches none served)';
    return this.inPlay.map((t) => t.name).join(', ');
  }

  /** The stored field a property path names, and how its values read; a 400 when no type in play has it. */
  private resolve(property: RqlProperty): ResolvedField {
    const [head, ...rest] = property.path;
    if (head === 'aps') {
      const aps = rest.join('.');
      if (Object.prototype.hasOwnProperty.call(APS_FIELDS, aps))
        return { field: { aps: aps as ApsField }, kind: APS_FIELDS[aps as ApsField] };
      throw propertyError(property, `is not one a query reads: use aps.${Object.keys(APS_FIELDS).join(', aps.')}`);
    }
    const kinds = new Map<Kind, string>();
    const problems: string[] = [];
    for (const type of this.inPlay) {
      const found = this.walk(type, property.path);
      if (found && 'problem' in found) problems.push(found.problem);
      else if (found) kinds.set(found.kind, type.name);
    }
    if (kinds.size === 0) {
      // `type=X` alone is the old shorthand; beside other conditions it reads as a property.
      const hint = property.path.join('.') === 'type' ? ' (for a type, write implementing(<type id>))' : '';
      const why = problems[0] ?? `is not a property of ${this.typesInPlay()}${hint}`;
      throw propertyError(property, why);
    }
    if (kinds.size > 1) {
      const which = [...kinds].map(([k, t]) => `${k} in ${t}`).join(', ');
      throw propertyError(property, `has different types (${which}): narrow the query with implementing()`);
    }
    return { field: { property: property.path }, kind: [...kinds.keys()][0] as Kind };
  }

  /** The kind of a path in a type: undefined when the type has no such path, a reason when it is not a scalar. */
  private walk(type: ApsTypeModel, path: readonly string[]): { kind: Kind } | { problem: string } | undefined {
    let members: readonly PropertyModel[] | undefined = type.properties;
    let current: PropertyModel | undefined;
    for (const [i, segment] of path.entries()) {
      current = members?.find((p) => p.name === segment);
      if (!current) {
        if (i === 0 && type.relations.some((r) => r.name === segment))
          return {
            problem: `is a relation of ${type.name}: query links with linkedWith(id), or list them with select(${segment})`,
          };
        return undefined;
      }
      if (i < path.length - 1 && current.schema.type === 'array')
        return { problem: `reaches into an array in ${type.name} (${segment}): a query compares scalar values` };
      members = current.structure?.properties ?? current.inline;
    }
    const t = current?.schema.type;
    if (t === 'string' || t === 'integer' || t === 'number' || t === 'boolean') return { kind: t };
    if (t === 'array') return { problem: `is an array in ${type.name}: a query compares scalar values` };
    return { problem: `is a structure in ${type.name}: name one of its fields (${path.join('.')}.<field>)` };
  }
}

/**
 * A like() pattern for the store, escaped: the wildcards as they are, and in literal text a
 * backslash before `\\`, `*` and `?`, so that a percent-encoded `*` matches a `*`.
 */
function likePattern(parts: readonly RqlLikePart[]): string {
  return parts.map((p) => (typeof p === 'string' ? p.replace(/[\\*?]/g, '\\$&') : p.wildcard)).join('');
}
