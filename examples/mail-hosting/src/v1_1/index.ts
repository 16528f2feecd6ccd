/**
 * Version 1.1 of the mail hosting app. What changed since 1.0: a mailbox has a spam filter
 * (`spamFilter`, on unless said otherwise), and every type's ID is 1.1. Same major version, so the
 * controller's upgrade moves the stored 1.0 resources to 1.1 as they are, filling the new property
 * from its default (no `upgrade.migrate` needed; a 2.0 would say how in `defineApp({ upgrade: {
 * migrate } })`). The vendor side is the app's: `Globals.upgrade()` turns the filter on at the
 * mail server for the mailboxes that exist.
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
import { NS } from '../v1_0';

export { NS };

@ApsType({
  name: 'globals',
  id: `${NS}/globals/1.1`,
  implements: [CoreTypes.application],
  doc: 'The mail hosting application instance.',
})
export class Globals {
  /**
   * The controller calls this on the root resource when the instance is upgraded, with the version it
   * upgrades from (`{ version, to }`), before it moves the stored resources to the new type IDs.
   */
  upgrade(upgrading?: { version?: string | null; to?: string }): void {
    if (upgrading?.version === '1.0' || upgrading?.version === null || upgrading?.version === undefined)
      mailServer.setSpamFilterEverywhere(true);
  }
}

@ApsType({ name: 'domain', id: `${NS}/domain/1.1`, implements: [CoreTypes.resource], doc: 'A mail domain.' })
export class Domain {
  aps!: { id: string };

  @Property({ required: true, pattern: '^[a-z0-9-]+(\\.[a-z0-9-]+)+$', doc: 'The domain name, lower case.' })
  name!: string;

  @Property({ unit: 'unit', doc: 'How many mailboxes the domain may have (no limit: unlimited).' })
  mailboxLimit?: Limit;

  @Property({ type: 'integer', unit: 'mb', readonly: true, doc: "The disk space the domain's mailboxes use." })
  diskspaceUsed?: number;

  @Relation(() => Mailbox, { collection: true, limit: 'mailboxLimit', doc: 'The mailboxes of the domain.' })
  mailboxes?: object[];

  @OnEvent(Events.changed, { source: () => Mailbox })
  @Operation({ verb: 'POST', path: '/onMailboxChanged' })
  async onMailboxChanged(@Param('event', { kind: 'body', type: Notification }) event: Notification): Promise<void> {
    await updateDomainSummary(this.aps.id, event);
  }
}

@ApsType({ name: 'mailbox', id: `${NS}/mailbox/1.1`, implements: [CoreTypes.resource], doc: 'A mailbox.' })
export class Mailbox {
  @Property({ required: true, pattern: '^[a-z0-9._-]+@[a-z0-9-]+(\\.[a-z0-9-]+)+$', doc: 'The e-mail address.' })
  address!: string;

  @Property({ unit: 'mb', doc: 'The disk space the mailbox uses, as the mail server reports it.' })
  diskspace?: Counter;

  /** New in 1.1. */
  @Property({ default: true, doc: 'Whether the mail server filters spam for this mailbox.' })
  spamFilter?: boolean;

  @Relation(() => Domain, { required: true, doc: 'The domain of the mailbox.' })
  domain?: object;

  provision(): void {
    mailServer.create(this.address);
    mailServer.setSpamFilter(this.address, this.spamFilter !== false);
    throw new Accepted(this, 'Creating the mailbox on the mail server', 30);
  }

  provisionAsync(): void {
    if (!mailServer.isReady(this.address)) throw new Accepted(this, 'The mail server is still creating it', 30);
  }

  configure(next: Mailbox): void {
    mailServer.setSpamFilter(this.address, next.spamFilter !== false);
  }

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
  version: '1.1',
  release: '0',
  vendor: { name: 'APSKit examples' },
  packager: { name: 'APSKit' },
  summary: 'Mail domains and mailboxes.',
  description:
    'Domains and their mailboxes on a (simulated) mail server: mailboxes provisioned asynchronously, ' +
    "their disk space synchronized as a usage counter, a domain's mailboxes capped by its limit, " +
    'and a spam filter per mailbox.',
  license: { name: 'MIT License', url: 'https://opensource.org/licenses/MIT' },
  changelog: [
    { version: '1.1', release: '0', entries: ['A spam filter per mailbox (on by default).'] },
    { version: '1.0', release: '0', entries: ['Domains and mailboxes.'] },
  ],
  upgrade: { match: 'version=ge=1.0' },
  services,
});
