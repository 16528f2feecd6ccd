/**
 * The client's view of the type model: the type id and operations of a class (from its own
 * declarations, as the server builds them), and the check that the server serves the same types.
 */
import { buildTypeModel, toApsSchema, type ApsSchema, type ApsTypeModel, type Class } from '@apskit/core';
import { TypeMismatchError } from './errors';

const models = new WeakMap<Class, ApsTypeModel>();

/** The model of one @ApsType class, built once per class. Throws the core's DeclarationError for a bad declaration. */
export function typeModelOf(cls: Class): ApsTypeModel {
  let model = models.get(cls);
  if (!model) {
    model = buildTypeModel([cls]).get(cls);
    models.set(cls, model);
  }
  return model;
}

const SECTIONS = ['implements', 'relations', 'properties', 'operations', 'structures'] as const;

/**
 * Compares the schemas the classes declare with those the server serves, member by member.
 * @throws TypeMismatchError with one line per difference.
 */
export function compareTypes(classes: readonly Class[], served: readonly ApsSchema[]): void {
  const byId = new Map(served.map((s) => [s.id, s]));
  const differences: string[] = [];
  for (const cls of classes) {
    const local = toApsSchema(typeModelOf(cls));
    const remote = byId.get(local.id);
    if (!remote) {
      differences.push(`${local.id}: not served (the server serves ${[...byId.keys()].join(', ') || 'no types'})`);
      continue;
    }
    for (const section of SECTIONS)
      differences.push(...diffSection(local.id, section, local[section], remote[section]));
  }
  if (differences.length > 0)
    throw new TypeMismatchError(
      `The server's types differ from the declared ones:\n  ${differences.join('\n  ')}`,
      differences,
    );
}

function diffSection(typeId: string, section: string, local: unknown, remote: unknown): string[] {
  if (Array.isArray(local) || Array.isArray(remote) || !isRecord(local ?? {}) || !isRecord(remote ?? {})) {
    return same(local, remote) ? [] : [`${typeId}: ${section} ${show(local)} here, ${show(remote)} on the server`];
  }
  const here = (local ?? {}) as Record<string, unknown>;
  const there = (remote ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  for (const key of new Set([...Object.keys(here), ...Object.keys(there)])) {
    const where = `${typeId}: ${section}.${key}`;
    if (!(key in there)) out.push(`${where} is declared here, not on the server`);
    else if (!(key in here)) out.push(`${where} is on the server, not declared here`);
    else if (!same(here[key], there[key]))
      out.push(`${where}: ${show(here[key])} here, ${show(there[key])} on the server`);
  }
  return out;
}

function isRecord(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Equal as JSON, whatever the key order. */
function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}
