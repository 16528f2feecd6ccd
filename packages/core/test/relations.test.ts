/**
 * Relations: to a type ID, to another @ApsType class (by its ID), with `collection` and `required`
 * emitted in APS order, across declaration files that import each other, and the link callbacks.
 */
import { ApsType, buildTypeModel, CoreTypes, Property, Relation, toApsSchema } from '@apskit/core';
import { CircularCustomer, CUSTOMER_ID } from './fixtures/circular-customer';
import { CircularOrder, ORDER_ID } from './fixtures/circular-order';

const ID = 'http://example.com/relations';

describe('relation targets', () => {
  it('publishes a relation to a type ID given as a string thunk', () => {
    @ApsType({ id: `${ID}/to-string/1.0` })
    class ToStringId {
      @Relation(() => 'http://example.com/other/thing/2.1')
      thing?: unknown;
    }
    const model = buildTypeModel([ToStringId]).get(ToStringId);
    expect(model.relations[0]).toMatchObject({
      name: 'thing',
      type: 'http://example.com/other/thing/2.1',
      collection: false,
      required: false,
    });
    expect(model.relations[0].target).toBeUndefined();
    expect(toApsSchema(model).relations).toEqual({ thing: { type: 'http://example.com/other/thing/2.1' } });
  });

  it('publishes a relation to a core type', () => {
    @ApsType({ id: `${ID}/to-core/1.0` })
    class ToCoreType {
      @Relation(() => CoreTypes.account)
      account?: unknown;

      @Relation(() => CoreTypes.serviceUser, { collection: true })
      users?: unknown[];
    }
    expect(toApsSchema(ToCoreType).relations).toEqual({
      account: { type: 'http://aps-standard.org/types/core/account/1.0' },
      users: { type: 'http://aps-standard.org/types/core/service-user/1.0', collection: true },
    });
  });

  it('publishes a relation to another @ApsType class as that class’s type ID, and keeps the class', () => {
    @ApsType({ id: `${ID}/target/3.2`, name: 'RelationTarget' })
    class RelationTargetType {}

    @ApsType({ id: `${ID}/to-class/1.0` })
    class ToClass {
      @Relation(() => RelationTargetType)
      target?: RelationTargetType;
    }
    const model = buildTypeModel([ToClass]).get(ToClass);
    expect(model.relations[0].type).toBe(`${ID}/target/3.2`);
    expect(model.relations[0].target).toBe(RelationTargetType);
    expect(toApsSchema(model).relations).toEqual({ target: { type: `${ID}/target/3.2` } });
  });

  it('emits `collection` and `required` as written (`false` too, issue 21), in the order type, collection, required', () => {
    @ApsType({ id: `${ID}/flags/1.0` })
    class RelationFlags {
      @Relation(() => `${ID}/a/1.0`, { required: true, collection: true })
      both?: unknown[];

      @Relation(() => `${ID}/b/1.0`, { required: true })
      requiredOnly?: unknown;

      @Relation(() => `${ID}/c/1.0`, { collection: true, required: false })
      collectionOnly?: unknown[];

      @Relation(() => `${ID}/d/1.0`, { collection: false, required: false })
      neither?: unknown;
    }
    const relations = toApsSchema(RelationFlags).relations ?? {};
    expect(Object.keys(relations)).toEqual(['both', 'requiredOnly', 'collectionOnly', 'neither']);
    expect(JSON.stringify(relations.both)).toBe(
      JSON.stringify({ type: `${ID}/a/1.0`, collection: true, required: true }),
    );
    expect(JSON.stringify(relations.requiredOnly)).toBe(JSON.stringify({ type: `${ID}/b/1.0`, required: true }));
    expect(JSON.stringify(relations.collectionOnly)).toBe(
      JSON.stringify({ type: `${ID}/c/1.0`, collection: true, required: false }),
    );
    expect(JSON.stringify(relations.neither)).toBe(
      JSON.stringify({ type: `${ID}/d/1.0`, collection: false, required: false }),
    );
    const model = buildTypeModel([RelationFlags]).get(RelationFlags);
    expect(model.relations.map((r) => [r.collection, r.required])).toEqual([
      [true, true],
      [false, true],
      [true, false],
      [false, false],
    ]);
  });

  it('puts relations before properties in the schema, whatever the declaration order', () => {
    @ApsType({ id: `${ID}/order/1.0` })
    class RelationOrder {
      @Property()
      first?: string;

      @Relation(() => CoreTypes.subscription)
      subscription?: unknown;
    }
    expect(Object.keys(toApsSchema(RelationOrder))).toEqual(['name', 'id', 'apsVersion', 'relations', 'properties']);
  });
});

describe('circular imports', () => {
  it('resolves two declaration files that import each other through their thunks', () => {
    const model = buildTypeModel([CircularCustomer, CircularOrder]);
    expect(toApsSchema(model.get(CircularCustomer)).relations).toEqual({
      orders: { type: ORDER_ID, collection: true },
    });
    expect(toApsSchema(model.get(CircularOrder)).relations).toEqual({
      customer: { type: CUSTOMER_ID, required: true },
    });
    expect(model.get(CircularCustomer).relations[0].target).toBe(CircularOrder);
    expect(model.get(CircularOrder).relations[0].target).toBe(CircularCustomer);
  });

  it('resolves two classes of one file that relate to each other', () => {
    @ApsType({ id: `${ID}/mutual-a/1.0` })
    class MutualA {
      @Relation(() => MutualB)
      b?: unknown;
    }

    @ApsType({ id: `${ID}/mutual-b/1.0` })
    class MutualB {
      @Relation(() => MutualA, { collection: true })
      as?: unknown[];
    }
    const model = buildTypeModel([MutualA, MutualB]);
    expect(toApsSchema(model.get('MutualA')).relations).toEqual({ b: { type: `${ID}/mutual-b/1.0` } });
    expect(toApsSchema(model.get('MutualB')).relations).toEqual({
      as: { type: `${ID}/mutual-a/1.0`, collection: true },
    });
  });

  it('resolves a type that relates to itself', () => {
    @ApsType({ id: `${ID}/self/1.0` })
    class SelfRelated {
      @Relation(() => SelfRelated)
      parent?: unknown;

      @Relation(() => SelfRelated, { collection: true })
      children?: unknown[];
    }
    expect(toApsSchema(SelfRelated).relations).toEqual({
      parent: { type: `${ID}/self/1.0` },
      children: { type: `${ID}/self/1.0`, collection: true },
    });
  });

  it('builds a type whose relation target is declared but not in the model', () => {
    @ApsType({ id: `${ID}/elsewhere/1.0` })
    class DeclaredElsewhere {}

    @ApsType({ id: `${ID}/points-elsewhere/1.0` })
    class PointsElsewhere {
      @Relation(() => DeclaredElsewhere)
      other?: unknown;
    }
    const model = buildTypeModel([PointsElsewhere]);
    expect(model.types.map((t) => t.name)).toEqual(['PointsElsewhere']);
    expect(model.get(PointsElsewhere).relations[0].type).toBe(`${ID}/elsewhere/1.0`);
  });
});

describe('link callbacks', () => {
  it('finds `<relation>Link()` and `<relation>Unlink()`, on the class or a base class', () => {
    class LinkBase {
      usersUnlink(): void {}
    }

    @ApsType({ id: `${ID}/links/1.0` })
    class WithLinks extends LinkBase {
      @Relation(() => CoreTypes.serviceUser, { collection: true })
      users?: unknown[];

      @Relation(() => CoreTypes.account)
      account?: unknown;

      @Relation(() => CoreTypes.subscription)
      subscription?: unknown;

      usersLink(): void {}

      subscriptionLink = 'not a method';

      accountUnlink(): void {}
    }
    const relations = buildTypeModel([WithLinks]).get(WithLinks).relations;
    expect(relations.map((r) => [r.name, r.linkMethod, r.unlinkMethod])).toEqual([
      ['users', 'usersLink', 'usersUnlink'],
      ['account', undefined, 'accountUnlink'],
      ['subscription', undefined, undefined],
    ]);
  });

  it('keeps link callbacks out of the schema', () => {
    @ApsType({ id: `${ID}/links-schema/1.0` })
    class LinksNotInSchema {
      @Relation(() => CoreTypes.account)
      account?: unknown;

      accountLink(): void {}
    }
    expect(JSON.stringify(toApsSchema(LinksNotInSchema).relations)).toBe(
      JSON.stringify({ account: { type: CoreTypes.account } }),
    );
  });
});

describe('inverse relations', () => {
  it('resolves each relation’s way back once, when the model is built: the first relation of the target that leads back', () => {
    @ApsType({ id: `${ID}/inverse-parent/1.0`, name: 'InverseParent' })
    class InverseParent {
      @Relation(() => `${ID}/inverse-other/1.0`)
      other?: unknown;

      @Relation(() => `${ID}/inverse-child/1.0`, { collection: true })
      children?: unknown[];

      @Relation(() => `${ID}/inverse-child/1.0`, { collection: true })
      moreChildren?: unknown[];
    }

    @ApsType({ id: `${ID}/inverse-child/1.0`, name: 'InverseChild' })
    class InverseChild {
      @Relation(() => InverseParent, { required: true })
      parent?: InverseParent;

      @Relation(() => CoreTypes.account)
      account?: unknown;
    }

    const model = buildTypeModel([InverseParent, InverseChild]);
    const parent = model.get(InverseParent);
    const child = model.get(InverseChild);
    expect(child.relations.find((r) => r.name === 'parent')?.inverse).toBe('children');
    expect(parent.relations.find((r) => r.name === 'children')?.inverse).toBe('parent');
    expect(parent.relations.find((r) => r.name === 'moreChildren')?.inverse).toBe('parent');
    // A target outside the model, or one without a way back, has no inverse.
    expect(parent.relations.find((r) => r.name === 'other')?.inverse).toBeUndefined();
    expect(child.relations.find((r) => r.name === 'account')?.inverse).toBeUndefined();
    expect(toApsSchema(child).relations).toEqual({
      parent: { type: `${ID}/inverse-parent/1.0`, required: true },
      account: { type: 'http://aps-standard.org/types/core/account/1.0' },
    });
  });
});
