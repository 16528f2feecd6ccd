/**
 * A resource query as SQL, for SQLite (JSON functions on the `properties` TEXT column) and
 * PostgreSQL (jsonb): the WHERE both the page and its total use, and the ORDER BY. Values are
 * always bound parameters. Property names are not values: they are written into the statement,
 * because an index on an expression is used only for a statement that spells the same expression,
 * so each name is quoted twice, as a JSON string in a JSON path (SQLite) and as an SQL string
 * literal (both). What each condition means is ../query; the contract tests check both dialects
 * against the memory evaluator's answers.
 *
 * PostgreSQL keeps `properties` as json (as given: key order, any string), not jsonb, and reads a
 * value through two expressions an index can hold: its number (`N`, NULL unless a JSON number) and
 * its text (`E`, compared and sorted COLLATE "C", by bytes, as SQLite does). A number compares
 * through N; a string or boolean through E where N is NULL. Sorting by (N, E) puts missing and null
 * first, then the other kinds, then numbers: within one JSON type, the order of the semantics.
 *
 * Negation: SQL's NULL makes `NOT (x < 5)` drop rows where x is missing, where the semantics keep
 * them. Every condition compiles to SQL that is TRUE exactly when it matches (FALSE or NULL
 * otherwise), AND and OR keep that, and NOT turns its operand two-valued first (COALESCE … FALSE).
 */
import { createHash } from 'node:crypto';
import type { FieldPath, QueryValue, ResourceCondition, SortKey } from '../query';
import { likeTokens } from '../query/evaluate';
import type { ResourceQuery } from '../store';
import { sqlText } from './vocabulary';

export type QueryDialectName = 'sqlite' | 'postgres';

/** The SQL of a resource query; `values` are the WHERE's parameters, in order. */
export interface CompiledResourceQuery {
  /** `WHERE …`, or empty. */
  readonly where: string;
  /** `ORDER BY …`: the sort keys, then creation order (newest first after a descending last key). */
  readonly orderBy: string;
  readonly values: unknown[];
}

const APS_COLUMNS = {
  id: { column: 'id', kind: 'string' },
  type: { column: 'type', kind: 'string' },
  status: { column: 'status', kind: 'string' },
  revision: { column: 'revision', kind: 'number' },
  modified: { column: 'modified', kind: 'number' },
} as const;

type Kind = 'string' | 'number' | 'boolean';

const kindOf = (value: Exclude<QueryValue, null>): Kind => typeof value as Kind;

/** `$."a"."b"`: a JSON path of SQLite's, each step a JSON string (so `"`, `\`, `.` and `[` are safe). */
export function sqliteJsonPath(path: readonly string[]): string {
  return `$${path.map((segment) => `.${JSON.stringify(segment)}`).join('')}`;
}

/** The expression of the value at a property path in SQLite, as an index spells it too. */
export function sqliteValueExpression(path: readonly string[]): string {
  if (path.length === 0) throw new Error('A property path needs one name at least');
  return `json_extract(properties, ${sqlText(sqliteJsonPath(path))})`;
}

/** The expressions of the value at a property path in PostgreSQL (see above), as an index spells them. */
export function postgresValueExpressions(path: readonly string[]): {
  /** json, or NULL when missing. */
  json: string;
  /** Its JSON type (json_typeof). */
  type: string;
  /** Its number, NULL unless a JSON number. */
  number: string;
  /** Its text (a string unquoted), NULL when missing or null, in the "C" collation. */
  text: string;
} {
  if (path.length === 0) throw new Error('A property path needs one name at least');
  const steps = path.map(sqlText);
  const parent = `properties${steps
    .slice(0, -1)
    .map((step) => ` -> ${step}`)
    .join('')}`;
  const last = steps[steps.length - 1];
  const json = `(${parent} -> ${last})`;
  const rawText = `(${parent} ->> ${last})`;
  const type = `json_typeof(${json})`;
  return {
    json,
    type,
    number: `(CASE WHEN ${type} = 'number' THEN ${rawText}::numeric END)`,
    text: `(${rawText} COLLATE "C")`,
  };
}

/** A name for the index of a path, the same in every process (the path itself may hold anything). */
export function propertyIndexName(path: readonly string[]): string {
  return `resources_by_p_${createHash('sha256').update(JSON.stringify(path)).digest('hex').slice(0, 16)}`;
}

class Compiler {
  readonly values: unknown[] = [];
  private readonly sqlite: boolean;

  constructor(
    dialect: QueryDialectName,
    /** The links table as a statement names it. */
    private readonly links: string,
  ) {
    this.sqlite = dialect === 'sqlite';
  }

  private param(value: unknown): string {
    this.values.push(value);
    return this.sqlite ? '?' : `$${this.values.length}`;
  }

  private get FALSE(): string {
    return this.sqlite ? '0' : 'FALSE';
  }

  private get TRUE(): string {
    return this.sqlite ? '1' : 'TRUE';
  }

  /** SQLite's test of the JSON type of the value at a path: of the kind given. */
  private sqliteTypeIs(path: readonly string[], kind: Kind): string {
    const type = `json_type(properties, ${sqlText(sqliteJsonPath(path))})`;
    if (kind === 'string') return `${type} = 'text'`;
    if (kind === 'number') return `${type} IN ('integer', 'real')`;
    return `${type} IN ('true', 'false')`;
  }

  private comparison(op: '=' | '<' | '<=' | '>' | '>=', field: FieldPath, value: QueryValue): string {
    if ('aps' in field) {
      const { column, kind } = APS_COLUMNS[field.aps];
      // An aps field always has a value, of one kind: null or another kind never compares.
      if (value === null || kindOf(value) !== kind) return this.FALSE;
      const cast = this.sqlite ? '' : kind === 'number' ? '::float8' : '::text';
      return `${column} ${op} ${this.param(value)}${cast}`;
    }
    const kind = value === null ? undefined : kindOf(value);
    if (this.sqlite) {
      const expression = sqliteValueExpression(field.property);
      if (value === null || kind === undefined) return op === '=' ? `${expression} IS NULL` : this.FALSE;
      // json_extract gives true and false as 1 and 0, and a structure as its JSON text: hence the type test.
      const param = this.param(typeof value === 'boolean' ? Number(value) : value);
      return `(${expression} ${op} ${param} AND ${this.sqliteTypeIs(field.property, kind)})`;
    }
    const pg = postgresValueExpressions(field.property);
    if (value === null || kind === undefined) return op === '=' ? `${pg.text} IS NULL` : this.FALSE;
    if (kind === 'number') return `${pg.number} ${op} ${this.param(value)}::numeric`;
    // "N IS NULL" leads to the (type, N, E) index's E; the type test tells a string from a boolean.
    const json = kind === 'string' ? 'string' : 'boolean';
    return `(${pg.number} IS NULL AND ${pg.text} ${op} ${this.param(String(value))} AND ${pg.type} = '${json}')`;
  }

  private like(field: FieldPath, pattern: string, escaped: boolean | undefined): string {
    let text: string;
    let isString: string;
    if ('aps' in field) {
      const { column, kind } = APS_COLUMNS[field.aps];
      if (kind !== 'string') return this.FALSE;
      text = column;
      isString = this.TRUE;
    } else if (this.sqlite) {
      text = sqliteValueExpression(field.property);
      isString = this.sqliteTypeIs(field.property, 'string');
    } else {
      const pg = postgresValueExpressions(field.property);
      text = pg.text;
      isString = `${pg.type} = 'string'`;
    }
    const tokens = likeTokens(pattern, escaped);
    if (this.sqlite) {
      // GLOB is case-sensitive and knows * and ?; a literal [, * or ? is a class of one: [[], [*], [?].
      let glob = '';
      for (const t of tokens)
        glob += 'wildcard' in t ? t.wildcard : /[[*?]/.test(t.literal) ? `[${t.literal}]` : t.literal;
      return `(${text} GLOB ${this.param(glob)} AND ${isString})`;
    }
    // LIKE's own wildcards, and its escape character, made literal with a backslash.
    let like = '';
    for (const t of tokens)
      like += 'wildcard' in t ? (t.wildcard === '*' ? '%' : '_') : t.literal.replace(/[\\%_]/g, '\\$&');
    return `(${text} LIKE ${this.param(like)} AND ${isString})`;
  }

  condition(c: ResourceCondition): string {
    switch (c.op) {
      case 'and':
        return c.of.length === 0 ? this.TRUE : `(${c.of.map((x) => this.condition(x)).join(' AND ')})`;
      case 'or':
        return c.of.length === 0 ? this.FALSE : `(${c.of.map((x) => this.condition(x)).join(' OR ')})`;
      case 'not':
        return `NOT COALESCE(${this.condition(c.of)}, ${this.FALSE})`;
      case 'eq':
        return this.comparison('=', c.field, c.value);
      case 'ne':
        return `NOT COALESCE(${this.comparison('=', c.field, c.value)}, ${this.FALSE})`;
      case 'lt':
        return this.comparison('<', c.field, c.value);
      case 'le':
        return this.comparison('<=', c.field, c.value);
      case 'gt':
        return this.comparison('>', c.field, c.value);
      case 'ge':
        return this.comparison('>=', c.field, c.value);
      case 'like':
        return this.like(c.field, c.pattern, c.escaped);
      case 'in':
      case 'out': {
        const any =
          c.values.length === 0
            ? this.FALSE
            : `(${c.values.map((v) => this.comparison('=', c.field, v)).join(' OR ')})`;
        return c.op === 'in' ? any : `NOT COALESCE(${any}, ${this.FALSE})`;
      }
      case 'typeIn':
        if (c.types.length === 0) return this.FALSE;
        if (c.types.length === 1) return `type = ${this.param(c.types[0])}`;
        if (this.sqlite) return `type IN (${c.types.map((t) => this.param(t)).join(', ')})`;
        return `type = ANY(${this.param(c.types)}::text[])`;
      case 'linkedWith': {
        // Read from the links' side, through their indexes (from_id first; to_id), not probed per resource.
        const from = `SELECT to_id FROM ${this.links} WHERE from_id = ${this.param(c.id)}`;
        return `id IN (${from} UNION ALL SELECT from_id FROM ${this.links} WHERE to_id = ${this.param(c.id)})`;
      }
      case 'linkedFrom':
        return `id IN (SELECT to_id FROM ${this.links} WHERE from_id = ${this.param(c.from)} AND relation = ${this.param(c.relation)})`;
    }
  }

  sortKey(key: SortKey): string {
    const direction = key.descending ? 'DESC NULLS LAST' : 'ASC NULLS FIRST';
    if ('aps' in key.field) {
      // The aps columns are never NULL: no NULLS clause, which on PostgreSQL would keep an index in
      // its own order (ASC NULLS LAST) from serving the sort (a keyset walk by id sorted the table).
      const column = APS_COLUMNS[key.field.aps].column;
      return `${column}${key.descending ? ' DESC' : ''}`;
    }
    // Missing (NULL) first ascending, last descending: SQLite's own order, PostgreSQL told so.
    if (this.sqlite) return `${sqliteValueExpression(key.field.property)}${key.descending ? ' DESC' : ''}`;
    const pg = postgresValueExpressions(key.field.property);
    return `${pg.number} ${direction}, ${pg.text} ${direction}`;
  }
}

/**
 * Compiles a query's filters and order. `links` is the links table as the statement names it
 * (schema-qualified on PostgreSQL); the order ends with creation order (`rowid`, `seq`), descending
 * after a descending last key, so that a descending sort is one backward read of an index.
 */
export function compileResourceQuery(
  dialect: QueryDialectName,
  query: ResourceQuery,
  links: string,
): CompiledResourceQuery {
  const compiler = new Compiler(dialect, links);
  const clauses: string[] = [];
  if (query.type !== undefined) clauses.push(compiler.condition({ op: 'typeIn', types: [query.type] }));
  if (query.where !== undefined) clauses.push(compiler.condition(query.where));
  const where = clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`;
  // Keys after one on the id (unique) can order nothing: left out, so that an index on the id
  // alone serves the order (with creation order after it, PostgreSQL sorted every match per page:
  // 540 ms a page of 100 at 1,000,000 resources, against 0.15 ms by the primary key).
  const byId = (query.sort ?? []).findIndex((k) => 'aps' in k.field && k.field.aps === 'id');
  const sort = byId < 0 ? (query.sort ?? []) : (query.sort ?? []).slice(0, byId + 1);
  const keys = sort.map((k) => compiler.sortKey(k));
  const newestFirst = sort.length > 0 && sort[sort.length - 1].descending;
  if (byId < 0) keys.push(`${dialect === 'sqlite' ? 'rowid' : 'seq'}${newestFirst ? ' DESC' : ''}`);
  return { where, orderBy: `ORDER BY ${keys.join(', ')}`, values: compiler.values };
}

/**
 * Whether a query's filter is nothing but its resources' types: then its total is the sum of the
 * stores' per-type counts (kept by triggers in the writes' own transactions), not a count of every
 * row of the types. `all` when there is no filter; undefined when the filter needs a count.
 */
export function typesOnlyFilter(query: ResourceQuery): readonly string[] | 'all' | undefined {
  let types: readonly string[] | 'all' = query.type === undefined ? 'all' : [query.type];
  const narrow = (c: ResourceCondition): boolean => {
    if (c.op === 'and') return c.of.every(narrow);
    if (c.op !== 'typeIn') return false;
    types = types === 'all' ? [...new Set(c.types)] : types.filter((t) => c.types.includes(t));
    return true;
  };
  return query.where === undefined || narrow(query.where) ? types : undefined;
}
