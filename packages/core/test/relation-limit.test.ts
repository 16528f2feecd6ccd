/**
 * `@Relation(() => T, { collection: true, limit: 'p' })`: a collection capped by a Counter or Limit
 * property of the same type. A runtime rule of APSKit's embedded controller (it has no platform
 * subscriptions, whose limits KB 119958 describes): the model keeps it, the schema does not show it.
 */
import { ApsType, buildTypeModel, Counter, Limit, Property, Relation, Usage } from '@apskit/core';
import { problem, problemsOf, schemaJson } from './helpers/declarations';

@ApsType({ id: 'http://example.com/limit/mailbox/1.0' })
class Mailbox {
  @Property() name?: string;
}

@ApsType({ id: 'http://example.com/limit/domain/1.0' })
class Domain {
  @Property() mailboxLimit?: Counter;
  @Relation(() => Mailbox, { collection: true, limit: 'mailboxLimit' }) mailboxes?: Mailbox[];
}

@ApsType({ id: 'http://example.com/limit/domain/1.0' })
class PlainDomain {
  @Property() mailboxLimit?: Counter;
  @Relation(() => Mailbox, { collection: true }) mailboxes?: Mailbox[];
}

describe('a collection relation limited by a Counter or Limit property', () => {
  it('is in the model, and not in the schema', () => {
    const model = buildTypeModel([Domain, Mailbox]);
    expect(model.get(Domain).relations[0].limit).toBe('mailboxLimit');
    // The schema names its type by class name: the two differ in that alone.
    expect({ ...schemaJson(Domain), name: 'X' }).toEqual({ ...schemaJson(PlainDomain), name: 'X' });
    expect((schemaJson(Domain).relations as Record<string, unknown>).mailboxes).toEqual({
      type: 'http://example.com/limit/mailbox/1.0',
      collection: true,
    });
  });

  it('may name a Limit property', () => {
    @ApsType({ id: 'http://example.com/limit/other/1.0' })
    class WithLimit {
      @Property() seats?: Limit;
      @Relation(() => Mailbox, { collection: true, limit: 'seats' }) mailboxes?: Mailbox[];
    }
    expect(buildTypeModel([WithLimit, Mailbox]).get(WithLimit).relations[0].limit).toBe('seats');
  });

  it('is a model-build error when the named property is missing, not a Counter/Limit, or the relation is singular', () => {
    @ApsType({ id: 'http://example.com/limit/bad/1.0' })
    class Bad {
      @Property() used?: Usage;
      @Property() title?: string;
      @Relation(() => Mailbox, { collection: true, limit: 'used' }) a?: Mailbox[];
      @Relation(() => Mailbox, { collection: true, limit: 'title' }) b?: Mailbox[];
      @Relation(() => Mailbox, { collection: true, limit: 'nothing' }) c?: Mailbox[];
      @Relation(() => Mailbox, { limit: 'mailboxLimit' }) d?: Mailbox;
      @Property() mailboxLimit?: Counter;
    }
    expect(problemsOf([Bad, Mailbox])).toEqual([
      problem('Bad', 'a', /limit: "used" is not a Counter or Limit property of Bad/),
      problem('Bad', 'b', /limit: "title" is not a Counter or Limit property of Bad/),
      problem('Bad', 'c', /limit: "nothing" is not a Counter or Limit property of Bad/),
      problem('Bad', 'd', /limit: only a collection relation can be limited/),
    ]);
  });
});
