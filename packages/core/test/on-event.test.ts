/**
 * `@OnEvent`: subscriptions a type declares (docs.cloudblue.com/cbc/sdk/8.2/concepts/events/aps-event/
 * event-subscriptions/: event, source, relation, handler "should accept only parameter of type
 * EventNotification"). They reach the model, are checked when it is built, and change nothing in the
 * schema: APS has no schema field for subscriptions.
 */
import {
  ApsType,
  buildTypeModel,
  CoreTypes,
  Events,
  Notification,
  OnEvent,
  Operation,
  Param,
  Property,
  Relation,
} from '@apskit/core';
import { declarationErrorOf, problem, problemsOf, schemaJson } from './helpers/declarations';

@ApsType({ name: 'mailbox', id: 'http://example.com/mail/mailbox/1.0', implements: [CoreTypes.resource] })
class Mailbox {
  @Property()
  name?: string;

  // `object`, not `Domain`: the design type would read Domain before it is defined.
  @Relation(() => Domain)
  domain?: object;
}

@ApsType({ name: 'domain', id: 'http://example.com/mail/domain/1.0', implements: [CoreTypes.resource] })
class Domain {
  @Property()
  name?: string;

  @Relation(() => Mailbox, { collection: true })
  mailboxes?: Mailbox[];

  @OnEvent(Events.changed, { source: () => Mailbox })
  @Operation({ verb: 'POST', path: '/onMailboxChanged' })
  onMailboxChanged(@Param('event', { kind: 'body', type: Notification }) _event: Notification): void {}

  @OnEvent(Events.linked, { source: 'http://example.com/mail/mailbox/1.0', relation: 'domain' })
  @OnEvent(Events.unlinked, { source: () => Mailbox, relation: 'domain' })
  @Operation({ verb: 'POST', name: 'mailboxLinks', path: '/mailbox-links' })
  onMailboxLinks(@Param('event', { kind: 'body', type: Notification }) _event: Notification): void {}
}

/** Domain's twin without any @OnEvent. */
@ApsType({ name: 'domain', id: 'http://example.com/mail/domain/1.0', implements: [CoreTypes.resource] })
class PlainDomain {
  @Property()
  name?: string;

  @Relation(() => Mailbox, { collection: true })
  mailboxes?: Mailbox[];

  @Operation({ verb: 'POST', path: '/onMailboxChanged' })
  onMailboxChanged(@Param('event', { kind: 'body', type: Notification }) _event: Notification): void {}

  @Operation({ verb: 'POST', name: 'mailboxLinks', path: '/mailbox-links' })
  onMailboxLinks(@Param('event', { kind: 'body', type: Notification }) _event: Notification): void {}
}

describe('@OnEvent in the model', () => {
  it('gives the type its declared subscriptions: event, source type, relation, handler (the operation name)', () => {
    const model = buildTypeModel([Mailbox, Domain]);
    expect(model.get(Domain).subscriptions).toEqual([
      { event: Events.changed, source: { type: 'http://example.com/mail/mailbox/1.0' }, handler: 'onMailboxChanged' },
      // Decorators apply bottom up: the unlinked one (nearest the method) is recorded first.
      {
        event: Events.unlinked,
        source: { type: 'http://example.com/mail/mailbox/1.0' },
        relation: 'domain',
        handler: 'mailboxLinks',
      },
      {
        event: Events.linked,
        source: { type: 'http://example.com/mail/mailbox/1.0' },
        relation: 'domain',
        handler: 'mailboxLinks',
      },
    ]);
    expect(model.get(Mailbox).subscriptions).toEqual([]);
    expect(Object.isFrozen(model.get(Domain).subscriptions)).toBe(true);
  });

  it('leaves the schema as it is without @OnEvent: only the handler operations show', () => {
    expect(schemaJson(Domain)).toEqual(schemaJson(PlainDomain));
    expect(Object.keys(schemaJson(Domain))).not.toContain('subscriptions');
  });

  it('accepts a specialized event type URI and a source outside the model', () => {
    @ApsType({ id: 'http://example.com/mail/watcher/1.0' })
    class Watcher {
      @OnEvent('http://parallels.com/aps/events/pa/subscription/limits/changed', {
        source: () => CoreTypes.subscription,
      })
      @Operation({ verb: 'POST' })
      onLimits(@Param('event', { kind: 'body' }) _event: Notification): void {}
    }
    expect(buildTypeModel([Watcher]).get(Watcher).subscriptions).toEqual([
      {
        event: 'http://parallels.com/aps/events/pa/subscription/limits/changed',
        source: { type: CoreTypes.subscription },
        handler: 'onLimits',
      },
    ]);
  });

  it('inherits the subscriptions of a base class', () => {
    class Base {
      @OnEvent(Events.removed, { source: () => Mailbox })
      @Operation({ verb: 'POST' })
      onRemoved(@Param('event', { kind: 'body' }) _event: Notification): void {}
    }
    @ApsType({ id: 'http://example.com/mail/derived/1.0' })
    class Derived extends Base {}
    expect(buildTypeModel([Derived]).get(Derived).subscriptions).toEqual([
      { event: Events.removed, source: { type: 'http://example.com/mail/mailbox/1.0' }, handler: 'onRemoved' },
    ]);
  });
});

describe('@OnEvent mistakes, each named by class and method', () => {
  it('refuses a method that is not an @Operation, with a clear message', () => {
    @ApsType({ id: 'http://example.com/mail/bad1/1.0' })
    class NotAnOperation {
      @OnEvent(Events.changed, { source: () => Mailbox })
      onChanged(_event: Notification): void {}
    }
    const error = declarationErrorOf([NotAnOperation]);
    expect(error.problems).toEqual([
      problem('NotAnOperation', 'onChanged', /@OnEvent needs an @Operation on the same method/),
    ]);
    expect(error.message).toContain('NotAnOperation.onChanged: @OnEvent needs an @Operation');
  });

  it('refuses a handler without exactly one body parameter, a GET, or a static operation', () => {
    @ApsType({ id: 'http://example.com/mail/bad2/1.0' })
    class BadHandlers {
      @OnEvent(Events.changed, { source: () => Mailbox })
      @Operation({ verb: 'POST' })
      noParam(): void {}

      @OnEvent(Events.changed, { source: () => Mailbox })
      @Operation({ verb: 'POST' })
      twoParams(
        @Param('event', { kind: 'body' }) _event: Notification,
        @Param('x', { kind: 'query' }) _x: string,
      ): void {}

      @OnEvent(Events.changed, { source: () => Mailbox })
      @Operation({ verb: 'POST' })
      queryOnly(@Param('event', { kind: 'query' }) _event: string): void {}

      @OnEvent(Events.changed, { source: () => Mailbox })
      @Operation({ verb: 'GET' })
      byGet(@Param('event', { kind: 'body' }) _event: Notification): void {}

      @OnEvent(Events.changed, { source: () => Mailbox })
      @Operation({ verb: 'POST' })
      static onStatic(@Param('event', { kind: 'body' }) _event: Notification): void {}
    }
    expect(problemsOf([BadHandlers])).toEqual([
      problem('BadHandlers', 'noParam', /exactly one parameter, the body .*noParam has none/),
      problem('BadHandlers', 'twoParams', /exactly one parameter, the body .*event \(body\), x \(query\)/),
      problem('BadHandlers', 'queryOnly', /exactly one parameter, the body/),
      problem('BadHandlers', 'byGet', /needs a POST operation .*not GET/),
      problem('BadHandlers', 'onStatic', /not a static one/),
    ]);
  });

  it('refuses an event that is not a URI, and a source that is not a type', () => {
    class NotDeclared {}
    @ApsType({ id: 'http://example.com/mail/bad3/1.0' })
    class BadEvents {
      @OnEvent('changed', { source: () => Mailbox })
      @Operation({ verb: 'POST' })
      shortName(@Param('event', { kind: 'body' }) _event: Notification): void {}

      @OnEvent(Events.changed, { source: () => NotDeclared })
      @Operation({ verb: 'POST' })
      undeclaredSource(@Param('event', { kind: 'body' }) _event: Notification): void {}

      @OnEvent(Events.changed, { source: 'mailbox' })
      @Operation({ verb: 'POST' })
      sourceByName(@Param('event', { kind: 'body' }) _event: Notification): void {}

      @OnEvent(Events.changed, {} as { source: string })
      @Operation({ verb: 'POST' })
      noSource(@Param('event', { kind: 'body' }) _event: Notification): void {}
    }
    expect(problemsOf([BadEvents])).toEqual([
      problem('BadEvents', 'shortName', /event "changed" is not an event type URI: use one of Events/),
      problem('BadEvents', 'undeclaredSource', /source: NotDeclared is used as a type but is not declared/),
      problem('BadEvents', 'sourceByName', /source "mailbox" is not an @ApsType class or a type ID/),
      problem('BadEvents', 'noSource', /needs `source`/),
    ]);
  });

  it('refuses a relation on an event other than linked/unlinked, and one the source type does not have', () => {
    @ApsType({ id: 'http://example.com/mail/bad4/1.0' })
    class BadRelations {
      @OnEvent(Events.changed, { source: () => Mailbox, relation: 'domain' })
      @Operation({ verb: 'POST' })
      changedWithRelation(@Param('event', { kind: 'body' }) _event: Notification): void {}

      @OnEvent(Events.linked, { source: () => Mailbox, relation: 'nosuch' })
      @Operation({ verb: 'POST' })
      unknownRelation(@Param('event', { kind: 'body' }) _event: Notification): void {}
    }
    expect(problemsOf([BadRelations, Mailbox, Domain])).toEqual([
      problem('BadRelations', 'changedWithRelation', /relation is for linked and unlinked events only/),
      problem('BadRelations', 'unknownRelation', /relation "nosuch" is no relation of mailbox: it has domain/),
    ]);
  });
});
