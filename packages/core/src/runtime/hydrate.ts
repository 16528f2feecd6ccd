/**
 * Builds class instances from request bodies. The model knows every structure, so the converter is
 * compiled once per type and costs a property copy per field. A class that uses class-transformer
 * decorators (@Type, @Transform, @Expose, @Exclude) is built by class-transformer instead, so that
 * those decorators keep their meaning.
 */
import { plainToInstance } from 'class-transformer';
import type { Class } from '../metadata/records';
import type { PropertyModel } from '../model/model';
import { classTransformerOnClass, classTransformerOnProperty } from './class-transformer-metadata';

export type Hydrate = (plain: unknown) => object;

/** Keys that would reach a prototype if copied by assignment. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function compileHydrator(target: Class, properties: readonly PropertyModel[]): Hydrate {
  if (usesClassTransformer(target, properties, new Set())) {
    return (plain) => plainToInstance(target as new () => object, stripUnsafe(plain) as object);
  }
  return compileCopy(target, properties, new Map());
}

function compileCopy(target: Class, properties: readonly PropertyModel[], cache: Map<Class, Hydrate>): Hydrate {
  const cached = cache.get(target);
  if (cached) return cached;
  const nested = new Map<string, (v: unknown) => unknown>();
  // Registered before the nested converters are made, so that a structure may contain itself.
  const hydrate: Hydrate = (plain) => {
    const instance = new (target as new () => Record<string, unknown>)();
    if (plain === null || typeof plain !== 'object') return instance;
    const source = plain as Record<string, unknown>;
    for (const key in source) {
      if (UNSAFE_KEYS.has(key)) continue;
      const value = source[key];
      const convert = nested.get(key);
      instance[key] = convert !== undefined && value !== null && typeof value === 'object' ? convert(value) : value;
    }
    return instance;
  };
  cache.set(target, hydrate);
  for (const p of properties) {
    if (!p.structure) continue;
    const inner = compileCopy(p.structure.target, p.structure.properties, cache);
    nested.set(p.name, arrayDepth(p) > 0 ? mapArrays(inner, arrayDepth(p)) : inner);
  }
  return hydrate;
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

function mapArrays(inner: Hydrate, depth: number): (v: unknown) => unknown {
  const map = (v: unknown, level: number): unknown =>
    Array.isArray(v)
      ? v.map((x) => (x !== null && typeof x === 'object' ? (level === 1 ? inner(x) : map(x, level - 1)) : x))
      : v;
  return (v) => map(v, depth);
}

function usesClassTransformer(target: Class, properties: readonly PropertyModel[], seen: Set<Class>): boolean {
  if (seen.has(target)) return false;
  seen.add(target);
  if (classTransformerOnClass(target)) return true;
  for (const p of properties) {
    if (classTransformerOnProperty(target, p.name)) return true;
    if (p.structure && usesClassTransformer(p.structure.target, p.structure.properties, seen)) return true;
  }
  return false;
}

/** A deep copy without the keys of UNSAFE_KEYS. */
export function stripUnsafe(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripUnsafe);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (!UNSAFE_KEYS.has(key)) out[key] = stripUnsafe((value as Record<string, unknown>)[key]);
  }
  return out;
}
