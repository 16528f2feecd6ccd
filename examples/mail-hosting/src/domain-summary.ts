/**
 * What a domain does when one of its mailboxes changed: it adds up the disk space its mailboxes use
 * and writes the total on itself, as the application (controllerClient: the app's own write, with its
 * instance certificate; the controller stores it and does not call the app back). Both versions of
 * the Domain type call it from their `changed` handler.
 */
import type { Notification } from '@apskit/core';
import { controllerClient } from '@apskit/express';

interface MailboxJson {
  readonly aps: { readonly id: string };
  readonly diskspace?: { readonly usage?: number };
}

interface DomainJson {
  readonly diskspaceUsed?: number;
}

/** The domain's total usage as it should be now; written only when it differs from the stored one. */
export async function updateDomainSummary(domainId: string, event: Notification): Promise<void> {
  const client = controllerClient();
  const mailboxes = await client.linked<MailboxJson>(domainId, 'mailboxes');
  // A domain hears of every mailbox it may see: a mailbox of another domain changes nothing here.
  if (event.source?.id !== undefined && !mailboxes.some((m) => m.aps.id === event.source?.id)) return;
  const used = mailboxes.reduce((sum, m) => sum + (m.diskspace?.usage ?? 0), 0);
  const domain = await client.getResource<DomainJson>(domainId);
  if (domain.diskspaceUsed === used) return;
  await client.updateResource(domainId, { diskspaceUsed: used });
}
