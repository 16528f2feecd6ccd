/**
 * The vocabulary of published APS schemas, as `apskit import` reads it: which attributes each part
 * of a schema may have (anything else is refused, by name), and what kind of value each holds. The
 * key lists follow the order APSKit publishes in (packages/core/src/model/schema-order.ts).
 */
import type { JsonPrimitive } from '@apskit/core';
import { jsonKind } from './read-schemas';

/** The attributes APS gives a value (a property, or an array's items), in the order APSKit publishes them. */
export const VALUE_ATTRIBUTES = {
  required: 'boolean',
  final: 'boolean',
  readonly: 'boolean',
  encrypted: 'boolean',
  default: 'json',
  title: 'string',
  description: 'string',
  format: 'string',
  unit: 'string',
  pattern: 'string',
  enum: 'primitives',
  enumTitles: 'strings',
  minimum: 'number',
  maximum: 'number',
  minLength: 'count',
  maxLength: 'count',
  minItems: 'count',
  maxItems: 'count',
  access: 'access',
} as const;
export type ValueAttribute = keyof typeof VALUE_ATTRIBUTES;
export const VALUE_KEYS = Object.keys(VALUE_ATTRIBUTES) as ValueAttribute[];

export const TYPE_KEYS = [
  'name',
  'id',
  'apsVersion',
  'implements',
  'access',
  'relations',
  'properties',
  'operations',
  'structures',
];
export const PROPERTY_KEYS = ['type', 'items', 'properties', ...VALUE_KEYS];
export const ITEMS_KEYS = ['type', 'items', ...VALUE_KEYS];
export const RELATION_KEYS = ['type', 'collection', 'required', 'access'];
export const OPERATION_KEYS = ['name', 'path', 'verb', 'static', 'parameters', 'response', 'errorResponse', 'access'];
export const PARAMETER_KEYS = ['name', 'type', 'items', 'kind', 'required'];
export const RESPONSE_KEYS = ['type', 'items', 'contentType', 'name'];
export const STRUCTURE_KEYS = ['type', 'properties'];
export const ACCESS_KEYS = ['global', 'admin', 'owner', 'referrer'];
export const PRIMITIVES = ['string', 'number', 'integer', 'boolean', 'object', 'array'];
export const VERBS = ['GET', 'POST', 'PUT', 'DELETE'];
export const KINDS = ['body', 'query', 'path'];

/** What is wrong with an attribute's value, by the kind of value APS gives it. */
export function attributeProblem(kind: (typeof VALUE_ATTRIBUTES)[ValueAttribute], value: unknown): string | undefined {
  const isPrimitive = (v: unknown): v is JsonPrimitive =>
    v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  switch (kind) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be true or false, not ${jsonKind(value)}`;
    case 'string':
      return typeof value === 'string' ? undefined : `must be a string, not ${jsonKind(value)}`;
    case 'number':
      return typeof value === 'number' ? undefined : `must be a number, not ${jsonKind(value)}`;
    case 'count':
      return Number.isInteger(value) && (value as number) >= 0
        ? undefined
        : `must be a whole number of 0 or more, not ${jsonKind(value)}`;
    case 'primitives':
      return Array.isArray(value) && value.every(isPrimitive)
        ? undefined
        : `must be a list of strings, numbers or booleans, not ${jsonKind(value)}`;
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? undefined
        : `must be a list of strings, not ${jsonKind(value)}`;
    default:
      return undefined;
  }
}
