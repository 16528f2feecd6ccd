/**
 * The registry: reads the decorator metadata of the classes an app registers, once, and builds the
 * immutable type model. Every declaration mistake is collected and thrown together as one
 * DeclarationError, each located by class and member.
 */
import type {
  ExtraAttributes,
  ItemsOptions,
  ItemsRef,
  JsonValue,
  ResponseOptions,
  TypeRef,
} from '../decorators/options';
import { DeclarationError, type DeclarationProblem } from '../errors/declaration-error';
import { Events, isEventType } from '../events/events';
import type {
  Class,
  EventHandlerRecord,
  MistakeRecord,
  OperationRecord,
  ParamRecord,
  PropertyRecord,
  RelationRecord,
} from '../metadata/records';
import { getMetadataStorage } from '../metadata/storage';
import { lineage, mergeByName } from './lineage';
import {
  LIFECYCLE_METHODS,
  type ApsTypeModel,
  type DeclaredSubscription,
  type ItemsSchema,
  type LifecycleMethod,
  type OperationModel,
  type ParamModel,
  type PropertyModel,
  type PropertySchema,
  type RelationModel,
  type ResponseSchema,
  type StructureModel,
  type TypeModel,
  type ValidatorRule,
} from './model';
import {
  HTTP_VERBS,
  memberNameProblem,
  operationPathProblem,
  structureNameProblem,
  typeIdProblem,
  typeNameProblem,
} from './names';
import {
  inKeyOrder,
  OPERATION_KEYS,
  ordered,
  PARAMETER_KEYS,
  PROPERTY_KEYS,
  RELATION_KEYS,
  RESPONSE_KEYS,
  STRUCTURE_KEYS,
  TYPE_KEYS,
} from './schema-order';
import { apsTypeName, inferFromDesignType, resolveTypeRef, type TypeResolution } from './type-refs';
import { CoreStructures } from '../usage/counters';
import { patternProblem } from '../validation/linear-pattern';
import { attributesFromRules, readValidatorRules } from './validator-rules';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type MStructure = Mutable<StructureModel> & { properties: MProperty[] };
type MProperty = Mutable<PropertyModel> & { structure?: MStructure; inline?: MProperty[] };
type MType = Mutable<ApsTypeModel> & {
  properties: PropertyModel[];
  relations: RelationModel[];
  operations: OperationModel[];
  subscriptions: DeclaredSubscription[];
};

/** Where a mistake is, for the message. */
interface Place {
  readonly className: string;
  readonly member?: string;
}

/**
 * Builds the type model of the given @ApsType classes. Only these types are in the model (relations
 * may still name other declared types, as APS types relate to types of other apps).
 *
 * @throws DeclarationError listing every mistake found.
 */
export function buildTypeModel(classes: Iterable<Class>): TypeModel {
  return new ModelBuilder().build([...new Set(classes)]);
}

class ModelBuilder {
  private readonly storage = getMetadataStorage();
  private readonly problems: DeclarationProblem[] = [];
  private readonly reportedMistakes = new Set<MistakeRecord>();
  private readonly structures = new Map<Class, MStructure>();
  /** Checks that need every structure known first: string structure names, per-type collection. */
  private readonly deferred: Array<() => void> = [];
  /** String structure names, looked up (in declaration order) before the deferred collection runs. */
  private readonly nameLookups: Array<() => void> = [];

  build(classes: Class[]): TypeModel {
    const types: MType[] = [];
    for (const cls of classes) {
      const type = this.buildType(cls);
      if (type) types.push(type);
    }
    // APS identifies a type by its ID; two apps' types may share a name (`tenant`), as a platform's
    // type list shows: the model takes them, and a lookup by such a name says it is ambiguous.
    this.checkUniqueIds(types);
    this.checkSubscriptionRelations(types);
    for (const run of [...this.nameLookups, ...this.deferred]) run();
    if (this.problems.length > 0) throw new DeclarationError(this.problems);
    resolveInverses(types);
    const frozen = types.map((t) => deepFreeze(t) as ApsTypeModel);
    return new FrozenTypeModel(frozen);
  }

  private problem(place: Place, message: string): void {
    this.problems.push({ className: place.className, member: place.member, message });
  }

  /** Decorators put where they cannot work, recorded by the decorators instead of thrown at import. */
  private reportMisplaced(chain: readonly Class[]): void {
    for (const cls of chain) {
      for (const mistake of this.storage.ownMistakes(cls)) {
        // Once per model, though a base class may reach it through several types.
        if (this.reportedMistakes.has(mistake)) continue;
        this.reportedMistakes.add(mistake);
        this.problem({ className: cls.name, member: mistake.member }, mistake.message);
      }
    }
  }

  private checkUniqueIds(types: ApsTypeModel[]): void {
    const seen = new Map<string, ApsTypeModel>();
    for (const t of types) {
      const other = seen.get(t.id);
      if (other)
        this.problem({ className: t.target.name }, `type id "${t.id}" is already used by ${other.target.name}`);
      else seen.set(t.id, t);
    }
  }

  // ---- types ---------------------------------------------------------------------------------

  private buildType(cls: Class): MType | undefined {
    // `cls` may be undefined (a circular import read too early): report it rather than crash on `.name`.
    const place: Place = { className: (typeof cls === 'function' && cls.name) || 'an anonymous class' };
    if (typeof cls !== 'function') {
      this.problem(place, `${String(cls)} is not a class`);
      return undefined;
    }
    const record = this.storage.typeOf(cls);
    if (!record) {
      this.problem(place, 'is not declared with @ApsType()');
      return undefined;
    }
    const { options } = record;
    const name = options.name ?? cls.name;
    const nameProblem = typeNameProblem(name);
    if (nameProblem) this.problem(place, nameProblem);
    const idProblem = typeIdProblem(options.id);
    if (idProblem) this.problem(place, idProblem);

    const chain = lineage(cls);
    this.reportMisplaced(chain);
    // Members declared at or above the nearest @ApsType base class come to this type through APS
    // `implements`: the schema leaves them out, the runtime keeps them.
    const apsBaseDepth = findLastIndex(chain.slice(0, -1), (c) => this.storage.typeOf(c) !== undefined);
    const apsBase = apsBaseDepth >= 0 ? this.storage.typeOf(chain[apsBaseDepth])?.options.id : undefined;
    const inheritedFrom = (depth: number): string | undefined => (depth <= apsBaseDepth ? apsBase : undefined);

    const type: MType = {
      name,
      id: options.id,
      apsVersion: options.apsVersion ?? '2.0',
      implements: this.implementsOf(place, options.implements ?? [], apsBase),
      access: options.access,
      relations: [],
      properties: [],
      operations: [],
      subscriptions: [],
      structures: [],
      lifecycle: lifecycleOf(cls),
      extraAttributes: this.extraAttributes(place, options.extraAttributes, TYPE_KEYS),
      keyOrder: this.keyOrder(place, options.keyOrder, [...TYPE_KEYS, ...Object.keys(options.extraAttributes ?? {})]),
      target: cls,
      doc: options.doc,
    };

    const rules = readValidatorRules(cls);
    for (const { record: p, depth } of mergeByName(
      chain,
      (c) => this.storage.ownProperties(c),
      (r) => r.name,
    ).values()) {
      const property = this.buildProperty({ className: place.className, member: p.name }, p, rules.get(p.name) ?? []);
      if (property) type.properties.push(withInheritance(property, inheritedFrom(depth)));
    }
    for (const { record: r, depth } of mergeByName(
      chain,
      (c) => this.storage.ownRelations(c),
      (x) => x.name,
    ).values()) {
      const relation = this.buildRelation(place, cls, r);
      if (relation) type.relations.push({ ...relation, inheritedFrom: inheritedFrom(depth) });
    }
    this.checkMemberClashes(place, type);
    this.buildOperations(place, chain, type, inheritedFrom);
    if (options.operationOrder !== undefined) this.orderOperations(place, type, options.operationOrder);
    this.buildSubscriptions(place, chain, type);

    const explicit = (options.structures ?? []).map((ref) =>
      this.structureRef({ ...place, member: 'structures' }, ref),
    );
    this.deferred.push(() => {
      type.structures = this.collectStructures(place, explicit, type);
    });
    return type;
  }

  /**
   * The `operationOrder` option: the operations it names first, in its order, then the others. A
   * name that is no operation of the type, or one named twice, is a mistake.
   */
  private orderOperations(place: Place, type: MType, order: readonly string[]): void {
    const at: Place = { ...place, member: 'operationOrder' };
    const byName = new Map(type.operations.map((o) => [o.name, o]));
    const first: OperationModel[] = [];
    for (const name of order) {
      const op = byName.get(name);
      if (!op) {
        this.problem(
          at,
          `"${name}" is no operation of ${type.name}: it has ${[...byName.keys()].join(', ') || 'none'}`,
        );
      } else if (first.includes(op)) this.problem(at, `"${name}" is named twice`);
      else first.push(op);
    }
    type.operations = [...first, ...type.operations.filter((o) => !first.includes(o))];
  }

  /**
   * A copy of `extraAttributes`, checked: an attribute APSKit has an option for is said with the
   * option, so that one attribute has one way to be declared.
   */
  private extraAttributes(
    place: Place,
    extra: ExtraAttributes | undefined,
    known: readonly string[],
  ): Record<string, JsonValue> | undefined {
    if (extra === undefined) return undefined;
    const out: Record<string, JsonValue> = {};
    for (const [key, value] of Object.entries(extra)) {
      if (known.includes(key)) {
        this.problem(
          { ...place, member: place.member ? `${place.member} extraAttributes` : 'extraAttributes' },
          `"${key}" has an option of its own: write \`${key}: …\` instead`,
        );
      } else out[key] = structuredClone(value);
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }

  /**
   * The `keyOrder` option, checked: each key one the object can publish (`possible`), and named
   * once. Applied by the emitter, which builds the object.
   */
  private keyOrder(
    place: Place,
    keyOrder: readonly string[] | undefined,
    possible: readonly string[],
  ): string[] | undefined {
    if (keyOrder === undefined) return undefined;
    const at: Place = { ...place, member: place.member ? `${place.member} keyOrder` : 'keyOrder' };
    const seen = new Set<string>();
    for (const key of keyOrder) {
      if (seen.has(key)) this.problem(at, `"${key}" is named twice`);
      else if (!possible.includes(key))
        this.problem(at, `"${key}" is no key this object publishes: it has ${possible.join(', ')}`);
      seen.add(key);
    }
    return [...keyOrder];
  }

  /** `schema` in the declaration's `keyOrder`, each listed key one the schema holds. */
  private keyOrdered<T extends object>(place: Place, keyOrder: readonly string[] | undefined, schema: T): T {
    return inKeyOrder(schema, this.keyOrder(place, keyOrder, Object.keys(schema)));
  }

  private implementsOf(place: Place, refs: ReadonlyArray<unknown>, apsBase: string | undefined): string[] {
    const ids: string[] = [];
    for (const ref of refs) {
      const r = resolveTypeRef(ref);
      if (r.kind === 'typeId') ids.push(r.type);
      else if (r.kind === 'problem') this.problem({ ...place, member: 'implements' }, r.message);
      else this.problem({ ...place, member: 'implements' }, `"${r.type}" is not a type ID or an @ApsType class`);
    }
    if (apsBase && !ids.includes(apsBase)) ids.push(apsBase);
    return [...new Set(ids)];
  }

  private checkMemberClashes(place: Place, type: MType): void {
    const properties = new Set(type.properties.map((p) => p.name));
    for (const r of type.relations) {
      if (properties.has(r.name))
        this.problem({ ...place, member: r.name }, 'is declared both as a property and as a relation');
      if (r.limit !== undefined) this.checkRelationLimit({ ...place, member: r.name }, type, r);
    }
  }

  /** A relation's `limit` names a Counter or Limit property of the same type, and caps a collection. */
  private checkRelationLimit(place: Place, type: MType, relation: RelationModel): void {
    if (!relation.collection) this.problem(place, `limit: only a collection relation can be limited`);
    const property = type.properties.find((p) => p.name === relation.limit);
    const limitTypes: readonly string[] = [CoreStructures.counter, CoreStructures.limit];
    if (!property || !limitTypes.includes(property.schema.type))
      this.problem(place, `limit: "${relation.limit}" is not a Counter or Limit property of ${type.name}`);
  }

  // ---- properties and structures -------------------------------------------------------------

  private buildProperty(
    place: Place,
    record: Pick<PropertyRecord, 'name' | 'options' | 'designType'>,
    rules: readonly ValidatorRule[],
  ): MProperty | undefined {
    const { options } = record;
    const nameProblem = memberNameProblem(record.name);
    if (nameProblem) this.problem(place, nameProblem);

    const resolved: TypeResolution =
      options.type !== undefined
        ? resolveTypeRef(options.type)
        : options.properties !== undefined
          ? { kind: 'primitive', type: 'object' }
          : inferFromDesignType(record.designType);
    if (resolved.kind === 'problem') {
      this.problem(place, resolved.message);
      return undefined;
    }

    const property: MProperty = { name: record.name, schema: { type: resolved.type }, rules, doc: options.doc };
    this.linkStructure(place, resolved, (s) => (property.structure = s));

    let items: ItemsSchema | undefined;
    if (resolved.type === 'array') {
      if (options.items === undefined)
        this.problem(place, 'an array needs `items` (e.g. `items: String` or `items: MyStructure`)');
      else items = this.buildItems(place, options.items, (s) => (property.structure = s));
    } else if (options.items !== undefined) {
      this.problem(place, `\`items\` is only for arrays, but the type is "${resolved.type}"`);
    }

    let inlineSchemas: Record<string, PropertySchema> | undefined;
    if (options.properties !== undefined) {
      if (resolved.type !== 'object') {
        this.problem(place, `inline \`properties\` need type "object", but the type is "${resolved.type}"`);
      } else {
        property.inline = [];
        inlineSchemas = {};
        for (const [name, inner] of Object.entries(options.properties)) {
          const sub = this.buildProperty(
            { ...place, member: `${place.member}.${name}` },
            { name, options: inner, designType: undefined },
            [],
          );
          if (sub) {
            property.inline.push(sub);
            inlineSchemas[name] = sub.schema;
          }
        }
      }
    }

    const declared: Partial<Mutable<PropertySchema>> = {
      type: resolved.type,
      items,
      properties: inlineSchemas,
      ...declaredAttributes(options),
      format: options.format ?? (resolved.kind === 'primitive' ? resolved.format : undefined),
    };
    // An explicit `type` is the declaration's word; only an inferred one may be refined by @IsInt.
    const { type: refinedType, ...fromRules } = attributesFromRules(declared, rules);
    if (options.type === undefined && refinedType !== undefined) declared.type = refinedType;
    property.schema = this.keyOrdered(place, options.keyOrder, {
      ...ordered(PROPERTY_KEYS, { ...declared, ...fromRules }),
      ...this.extraAttributes(place, options.extraAttributes, PROPERTY_KEYS),
    }) as unknown as PropertySchema;
    this.checkValues(place, property.schema, options);
    this.checkMatchesRules(place, rules, property.schema.pattern);
    return property;
  }

  private checkValues(place: Place, schema: ItemsSchema, options: ValueAttributes): void {
    // `uncheckedValues`: published schemas say `"type": "string", "default": 0`, and the platform took it.
    const checked = options.uncheckedValues !== true;
    if (checked && options.default !== undefined && !matchesApsType(schema.type, options.default)) {
      this.problem(place, `default ${JSON.stringify(options.default)} is not of type "${schema.type}"`);
    }
    if (checked && schema.enum) {
      for (const value of schema.enum) {
        if (!matchesApsType(schema.type, value))
          this.problem(place, `enum value ${JSON.stringify(value)} is not of type "${schema.type}"`);
      }
    }
    if (schema.enumTitles && (!schema.enum || schema.enumTitles.length !== schema.enum.length)) {
      this.problem(place, '`enumTitles` needs an `enum` of the same length');
    }
    // Refused here, not at request time: requests match patterns on the linear-time engine (issue 15 #9).
    const problem = schema.pattern === undefined ? undefined : patternProblem(schema.pattern);
    if (problem) this.problem(place, patternRefusal(schema.pattern, problem));
  }

  /** `@Matches` rules the schema does not carry (flags, `each`) run on the linear-time engine too. */
  private checkMatchesRules(place: Place, rules: readonly ValidatorRule[], checked: string | undefined): void {
    for (const rule of rules) {
      if (rule.name !== 'matches') continue;
      const [c0, c1] = rule.constraints;
      const source = c0 instanceof RegExp ? c0.source : typeof c0 === 'string' ? c0 : undefined;
      const flags = c0 instanceof RegExp ? c0.flags : typeof c1 === 'string' ? c1 : '';
      if (source === undefined || (source === checked && flags === '')) continue;
      const problem = patternProblem(source, flags);
      if (problem) this.problem(place, `@Matches ${patternRefusal(source, problem)}`);
    }
  }

  private buildItems(place: Place, ref: ItemsRef, onStructure: (s: MStructure) => void): ItemsSchema | undefined {
    const options: ItemsOptions =
      typeof ref === 'object' && ref !== null && 'type' in ref ? ref : { type: ref as TypeRef };
    const resolved = resolveTypeRef(options.type);
    if (resolved.kind === 'problem') {
      this.problem(place, `items: ${resolved.message}`);
      return undefined;
    }
    this.linkStructure(place, resolved, onStructure);
    let items: ItemsSchema | undefined;
    if (resolved.type === 'array') {
      if (options.items === undefined) {
        this.problem(place, 'items of type "array" need their own `items`');
        return undefined;
      }
      items = this.buildItems(place, options.items, onStructure);
    } else if (options.items !== undefined) {
      this.problem(place, `items: \`items\` is only for arrays, but the type is "${resolved.type}"`);
    }
    // Attributes of the items are published inside `items`, as given: the object form says them.
    const at: Place = { ...place, member: `${place.member} items` };
    const schema = this.keyOrdered(at, options.keyOrder, {
      ...ordered(PROPERTY_KEYS, { type: resolved.type, items, ...declaredAttributes(options) }),
      ...this.extraAttributes(at, options.extraAttributes, PROPERTY_KEYS),
    }) as unknown as ItemsSchema;
    this.checkValues({ ...place, member: `${place.member} items` }, schema, options);
    return schema;
  }

  /** Points a member at the structure its type names: now for classes, once all are known for names. */
  private linkStructure(place: Place, resolved: TypeResolution, assign: (s: MStructure) => void): void {
    if (resolved.kind === 'structure') assign(this.structureOf(resolved.target));
    else if (resolved.kind === 'structureName') {
      this.nameLookups.push(() => {
        const found = [...this.structures.values()].filter((s) => s.name === resolved.type);
        if (found.length === 1) assign(found[0]);
        else if (found.length === 0) {
          this.problem(
            place,
            `structure "${resolved.type}" is used but not declared in this model: declare a class with @Structure() and name the class itself in a member or in the type's \`structures\` option`,
          );
        } else
          this.problem(
            place,
            `structure name "${resolved.type}" is ambiguous: ${found.map((s) => s.target.name).join(', ')}`,
          );
      });
    }
  }

  private structureRef(place: Place, ref: unknown): MStructure | undefined {
    const resolved = resolveTypeRef(ref);
    if (resolved.kind === 'structure') return this.structureOf(resolved.target);
    this.problem(
      place,
      resolved.kind === 'problem' ? resolved.message : `"${resolved.type}" is not a @Structure class`,
    );
    return undefined;
  }

  private structureOf(target: Class): MStructure {
    const cached = this.structures.get(target);
    if (cached) return cached;
    const options = this.storage.structureOf(target)?.options ?? {};
    const structure: MStructure = { name: options.name ?? target.name, target, properties: [], doc: options.doc };
    // Cached before its properties are built, so that a structure may contain itself.
    this.structures.set(target, structure);
    const place: Place = { className: target.name };
    structure.extraAttributes = this.extraAttributes(place, options.extraAttributes, STRUCTURE_KEYS);
    structure.keyOrder = this.keyOrder(place, options.keyOrder, [
      ...STRUCTURE_KEYS,
      ...Object.keys(structure.extraAttributes ?? {}),
    ]);
    const nameProblem = structureNameProblem(structure.name);
    if (nameProblem) this.problem(place, nameProblem);
    const rules = readValidatorRules(target);
    const chain = lineage(target);
    this.reportMisplaced(chain);
    for (const { record } of mergeByName(
      chain,
      (c) => this.storage.ownProperties(c),
      (r) => r.name,
    ).values()) {
      const property = this.buildProperty(
        { className: target.name, member: record.name },
        record,
        rules.get(record.name) ?? [],
      );
      if (property) structure.properties.push(property);
    }
    for (const cls of chain) {
      for (const r of this.storage.ownRelations(cls))
        this.problem({ ...place, member: r.name }, 'a structure cannot have relations');
      for (const o of this.storage.ownOperations(cls))
        this.problem({ ...place, member: o.method }, 'a structure cannot have operations');
    }
    return structure;
  }

  /** The structures a type's schema publishes: listed ones first, then in the order members reach them. */
  private collectStructures(place: Place, explicit: Array<MStructure | undefined>, type: MType): MStructure[] {
    const out: MStructure[] = [];
    const byName = new Map<string, MStructure>();
    const visit = (s: MStructure | undefined): void => {
      if (!s || out.includes(s)) return;
      const other = byName.get(s.name);
      if (other) {
        this.problem(place, `two structures are named "${s.name}": ${other.target.name} and ${s.target.name}`);
        return;
      }
      byName.set(s.name, s);
      out.push(s);
      s.properties.forEach(visitProperty);
    };
    const visitProperty = (p: MProperty): void => {
      visit(p.structure);
      p.inline?.forEach(visitProperty);
    };
    explicit.forEach(visit);
    type.properties.filter((p) => !p.inheritedFrom).forEach((p) => visitProperty(p as MProperty));
    for (const op of type.operations.filter((o) => !o.inheritedFrom)) {
      op.parameters.forEach((p) => visit(p.structure as MStructure | undefined));
      visit(op.responseStructure as MStructure | undefined);
      visit(op.errorResponseStructure as MStructure | undefined);
    }
    return out;
  }

  // ---- relations -------------------------------------------------------------------------------

  private buildRelation(place: Place, cls: Class, record: RelationRecord): RelationModel | undefined {
    const at: Place = { ...place, member: record.name };
    const nameProblem = memberNameProblem(record.name);
    if (nameProblem) this.problem(at, nameProblem);
    const resolved = resolveTypeRef(record.to);
    if (resolved.kind === 'problem') {
      this.problem(at, `relation target: ${resolved.message}`);
      return undefined;
    }
    if (resolved.kind !== 'typeId') {
      const what = resolved.kind === 'structure' ? `${resolved.target.name}, a structure,` : `"${resolved.type}"`;
      this.problem(at, `relation target ${what} is not an @ApsType class or a type ID`);
      return undefined;
    }
    const proto = cls.prototype as Record<string, unknown>;
    const link = `${record.name}Link`;
    const unlink = `${record.name}Unlink`;
    const access = record.options.access && { ...record.options.access };
    return {
      name: record.name,
      type: resolved.type,
      collection: record.options.collection === true,
      required: record.options.required === true,
      schema: this.keyOrdered(at, record.options.keyOrder, {
        ...ordered(RELATION_KEYS, {
          type: resolved.type,
          collection: record.options.collection,
          required: record.options.required,
          access: access && { ...access },
        }),
        ...this.extraAttributes(at, record.options.extraAttributes, RELATION_KEYS),
      }) as unknown as RelationModel['schema'],
      access,
      target: resolved.target,
      targetName: resolved.target ? apsTypeName(resolved.target) : undefined,
      linkMethod: typeof proto[link] === 'function' ? link : undefined,
      unlinkMethod: typeof proto[unlink] === 'function' ? unlink : undefined,
      limit: record.options.limit,
      doc: record.options.doc,
    };
  }

  // ---- event subscriptions (@OnEvent) ---------------------------------------------------------

  /**
   * The subscriptions the type declares, each checked: its handler is a POST operation of the
   * resource taking one body parameter (the notification: event-subscriptions, "should accept only
   * parameter of type EventNotification"), its event a URI, its source a type.
   */
  private buildSubscriptions(place: Place, chain: Class[], type: MType): void {
    const seen = new Set<string>();
    for (const cls of chain) {
      for (const record of this.storage.ownEventHandlers(cls)) {
        const subscription = this.buildSubscription(
          { className: place.className, member: record.method },
          record,
          type,
        );
        if (!subscription) continue;
        const key = JSON.stringify([
          subscription.event,
          subscription.source.type,
          subscription.relation ?? null,
          subscription.handler,
        ]);
        if (seen.has(key)) continue;
        seen.add(key);
        type.subscriptions.push(subscription);
      }
    }
  }

  private buildSubscription(place: Place, record: EventHandlerRecord, type: MType): DeclaredSubscription | undefined {
    const { event, options } = record;
    let ok = true;
    const op = type.operations.find((o) => o.method === record.method && o.static === record.isStatic);
    if (!op) {
      this.problem(
        place,
        '@OnEvent needs an @Operation on the same method: the handler is an operation the controller calls',
      );
      ok = false;
    } else {
      if (op.static) {
        this.problem(
          place,
          '@OnEvent needs an operation of the resource, not a static one: notifications go to the subscriber',
        );
        ok = false;
      }
      if (op.verb !== 'POST') {
        this.problem(place, `@OnEvent needs a POST operation (notifications are POSTed), not ${op.verb}`);
        ok = false;
      }
      if (op.parameters.length !== 1 || op.parameters[0].kind !== 'body') {
        this.problem(
          place,
          '@OnEvent needs an operation with exactly one parameter, the body (the Notification): ' +
            `${op.name} has ${op.parameters.map((p) => `${p.name} (${p.kind})`).join(', ') || 'none'}`,
        );
        ok = false;
      }
    }
    if (typeof event !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(event)) {
      this.problem(
        place,
        `@OnEvent event ${JSON.stringify(event) ?? String(event)} is not an event type URI: use one of Events (Events.changed, …) or a specialized event's URI`,
      );
      ok = false;
    }
    const source = options?.source;
    const resolved = source === undefined ? undefined : resolveTypeRef(source);
    if (!resolved) {
      this.problem(place, '@OnEvent needs `source`: the type whose resources raise the event');
      ok = false;
    } else if (resolved.kind === 'problem') {
      this.problem(place, `@OnEvent source: ${resolved.message}`);
      ok = false;
    } else if (resolved.kind !== 'typeId') {
      const what = resolved.kind === 'structure' ? `${resolved.target.name}, a structure,` : `"${resolved.type}"`;
      this.problem(place, `@OnEvent source ${what} is not an @ApsType class or a type ID`);
      ok = false;
    }
    const relation = options?.relation;
    if (relation !== undefined) {
      const nameProblem = typeof relation === 'string' ? memberNameProblem(relation) : 'is not a string';
      if (nameProblem) {
        this.problem(place, `@OnEvent relation: ${nameProblem}`);
        ok = false;
      } else if (event !== Events.linked && event !== Events.unlinked && isEventType(event)) {
        this.problem(place, '@OnEvent relation is for linked and unlinked events only');
        ok = false;
      }
    }
    if (!ok || !op || resolved?.kind !== 'typeId') return undefined;
    return {
      event,
      source: { type: resolved.type },
      ...(relation !== undefined && { relation }),
      handler: op.name,
    };
  }

  /** A relation named by a subscription must be one of its source type's, when the model holds that type. */
  private checkSubscriptionRelations(types: readonly MType[]): void {
    const byId = new Map(types.map((t) => [t.id, t]));
    for (const type of types) {
      for (const s of type.subscriptions) {
        const source = byId.get(s.source.type);
        if (s.relation === undefined || !source || source.relations.some((r) => r.name === s.relation)) continue;
        const method = type.operations.find((o) => o.name === s.handler)?.method;
        this.problem(
          { className: type.target.name, member: method },
          `@OnEvent relation "${s.relation}" is no relation of ${source.name}: it has ${source.relations.map((r) => r.name).join(', ') || 'none'}`,
        );
      }
    }
  }

  // ---- operations ------------------------------------------------------------------------------

  private buildOperations(
    place: Place,
    chain: Class[],
    type: MType,
    inheritedFrom: (depth: number) => string | undefined,
  ): void {
    const key = (o: { method: string; isStatic: boolean }): string => `${o.isStatic ? 'static ' : ''}${o.method}`;
    const merged = mergeByName(chain, (c) => this.storage.ownOperations(c), key);
    const params = mergeParams(chain, (c) => this.storage.ownParams(c));
    for (const [k, list] of params) {
      if (!merged.has(k)) this.problem({ ...place, member: list[0].method }, 'has @Param() but no @Operation()');
    }
    const names = new Map<string, string>();
    const routes = new Map<string, string>();
    for (const [k, { record, depth }] of merged) {
      const op = this.buildOperation({ ...place, member: record.method }, record, params.get(k) ?? []);
      if (!op) continue;
      const nameClash = names.get(op.name);
      if (nameClash)
        this.problem(
          { ...place, member: record.method },
          `operation name "${op.name}" is already used by ${nameClash}()`,
        );
      names.set(op.name, record.method);
      const route = `${op.static ? 'static ' : ''}${op.verb} ${op.path}`;
      const routeClash = routes.get(route);
      if (routeClash) {
        this.problem(
          { ...place, member: record.method },
          `duplicate operation path: ${route} is already declared by ${routeClash}()`,
        );
      }
      routes.set(route, record.method);
      type.operations.push({ ...op, inheritedFrom: inheritedFrom(depth) });
    }
  }

  private buildOperation(
    place: Place,
    record: OperationRecord,
    paramRecords: ParamRecord[],
  ): OperationModel | undefined {
    const { options } = record;
    const verb = String(options.verb);
    let ok = true;
    if (!HTTP_VERBS.includes(verb)) {
      this.problem(place, `unknown verb "${verb}": use one of ${HTTP_VERBS.join(', ')}`);
      ok = false;
    }
    const path = options.path ?? `/${record.method}`;
    const pathProblem = operationPathProblem(path);
    if (pathProblem) {
      this.problem(place, pathProblem);
      ok = false;
    }
    const name = options.name ?? record.method;
    const nameProblem = memberNameProblem(name);
    if (nameProblem) this.problem(place, nameProblem);
    const isStatic = options.static ?? record.isStatic;

    const parameters: ParamModel[] = [];
    const seen = new Set<string>();
    for (const p of [...paramRecords].sort((a, b) => a.index - b.index)) {
      const at: Place = { ...place, member: `${record.method}(${p.name})` };
      if (seen.has(p.name)) this.problem(at, `parameter "${p.name}" is declared twice`);
      seen.add(p.name);
      const param = this.buildParam(at, p);
      if (param) parameters.push(param);
    }
    if (parameters.filter((p) => p.kind === 'body').length > 1) {
      this.problem(place, 'an operation has one body: declare a structure for several values');
    }
    const response = this.buildResponse({ ...place, member: `${record.method} response` }, options.response);
    const errorResponse = this.buildResponse(
      { ...place, member: `${record.method} errorResponse` },
      options.errorResponse,
    );
    if (!ok) return undefined;
    return {
      name,
      method: record.method,
      path,
      verb: verb as OperationModel['verb'],
      static: isStatic,
      writtenStatic: options.static,
      parameters,
      response: response?.schema,
      responseStructure: response?.structure,
      errorResponse: errorResponse?.schema,
      errorResponseStructure: errorResponse?.structure,
      access: options.access,
      publishName: options.publishName === true || undefined,
      extraAttributes: this.extraAttributes(place, options.extraAttributes, OPERATION_KEYS),
      keyOrder: this.keyOrder(place, options.keyOrder, [
        ...OPERATION_KEYS,
        ...Object.keys(options.extraAttributes ?? {}),
      ]),
      doc: options.doc,
      returns: options.returns,
    };
  }

  private buildParam(place: Place, record: ParamRecord): ParamModel | undefined {
    const { options } = record;
    const kinds = ['body', 'query', 'path'];
    if (!kinds.includes(options.kind)) {
      this.problem(place, `unknown parameter kind "${String(options.kind)}": use body, query or path`);
      return undefined;
    }
    if (options.publishedKind !== undefined && !/^\S+$/.test(String(options.publishedKind))) {
      this.problem(place, `publishedKind "${String(options.publishedKind)}" must be one word, as a schema's "kind" is`);
    }
    if (options.untyped === true && options.type !== undefined) {
      this.problem(place, '`untyped` publishes no type: give `untyped` or `type`, not both');
    }
    const resolved: TypeResolution =
      options.untyped === true
        ? { kind: 'primitive', type: 'object' }
        : options.type !== undefined
          ? resolveTypeRef(options.type)
          : inferFromDesignType(record.designType);
    if (resolved.kind === 'problem') {
      this.problem(place, resolved.message);
      return undefined;
    }
    const param: Mutable<ParamModel> = {
      name: record.name,
      index: record.index,
      kind: options.kind,
      publishedKind: options.publishedKind,
      type: resolved.type,
      untyped: options.untyped === true || undefined,
      required: options.required === true,
      writtenRequired: options.required,
      publishName: options.publishName === true || undefined,
      extraAttributes: this.extraAttributes(place, options.extraAttributes, PARAMETER_KEYS),
      keyOrder: this.keyOrder(place, options.keyOrder, [
        ...PARAMETER_KEYS,
        ...Object.keys(options.extraAttributes ?? {}),
      ]),
      doc: options.doc,
    };
    this.linkStructure(place, resolved, (s) => (param.structure = s));
    if (resolved.type === 'array') {
      if (options.items === undefined) this.problem(place, 'an array parameter needs `items`');
      else param.items = this.buildItems(place, options.items, (s) => (param.structure = s));
    }
    return param;
  }

  private buildResponse(
    place: Place,
    ref: TypeRef | ResponseOptions | undefined,
  ): { schema: ResponseSchema; structure?: MStructure } | undefined {
    if (ref === undefined) return undefined;
    const options: ResponseOptions =
      typeof ref === 'object' && ref !== null && 'type' in ref ? ref : { type: ref as TypeRef };
    const resolved = resolveTypeRef(options.type);
    if (resolved.kind === 'problem') {
      this.problem(place, resolved.message);
      return undefined;
    }
    const result: { schema: ResponseSchema; structure?: MStructure } = { schema: { type: resolved.type } };
    this.linkStructure(place, resolved, (s) => (result.structure = s));
    let items: ItemsSchema | null | undefined;
    if (resolved.type === 'array' && (options.items === undefined || options.items === null))
      this.problem(place, 'an array response needs `items`');
    // Items of a response of another type are published as given: the platform accepted them so.
    if (options.items === null) items = null;
    else if (options.items !== undefined) {
      items = this.buildItems(place, options.items, (s) => {
        if (resolved.type === 'array') result.structure = s;
      });
    }
    result.schema = this.keyOrdered(place, options.keyOrder, {
      ...ordered(RESPONSE_KEYS, {
        type: resolved.type,
        items,
        contentType: options.contentType,
        name: options.name,
      }),
      ...this.extraAttributes(place, options.extraAttributes, RESPONSE_KEYS),
    }) as unknown as ResponseSchema;
    return result;
  }
}

function mergeParams(chain: Class[], own: (c: Class) => readonly ParamRecord[]): Map<string, ParamRecord[]> {
  const byMethod = new Map<string, ParamRecord[]>();
  for (const cls of chain) {
    const local = new Map<string, ParamRecord[]>();
    for (const p of own(cls)) {
      const k = `${p.isStatic ? 'static ' : ''}${p.method}`;
      local.set(k, [...(local.get(k) ?? []), p]);
    }
    // An override's parameters replace the base method's, as the method itself does.
    for (const [k, list] of local) byMethod.set(k, list);
  }
  return byMethod;
}

/** What a property or an array's items may say besides their type. */
type ValueAttributes = Omit<ItemsOptions, 'type' | 'items'>;

/** The attributes a declaration gives, as the schema publishes them (`ordered` drops the unset ones). */
function declaredAttributes(options: ValueAttributes): Partial<Mutable<PropertySchema>> {
  return {
    required: options.required,
    final: options.final,
    readonly: options.readonly,
    encrypted: options.encrypted,
    default: options.default === undefined ? undefined : structuredClone(options.default),
    title: options.title,
    description: options.description,
    format: options.format,
    unit: options.unit,
    pattern: options.pattern,
    // Copies: the model is frozen, and what the app passed in stays the app's.
    enum: options.enum && [...options.enum],
    enumTitles: options.enumTitles && [...options.enumTitles],
    minimum: options.minimum,
    maximum: options.maximum,
    minLength: options.minLength,
    maxLength: options.maxLength,
    minItems: options.minItems,
    maxItems: options.maxItems,
    access: options.access && { ...options.access },
  };
}

function patternRefusal(pattern: string | undefined, reason: string): string {
  return `pattern ${JSON.stringify(pattern)} is not supported by the linear-time engine: ${reason}`;
}

function withInheritance(p: MProperty, inheritedFrom: string | undefined): MProperty {
  return inheritedFrom ? { ...p, inheritedFrom } : p;
}

function lifecycleOf(cls: Class): ReadonlySet<LifecycleMethod> {
  const proto = cls.prototype as Record<string, unknown>;
  return new Set(LIFECYCLE_METHODS.filter((m) => typeof proto[m] === 'function'));
}

/**
 * Whether `value` is of the APS `type` (a structure or type reference: any object), as a declared
 * `default` or `enum` value must be unless `uncheckedValues` says otherwise. The importer asks the
 * same question to decide when to write `uncheckedValues`.
 */
export function matchesApsType(type: string, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    default:
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

function findLastIndex<T>(list: readonly T[], test: (v: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i])) return i;
  return -1;
}

/**
 * Freezes the model's own objects (plain objects and arrays); classes, sets and other instances stay
 * untouched. A RegExp from @Matches is class-validator's too: frozen, a /g one breaks every later
 * validation (its `lastIndex` can no longer be written).
 */
function deepFreeze<T>(value: T, seen = new WeakSet<object>()): T {
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  seen.add(value);
  const proto: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  for (const v of Object.values(value)) deepFreeze(v, seen);
  return Object.freeze(value);
}

/** Sets each relation's `inverse`, now that every type of the model is known (see RelationModel). */
function resolveInverses(types: MType[]): void {
  const byId = new Map(types.map((t) => [t.id, t]));
  for (const type of types) {
    type.relations = type.relations.map((r) => {
      const inverse = byId.get(r.type)?.relations.find((back) => back.type === type.id)?.name;
      return inverse === undefined ? r : { ...r, inverse };
    });
  }
}

class FrozenTypeModel implements TypeModel {
  private readonly index = new Map<unknown, ApsTypeModel>();
  /** APS names that several types have: a lookup by one of them cannot choose. */
  private readonly shared = new Map<string, ApsTypeModel[]>();

  constructor(readonly types: readonly ApsTypeModel[]) {
    Object.freeze(types);
    const byName = new Map<string, ApsTypeModel[]>();
    for (const t of types) {
      this.index.set(t.target, t);
      this.index.set(t.id, t);
      byName.set(t.name, [...(byName.get(t.name) ?? []), t]);
    }
    // A name is no type ID (IDs have a scheme), so the two never meet in the index.
    for (const [name, named] of byName) {
      if (named.length === 1) this.index.set(name, named[0]);
      else this.shared.set(name, named);
    }
  }

  /** @throws Error when `key` is an APS name that several types of the model have. */
  find(key: Class | string): ApsTypeModel | undefined {
    const shared = typeof key === 'string' ? this.shared.get(key) : undefined;
    if (shared) {
      throw new Error(
        `The APS name "${String(key)}" is ambiguous: ${shared.length} types have it (${shared.map((t) => t.id).join(', ')}); name one by its type ID or class`,
      );
    }
    return this.index.get(key);
  }

  get(key: Class | string): ApsTypeModel {
    const found = this.find(key);
    if (!found) {
      const name = typeof key === 'string' ? key : key.name;
      const known = this.types.map((t) => t.name).join(', ') || 'none';
      throw new Error(`No APS type "${name}" in this model (types: ${known})`);
    }
    return found;
  }
}
