/**
 * Acme Notes' account directory, which the provisioner must respect: an administrator email belongs
 * to one account only. In a real provisioner this is the vendor's own backend. Here it is kept in the
 * controller's key-value port (`controller.keyValues`), so that it survives a crash or a restart as
 * the provisioner's tasks do:
 *
 * - it is the same SQLite file, written with `synchronous=FULL`, so a claim is on disk before the
 *   lifecycle call that made it answers, and one file holds everything to back up;
 * - it needs no driver or dependency beyond the controller's (a SQLite file of its own would need
 *   better-sqlite3 declared by the example, and a second file to keep in step).
 *
 * A claim records the marketplace's provision request id as its owner. That is what makes
 * provisioning idempotent: when the controller calls `provision()` again for the same request (the
 * process died during the call, and the call is made again after the restart), the email is found
 * claimed by that same request, and the claim stands instead of failing with a false "already in
 * use". A claim by another request is refused, before a crash or after.
 */
import { EventEmitter } from 'node:events';

/** Durable string values by key: the shape of `controller.keyValues`. */
export interface AccountStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/** What a claim found: a new claim, the same request's claim made again, or another account's. */
export type ClaimOutcome = 'claimed' | 'already-ours' | 'taken';

interface AccountRecord {
  /** The provision request that claimed the email; `existing-account` for an account made elsewhere. */
  readonly requestId: string;
  readonly claimedAt: string;
  /** The end of the commitment term the account was last renewed to. */
  readonly termEndDate?: string;
}

/** The owner recorded for the accounts that existed before the provisioner. */
const EXISTING = 'existing-account';
const KEY_PREFIX = 'acme-notes.account:';

export class AccountDirectory {
  /**
   * Emits `claimed` and `released` (email, requestId) once the change is on disk, and `reclaimed`
   * when a request claims again what it holds (its `provision()` made again after a crash), for
   * logs and tests that need to know where the provisioner is.
   */
  readonly events = new EventEmitter();
  /** How long the simulated backend takes to create an account after the claim, in ms. */
  creationMs = 0;
  private attached: Promise<AccountStore>;
  private attach$: (store: AccountStore) => void = () => undefined;
  // One change at a time: a check and a write are two steps of the store, and two concurrent
  // provisions of the same email must not both see it free.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly existing: readonly string[] = []) {
    this.attached = new Promise((resolve) => (this.attach$ = resolve));
  }

  /**
   * Keeps the directory in `store` (the controller's `keyValues`) and records the accounts that
   * already exist, unless the store knows them already. A call made before (a task the controller
   * resumes while it starts) waits for this.
   */
  async attach(store: AccountStore): Promise<void> {
    for (const email of this.existing)
      if ((await store.get(keyOf(email))) === undefined) await store.set(keyOf(email), record(EXISTING));
    this.attach$(store); // wakes the calls made before
    this.attached = Promise.resolve(store); // and a later provisioner in the same process replaces it
  }

  /** The provision request that holds `email`, if any. */
  async ownerOf(email: string): Promise<string | undefined> {
    return (await this.recordOf(email))?.requestId;
  }

  /** The end of the term the account of `email` was last renewed to, if it was. */
  async termEndOf(email: string): Promise<string | undefined> {
    return (await this.recordOf(email))?.termEndDate;
  }

  /** Claims `email` for the account that provision request `requestId` creates. */
  claim(email: string, requestId: string): Promise<ClaimOutcome> {
    return this.serially(async (store) => {
      const owner = await this.ownerOf(email);
      if (owner === requestId) {
        this.events.emit('reclaimed', normalized(email), requestId);
        return 'already-ours';
      }
      if (owner !== undefined) return 'taken';
      await store.set(keyOf(email), record(requestId));
      this.events.emit('claimed', normalized(email), requestId);
      return 'claimed';
    });
  }

  /**
   * Renews the account of `email` to `termEndDate`. Idempotent by value, as a call that a webhook
   * makes again after a crash must be: renewing to the same date twice changes nothing.
   */
  renew(email: string, termEndDate: string): Promise<void> {
    return this.serially(async (store) => {
      const current = await this.recordOf(email);
      if (!current) throw new Error(`No Acme Notes account has the email ${normalized(email)}`);
      if (current.termEndDate === termEndDate) return;
      await store.set(keyOf(email), JSON.stringify({ ...current, termEndDate } satisfies AccountRecord));
    });
  }

  /** Creates the account behind a claim (simulated: it only takes `creationMs`). */
  async createAccount(_email: string): Promise<void> {
    if (this.creationMs > 0) await new Promise((resolve) => setTimeout(resolve, this.creationMs));
  }

  /** Frees `email` if `requestId` holds it (an unprovision never frees another account's email). */
  release(email: string, requestId: string): Promise<void> {
    return this.serially(async (store) => {
      if ((await this.ownerOf(email)) !== requestId) return;
      await store.set(keyOf(email), ''); // the port has no delete: an empty value is a free email
      this.events.emit('released', normalized(email), requestId);
    });
  }

  private async recordOf(email: string): Promise<AccountRecord | undefined> {
    const value = await (await this.attached).get(keyOf(email));
    return value ? (JSON.parse(value) as AccountRecord) : undefined;
  }

  private serially<T>(step: (store: AccountStore) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => step(await this.attached));
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function normalized(email: string): string {
  return email.trim().toLowerCase();
}

function keyOf(email: string): string {
  return `${KEY_PREFIX}${normalized(email)}`;
}

function record(requestId: string): string {
  return JSON.stringify({ requestId, claimedAt: new Date().toISOString() } satisfies AccountRecord);
}

/** The accounts Acme Notes already has, kept in the provisioner's store once it starts. */
export const accounts = new AccountDirectory(['it@fabrikam.example']);
