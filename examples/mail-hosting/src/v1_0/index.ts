/**
 * Version 1.0 of the mail hosting app: the application's root (`globals`), domains and mailboxes.
 * - A mailbox is created on the (simulated) mail server asynchronously: provision() answers 202, and
 *   the controller asks again until the server has it.
 * - Its `diskspace` is a Counter: the controller's "Synchronize resource usage" task calls retrieve(),
 *   which reports what the mail server says, and stores it.
 * - A domain holds at most `mailboxLimit.limit` mailboxes (403 beyond it), and subscribes to its
 *   mailboxes' `changed` events to keep `diskspaceUsed`, the total of its mailboxes' usage.
 */
import {
  Accepted,
  ApsType,
  CoreTypes,
  Counter,
  defineApp,
  Events,
  Limit,
  Notification,
  OnEvent,
  Operation,
  Param,
  Property,
  Relation,
} from '@apskit/core';
import { updateDomainSummary } from '../domain-summary';
import { mailServer } from '../mail-server';

export const NS = 'http://apskit.example/mail-hosting';

/** The application instance's root resource: the controller creates it with the instance. */
@ApsType({
  name: 'globals',
  id: `${NS}/globals/1.0`,
  implements: [CoreTypes.application],
  doc: 'The mail hosting application instance.',
})
export class Globals {}

@ApsType({ name: 'domain', id: `${NS}/domain/1.0`, implements: [CoreTypes.resource], doc: 'A mail domain.' })
export class Domain {
  aps!: { id: string };

  @Property({ required: true, pattern: '^[a-z0-9-]+(\\.[a-z0-9-]+)+$', doc: 'The domain name, lower case.' })
  name!: string;

  @Property({ unit: 'unit', doc: 'How many mailboxes the domain may have (no limit: unlimited).' })
  mailboxLimit?: Limit;

  @Property({ type: 'integer', unit: 'mb', readonly: true, doc: "The disk space the domain's mailboxes use." })
  diskspaceUsed?: number;

  // `object`: Mailbox is declared below (the thunk is read when the model is built).
  @Relation(() => Mailbox, { collection: true, limit: 'mailboxLimit', doc: 'The mailboxes of the domain.' })
  mailboxes?: object[];

  // Every domain is subscribed, when it is created, to `changed` of every mailbox it may see.
  @OnEvent(Events.changed, { source: () => Mailbox })
  @Operation({ verb: 'POST', path: '/onMailboxChanged' })
  async onMailboxChanged(@Param('event', { kind: 'body', type: Notification }) event: Notification): Promise<void> {
    await updateDomainSummary(this.aps.id, event);
  }
}

@ApsType({ name: 'mailbox', id: `${NS}/mailbox/1.0`, implements: [CoreTypes.resource], doc: 'A mailbox.' })
export class Mailbox {
  @Property({ required: true, pattern: '^[a-z0-9._-]+@[a-z0-9-]+(\\.[a-z0-9-]+)+$', doc: 'The e-mail address.' })
  address!: string;

  @Property({ unit: 'mb', doc: 'The disk space the mailbox uses, as the mail server reports it.' })
  diskspace?: Counter;

  @Relation(() => Domain, { required: true, doc: 'The domain of the mailbox.' })
  domain?: object;

  provision(): void {
    mailServer.create(this.address);
    throw new Accepted(this, 'Creating the mailbox on the mail server', 30);
  }

  provisionAsync(): void {
    if (!mailServer.isReady(this.address)) throw new Accepted(this, 'The mail server is still creating it', 30);
  }

  /** Where usage is reported: the controller's usage sync stores what this answers. */
  retrieve(): void {
    this.diskspace = { ...this.diskspace, usage: mailServer.usedMb(this.address) };
  }

  unprovision(): void {
    mailServer.remove(this.address);
  }
}

export const services = { globals: Globals, domains: Domain, mailboxes: Mailbox };

export const app = defineApp({
  id: NS,
  name: 'mail-hosting',
  version: '1.0',
  release: '0',
  vendor: { name: 'APSKit examples' },
  packager: { name: 'APSKit' },
  summary: 'Mail domains and mailboxes.',
  description:
    'Domains and their mailboxes on a (simulated) mail server: mailboxes provisioned asynchronously, ' +
    "their disk space synchronized as a usage counter, a domain's mailboxes capped by its limit.",
  license: { name: 'MIT License', url: 'https://opensource.org/licenses/MIT' },
  changelog: [{ version: '1.0', release: '0', entries: ['Domains and mailboxes.'] }],
  services,
});
