/**
 * A SIMULATED mail server, in memory: it stands for the vendor system a real mail hosting app would
 * call (its provisioning API, its quota reports). Creating a mailbox takes a while, as on a real
 * server, which is why the app provisions asynchronously; the disk space a mailbox uses changes as
 * mail arrives (`deliver`), and the app reports it from `retrieve()`. Nothing here is APS: replace it
 * with calls to your mail system.
 *
 * It lives in the endpoint's process (one per process, shared by every version of the app's types).
 */

interface Box {
  readonly address: string;
  /** When the mailbox is usable (creation is not instantaneous). */
  readonly readyAt: number;
  usedMb: number;
  spamFilter: boolean;
}

export class MailServer {
  /** How long creating a mailbox takes, in milliseconds. */
  creationMs = 1000;
  private readonly boxes = new Map<string, Box>();

  /** Starts creating a mailbox; creating one that exists changes nothing (a retried provisioning). */
  create(address: string): void {
    if (this.boxes.has(address)) return;
    this.boxes.set(address, { address, readyAt: Date.now() + this.creationMs, usedMb: 0, spamFilter: false });
  }

  /** Whether the mailbox has been created and can receive mail. */
  isReady(address: string): boolean {
    const box = this.boxes.get(address);
    return box !== undefined && Date.now() >= box.readyAt;
  }

  /** Mail arrives: the mailbox uses `mb` more disk space. */
  deliver(address: string, mb: number): void {
    const box = this.boxes.get(address);
    if (!box) throw new Error(`No mailbox ${address} on the mail server`);
    box.usedMb += mb;
  }

  /** The disk space the mailbox uses, in MB (0 for one the server does not have). */
  usedMb(address: string): number {
    return this.boxes.get(address)?.usedMb ?? 0;
  }

  setSpamFilter(address: string, on: boolean): void {
    const box = this.boxes.get(address);
    if (box) box.spamFilter = on;
  }

  /** Every mailbox's spam filter on (what version 1.1 of the app does on upgrade). */
  setSpamFilterEverywhere(on: boolean): number {
    for (const box of this.boxes.values()) box.spamFilter = on;
    return this.boxes.size;
  }

  spamFilter(address: string): boolean {
    return this.boxes.get(address)?.spamFilter ?? false;
  }

  /** The mailboxes that can receive mail. */
  readyAddresses(): string[] {
    return [...this.boxes.values()].filter((b) => Date.now() >= b.readyAt).map((b) => b.address);
  }

  remove(address: string): void {
    this.boxes.delete(address);
  }
}

/** The one simulated server of this process. */
export const mailServer = new MailServer();
