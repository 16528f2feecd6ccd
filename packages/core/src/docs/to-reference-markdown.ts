/**
 * The reference page of a type, in the layout of the published APS reference pages (see
 * ../shared/seeds/pa-subscription-type.txt): title and `doc`, Schema, Properties, Relationship,
 * Custom Operations (a table, then a section per operation), Structures. Sections with nothing to
 * say are left out. Members are listed by name, as the published pages list them, so the page does
 * not change when declarations are reordered.
 */
import { buildTypeModel } from '../model/build-model';
import type {
  ApsTypeModel,
  OperationModel,
  ParamModel,
  PropertyModel,
  RelationModel,
  StructureModel,
  TypeModel,
} from '../model/model';
import type { Class } from '../metadata/records';
import { toApsSchema } from '../schema/to-aps-schema';
import { typeDisplayName, typeIdDisplayName, type KnownTypeNames } from './display-names';
import { code, fencedBlock, heading, table } from './markdown';

export interface ReferenceMarkdownOptions {
  /**
   * The model the type belongs to: its types' IDs are then shown by their APS names wherever the
   * page names them (relations, implemented types, properties holding a resource).
   */
  model?: TypeModel;
}

const PROPERTY_HEADER = ['NAME', 'TYPE', 'ATTRIBUTES', 'DEFAULT', 'DESCRIPTION'];
const RELATION_HEADER = ['NAME', 'TYPE', 'REQUIRED', 'DESCRIPTION'];
const OPERATION_HEADER = ['OPERATION', 'VERB', 'PATH', 'RETURNS', 'Description'];
const PARAMETER_HEADER = ['NAME', 'TYPE', 'KIND', 'REQUIRED', 'DESCRIPTION'];

/**
 * The Markdown reference page of a type (from a model, or the class itself), ending with a newline.
 * Like the schema, it shows the type's own members: those inherited through `implements` are on the
 * pages of the types it extends.
 */
export function toReferenceMarkdown(type: ApsTypeModel | Class, options: ReferenceMarkdownOptions = {}): string {
  const model = typeof type === 'function' ? buildTypeModel([type]).get(type) : type;
  const known = knownNames(model, options.model);
  const own = <T extends { inheritedFrom?: string }>(list: readonly T[]): T[] => list.filter((m) => !m.inheritedFrom);

  const blocks: string[] = [heading(1, model.name)];
  if (model.doc) blocks.push(model.doc.trim());
  blocks.push(...schemaSection(model, known));

  const properties = own(model.properties);
  if (properties.length > 0) blocks.push(heading(2, 'Properties'), propertiesTable(properties, known));

  const relations = sortByName(own(model.relations));
  if (relations.length > 0) {
    blocks.push(
      heading(2, 'Relationship'),
      table(
        RELATION_HEADER,
        relations.map((r) => relationRow(r, known)),
      ),
    );
  }

  const operations = sortByName(own(model.operations));
  if (operations.length > 0) {
    blocks.push(
      heading(2, 'Custom Operations'),
      table(
        OPERATION_HEADER,
        operations.map((o) => operationRow(o, known)),
      ),
    );
    for (const op of operations) blocks.push(...operationSection(op, known));
  }

  if (model.structures.length > 0) {
    blocks.push(heading(2, 'Structures'));
    for (const s of sortByName(model.structures)) blocks.push(...structureSection(s, known));
  }
  return `${blocks.join('\n\n')}\n`;
}

function knownNames(type: ApsTypeModel, model: TypeModel | undefined): KnownTypeNames {
  const names = new Map<string, string>();
  for (const r of type.relations) if (r.targetName !== undefined) names.set(r.type, r.targetName);
  for (const t of model?.types ?? []) names.set(t.id, t.name);
  names.set(type.id, type.name);
  // Types of one APS name (two apps' `tenant`) are shown by ID: the name would not say which.
  const ids = new Map<string, Set<string>>();
  for (const [id, name] of names) ids.set(name, (ids.get(name) ?? new Set()).add(id));
  for (const [id, name] of names) if ((ids.get(name)?.size ?? 0) > 1) names.set(id, id);
  return names;
}

function schemaSection(type: ApsTypeModel, known: KnownTypeNames): string[] {
  const bases = type.implements.map((id) => typeIdDisplayName(id, known));
  const intro =
    bases.length > 0
      ? `The considered APS type extends the ${bases.join(', ')} APS type(s) and looks as follows:`
      : 'The considered APS type looks as follows:';
  return [heading(2, 'Schema'), intro, fencedBlock('json', JSON.stringify(toApsSchema(type), null, 2))];
}

// ---- properties ------------------------------------------------------------------------------

function propertiesTable(properties: readonly PropertyModel[], known: KnownTypeNames): string {
  return table(PROPERTY_HEADER, propertyRows(properties, '', known));
}

/** Rows by name; an object's inline properties follow it as `parent.child`. */
function propertyRows(properties: readonly PropertyModel[], prefix: string, known: KnownTypeNames): string[][] {
  return sortByName(properties).flatMap((p) => [
    propertyRow(p, `${prefix}${p.name}`, known),
    ...propertyRows(p.inline ?? [], `${prefix}${p.name}.`, known),
  ]);
}

function propertyRow(p: PropertyModel, name: string, known: KnownTypeNames): string[] {
  const s = p.schema;
  return [
    name,
    typeDisplayName(s.type, s.items, known),
    propertyAttributes(p),
    s.default === undefined ? '' : code(JSON.stringify(s.default)),
    p.doc ?? s.description ?? '',
  ];
}

/** `Required`, `Required Final`, `Not Required Read-only`, … as published pages write them. */
export function propertyAttributes(p: Pick<PropertyModel, 'schema'>): string {
  const s = p.schema;
  const attributes = [s.required ? 'Required' : 'Not Required'];
  if (s.final) attributes.push('Final');
  if (s.readonly) attributes.push('Read-only');
  if (s.encrypted) attributes.push('Encrypted');
  return attributes.join(' ');
}

// ---- relations -------------------------------------------------------------------------------

function relationRow(r: RelationModel, known: KnownTypeNames): string[] {
  const target = typeIdDisplayName(r.type, known);
  return [r.name, r.collection ? `Collection of ${target}` : target, r.required ? 'Yes' : 'No', r.doc ?? ''];
}

// ---- operations ------------------------------------------------------------------------------

function operationRow(op: OperationModel, known: KnownTypeNames): string[] {
  return [op.name, op.verb, op.path, operationReturns(op, known), op.doc ?? ''];
}

/** The `returns` text, else the response's type. */
function operationReturns(op: OperationModel, known: KnownTypeNames): string {
  if (op.returns !== undefined) return op.returns;
  return op.response ? typeDisplayName(op.response.type, op.response.items ?? undefined, known) : '';
}

/**
 * The request that calls an operation. An instance operation is called on a resource through the
 * controller, as published pages show it. A static one has no resource to call it on: it is shown
 * as the endpoint serves it, below its service (docs/endpoint.md), the only address APSKit knows.
 */
export function operationHttpRequest(op: Pick<OperationModel, 'verb' | 'path' | 'static'>): string {
  return op.static ? `${op.verb} /{service}${op.path}` : `${op.verb} /aps/2/resources/{aps-id}${op.path}`;
}

function operationSection(op: OperationModel, known: KnownTypeNames): string[] {
  const blocks = [heading(3, op.name), heading(4, 'HTTP Request'), code(operationHttpRequest(op))];
  if (op.static) blocks.push('A static operation: it is called on the service, without a resource.');
  if (op.doc) blocks.push(heading(4, 'Description'), op.doc.trim());
  if (op.parameters.length > 0) {
    blocks.push(
      heading(4, 'Parameters'),
      table(
        PARAMETER_HEADER,
        op.parameters.map((p) => parameterRow(p, known)),
      ),
    );
  }
  const returns = operationReturns(op, known);
  if (returns !== '') blocks.push(heading(4, 'Returns'), returns.trim());
  return blocks;
}

function parameterRow(p: ParamModel, known: KnownTypeNames): string[] {
  return [p.name, typeDisplayName(p.type, p.items, known), p.kind, p.required ? 'Yes' : 'No', p.doc ?? ''];
}

// ---- structures ------------------------------------------------------------------------------

function structureSection(s: StructureModel, known: KnownTypeNames): string[] {
  const blocks = [heading(3, s.name)];
  if (s.doc) blocks.push(s.doc.trim());
  if (s.properties.length > 0) blocks.push(propertiesTable(s.properties, known));
  return blocks;
}

/** By name, case aside first, so that `apsDefaults` comes before `domainApsId` and `Zone` after `id`. */
function sortByName<T extends { name: string }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => {
    const x = a.name.toLowerCase();
    const y = b.name.toLowerCase();
    if (x !== y) return x < y ? -1 : 1;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}
