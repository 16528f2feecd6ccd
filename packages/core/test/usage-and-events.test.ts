/**
 * The vocabulary of events and usage: the five event type URIs
 * (docs.cloudblue.com/cbc/sdk/8.2/concepts/events/aps-event/general/), and the core resource's
 * Counter, Limit, Usage and Notification structures
 * (docs.cloudblue.com/cbc/sdk/8.2/api/types/standard/core/resource/) as property and parameter types.
 */
import {
  ApsType,
  buildTypeModel,
  compileResourceValidators,
  CoreStructures,
  CoreTypes,
  Counter,
  Events,
  EventTypeIds,
  isEventType,
  Limit,
  Notification,
  Operation,
  Param,
  Property,
  Usage,
  type EventNotification,
  type EventSubscription,
} from '@apskit/core';
import { schemaJson } from './helpers/declarations';

const RESOURCE = 'http://aps-standard.org/types/core/resource/1.0';

describe('event types (aps-event/general)', () => {
  it('are the five general event URIs of the spec', () => {
    expect(Events).toEqual({
      linked: 'http://aps-standard.org/core/events/linked',
      unlinked: 'http://aps-standard.org/core/events/unlinked',
      changed: 'http://aps-standard.org/core/events/changed',
      removed: 'http://aps-standard.org/core/events/removed',
      available: 'http://aps-standard.org/core/events/available',
    });
    expect(EventTypeIds).toEqual({
      subscription: 'http://aps-standard.org/types/core/event/subscription/1.0',
      notification: 'http://aps-standard.org/types/core/event/notification/1.0',
    });
  });

  it('isEventType knows exactly those five', () => {
    for (const uri of Object.values(Events)) expect(isEventType(uri)).toBe(true);
    expect(isEventType('http://aps-standard.org/core/events/created')).toBe(false);
    expect(isEventType('changed')).toBe(false);
    expect(isEventType(undefined)).toBe(false);
  });

  it('types a subscription and a notification as the spec gives them', () => {
    const subscription: EventSubscription = {
      event: Events.changed,
      source: { type: 'http://example.com/mail/mailbox/1.0' },
      handler: 'onMailboxChanged',
    };
    const notification: EventNotification = {
      event: Events.changed,
      type: Events.changed,
      time: '2026-12-02T15:00:00Z',
      serial: 1,
      subscription: 'a-subscription-id',
      source: { id: 'a-mailbox-id', type: 'http://example.com/mail/mailbox/1.0' },
    };
    expect(JSON.parse(JSON.stringify(subscription))).toEqual(subscription);
    expect(notification.source?.id).toBe('a-mailbox-id');
  });
});

describe('Counter, Limit and Usage (the core resource structures)', () => {
  @ApsType({ id: 'http://example.com/mail/mailbox/1.0', implements: [CoreTypes.resource] })
  class Mailbox {
    @Property({ unit: 'mb', title: 'Disk space' })
    diskspace?: Counter;

    @Property()
    maxRecipients?: Limit;

    @Property({ type: Usage, unit: 'unit' })
    messages?: Usage;

    @Property({ type: 'array', items: Counter })
    history?: Counter[];

    @Operation({ verb: 'POST', path: '/onDomainChanged' })
    onDomainChanged(@Param('event', { kind: 'body', required: true }) _event: Notification): void {}
  }

  it('publish references to the resource type, not structures of the app', () => {
    expect(CoreStructures.counter).toBe(`${RESOURCE}#Counter`);
    const schema = schemaJson(Mailbox);
    expect(schema.properties).toEqual({
      diskspace: { type: `${RESOURCE}#Counter`, title: 'Disk space', unit: 'mb' },
      maxRecipients: { type: `${RESOURCE}#Limit` },
      messages: { type: `${RESOURCE}#Usage`, unit: 'unit' },
      history: { type: 'array', items: { type: `${RESOURCE}#Counter` } },
    });
    expect(schema.structures).toBeUndefined();
  });

  it('a handler takes the core Notification structure, as the spec example declares it', () => {
    const schema = schemaJson(Mailbox) as { operations: Record<string, unknown> };
    expect(schema.operations.onDomainChanged).toEqual({
      path: '/onDomainChanged',
      verb: 'POST',
      parameters: { event: { type: `${RESOURCE}#Notification`, required: true, kind: 'body' } },
    });
  });

  it('validate a counter value as an object', () => {
    const { create } = compileResourceValidators(buildTypeModel([Mailbox]).get(Mailbox));
    expect(create({ diskspace: { usage: 120, limit: 1024 }, maxRecipients: { limit: 50 } })).toEqual([]);
    expect(create({ diskspace: 120 })).toEqual([{ field: 'diskspace', message: 'must be an object' }]);
  });
});
