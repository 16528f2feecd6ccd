/**
 * The product: an Acme Notes workspace, declared as an APS type. Its lifecycle is what the
 * marketplace's requests become: provision (NetNew, TrialCreate), configure (Update, TrialConvert,
 * ChangeProduct), the custom operation `renew` (Renewal), unprovision (Deprovision).
 */
import {
  Accepted,
  ApsType,
  CoreTypes,
  Operation,
  Param,
  Property,
  Structure,
  UnprocessableEntityError,
} from '@apskit/core';
import { accounts } from './accounts';

/** The workspace's address: the company name's letters and digits, in lower case, joined by dashes. */
export function addressOf(companyName: string): string {
  return companyName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

@Structure({ doc: 'A renewed commitment term.' })
export class RenewalTerm {
  @Property({ required: true, format: 'date-time' })
  endDate!: string;
}

@ApsType({
  name: 'workspace',
  id: 'http://notes.example/aps/workspace/1.0',
  implements: [CoreTypes.resource],
  doc: 'An Acme Notes workspace, sold through a marketplace.',
})
export class Workspace {
  @Property({ required: true, final: true, format: 'email', title: 'Administrator email' })
  adminEmail!: string;

  /**
   * The marketplace's provision request that created the workspace: the key that makes its
   * provisioning idempotent (see accounts.ts).
   */
  @Property({ required: true, final: true, title: 'Marketplace provision request' })
  provisionRequestId!: string;

  @Property({ required: true })
  companyName!: string;

  @Property({ type: 'integer', required: true, minimum: 1 })
  seats!: number;

  @Property({ enum: ['trial', 'standard'] })
  plan?: string;

  @Property({ readonly: true, format: 'uri' })
  url?: string;

  async provision(): Promise<void> {
    // The check the marketplace cannot make: it runs while processing, after the acknowledgement,
    // and its message is what the buyer reads in the Fail result. A claim this same request made
    // before a crash stands: the controller makes the call again after a restart.
    if ((await accounts.claim(this.adminEmail, this.provisionRequestId)) === 'taken')
      throw new UnprocessableEntityError(
        `The administrator email ${this.adminEmail} is already in use by another Acme Notes account; use another email`,
      );
    await accounts.createAccount(this.adminEmail);
    // Creating a workspace takes a while: answer 202, and be asked again in 5 seconds.
    throw new Accepted(this, `Creating the workspace of ${this.companyName}`, 5);
  }

  provisionAsync(): void {
    this.url = `https://notes.example/w/${addressOf(this.companyName)}`;
  }

  configure(next: Workspace): void {
    this.seats = next.seats ?? this.seats;
    this.plan = next.plan ?? this.plan;
  }

  async unprovision(): Promise<void> {
    await accounts.release(this.adminEmail, this.provisionRequestId);
  }

  @Operation({ verb: 'POST', path: '/renew' })
  async renew(@Param('term', { kind: 'body', type: RenewalTerm, required: true }) term: RenewalTerm): Promise<void> {
    // Recorded in the account directory, which survives restarts; idempotent by value there.
    await accounts.renew(this.adminEmail, term.endDate);
  }
}
