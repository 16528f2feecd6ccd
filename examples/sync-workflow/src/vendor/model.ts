/**
 * The simulated vendor: accounts, tenants and their provisioning, as the seed describes them.
 * Creating an account is synchronous; everything else is accepted at once and done later, after a
 * realistic delay (minutes, scaled by `timeScale`), either changing a tenant or recording an error
 * against the request id. Nothing here knows HTTP; ./server.ts serves it.
 */
import { createHash } from 'node:crypto';

export interface VendorOptions {
  /** Multiplies every delay: 0.005 turns the 5 to 7 minutes of a subscription into 1.5 to 2.1 s. Default 1. */
  readonly timeScale?: number;
  /** Seeds the delays, so that a run can be repeated. Default 1. */
  readonly seed?: number;
  /** Every n-th tenant-status request answers 503, as a busy API does now and then. Default: never. */
  readonly statusFailureEvery?: number;
  /** Suspends every provisioning: work is accepted and never done (for deadline tests). */
  readonly stalled?: boolean;
}

export type TenantStatus = 'Trial' | 'Active' | 'Suspended';

/** A tenant as the tenant-status endpoint shows it. Committed quantities are not shown: see amend. */
export interface TenantView {
  readonly tenantId: string;
  readonly accountId: string;
  readonly product: string;
  readonly opportunityId: string;
  readonly tenantStatus: TenantStatus;
  readonly trialEndDate?: string;
  readonly contractName?: string;
  readonly contractEndDate?: string;
}

interface Tenant extends TenantView {
  /** Devices committed in the contract: what amend changes, and what tenant status does not show. */
  readonly committedQuantity?: number;
}

export interface ErrorEntry {
  readonly requestId: string;
  readonly operation: string;
  readonly message: string;
  readonly at: string;
}

/** The answer to every asynchronous operation: accepted, to be done later. */
export interface AcceptedAnswer {
  readonly requestId: string;
  readonly operation: string;
  readonly status: 'Accepted';
}

/** An error the API answers at once (validation, unknown ids, a reused request id). */
export class VendorRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Products whose trials cannot be provisioned automatically (from the seed). */
export const NO_AUTOMATED_TRIAL = ['N-Central', 'EDR'];

/** Seconds each operation takes, as the seed tells: [shortest, longest]. */
export const DURATIONS = {
  trial: [90, 150], // "wait for a period of time (recommended 120 seconds)"
  convert: [180, 300], // "usually takes around 3-5 minutes"
  subscription: [300, 420], // "usually takes around 5-7 minutes"
  amend: [120, 240],
  suspend: [1, 3], // "near instant"
  check: [1, 5], // the vendor's own checks of a request, before the work starts
} as const satisfies Record<string, readonly [number, number]>;

export class Vendor {
  readonly timeScale: number;
  private readonly accounts = new Map<string, { accountId: string; contactId: string; companyName: string }>();
  private readonly tenants = new Map<string, Tenant>();
  private readonly errors: ErrorEntry[] = [];
  private readonly requests = new Map<string, { fingerprint: string; answer: AcceptedAnswer }>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly random: () => number;
  private seq = 1000;

  constructor(readonly options: VendorOptions = {}) {
    this.timeScale = options.timeScale ?? 1;
    if (!(this.timeScale > 0)) throw new Error(`timeScale must be positive, not ${this.timeScale}`);
    this.random = mulberry32(options.seed ?? 1);
  }

  /** Synchronous by design: answers the ids the later calls need. */
  createAccount(body: { companyName?: unknown; contact?: { name?: unknown; email?: unknown } }): {
    accountId: string;
    contactId: string;
  } {
    const companyName = text(body.companyName, 'companyName');
    text(body.contact?.name, 'contact.name');
    text(body.contact?.email, 'contact.email');
    const account = { accountId: this.id('ACC'), contactId: this.id('CON'), companyName };
    this.accounts.set(account.accountId, account);
    return { accountId: account.accountId, contactId: account.contactId };
  }

  createTrial(body: Record<string, unknown>): AcceptedAnswer {
    const { accountId, product } = this.accountAndProduct(body);
    return this.accept(
      'createTrial',
      body,
      () =>
        NO_AUTOMATED_TRIAL.includes(product)
          ? `Automated trial provisioning is currently unavailable for ${NO_AUTOMATED_TRIAL.join(' and ')}`
          : undefined,
      DURATIONS.trial,
      () => this.addTenant({ accountId, product, tenantStatus: 'Trial', trialEndDate: daysFromNow(30) }),
    );
  }

  convertTrial(tenantId: string, body: Record<string, unknown>): AcceptedAnswer {
    const tenant = this.tenant(tenantId);
    const quantity = count(body.quantity, 'quantity');
    return this.accept(
      'convertTrial',
      { tenantId, ...body },
      () => (tenant.tenantStatus === 'Trial' ? undefined : `Tenant ${tenantId} is ${tenant.tenantStatus}, not a trial`),
      DURATIONS.convert,
      () => {
        const { trialEndDate: _ended, ...now } = this.tenant(tenantId);
        this.tenants.set(tenantId, { ...now, ...this.contract(quantity), tenantStatus: 'Active' });
      },
    );
  }

  /** Trial and conversion in one: an immediately contracted tenant. */
  createSubscription(body: Record<string, unknown>): AcceptedAnswer {
    const { accountId, product } = this.accountAndProduct(body);
    const quantity = count(body.quantity, 'quantity');
    return this.accept(
      'createSubscription',
      body,
      () => undefined,
      DURATIONS.subscription,
      () => this.addTenant({ accountId, product, tenantStatus: 'Active', ...this.contract(quantity) }),
    );
  }

  /** Raises the committed quantity. Contract and tenant stay the same, so tenant status cannot show it. */
  amendSubscription(tenantId: string, body: Record<string, unknown>): AcceptedAnswer {
    const tenant = this.tenant(tenantId);
    const quantity = count(body.quantity, 'quantity');
    const committed = tenant.committedQuantity ?? 0;
    return this.accept(
      'amendSubscription',
      { tenantId, ...body },
      () =>
        tenant.tenantStatus !== 'Active'
          ? `Tenant ${tenantId} is ${tenant.tenantStatus}: only an active contract can be amended`
          : quantity <= committed
            ? `Amend can only raise the committed quantity (now ${committed}), not set it to ${quantity}`
            : undefined,
      DURATIONS.amend,
      () => this.tenants.set(tenantId, { ...this.tenant(tenantId), committedQuantity: quantity }),
    );
  }

  suspendSubscription(tenantId: string, body: Record<string, unknown>): AcceptedAnswer {
    const tenant = this.tenant(tenantId);
    return this.accept(
      'suspendSubscription',
      { tenantId, ...body },
      () =>
        tenant.tenantStatus === 'Active'
          ? undefined
          : `Tenant ${tenantId} is ${tenant.tenantStatus}: only an active subscription can be suspended`,
      DURATIONS.suspend,
      () => this.tenants.set(tenantId, { ...this.tenant(tenantId), tenantStatus: 'Suspended' }),
    );
  }

  /** The tenant status endpoint: an account's tenants, without what amend changes. */
  tenantStatus(accountId: string): { accountId: string; tenants: TenantView[] } {
    if (!this.accounts.has(accountId)) throw new VendorRefusal(404, `No account ${accountId}`);
    const tenants = [...this.tenants.values()]
      .filter((t) => t.accountId === accountId)
      .map(({ committedQuantity: _hidden, ...view }) => view);
    return { accountId, tenants };
  }

  /** The errors recorded against a request id (none while it is in progress or when it succeeded). */
  errorsFor(requestId: string): ErrorEntry[] {
    return this.errors.filter((e) => e.requestId === requestId);
  }

  /** What amend changed, for tests: the committed quantity tenant status does not show. */
  committedQuantity(tenantId: string): number | undefined {
    return this.tenants.get(tenantId)?.committedQuantity;
  }

  /** Stops pending work (the server is closing). */
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /**
   * Accepts an operation under its request id. A repeat with the same id and body answers the same
   * and does nothing more (a client retrying a lost answer must not provision twice); the same id
   * with another body is refused. The request is checked soon after (`check`: an error message, or
   * undefined), and done after `duration`; an error either way is recorded against the request id.
   */
  private accept(
    operation: string,
    body: Record<string, unknown>,
    check: () => string | undefined,
    duration: readonly [number, number],
    work: () => void,
  ): AcceptedAnswer {
    const requestId = text(body.requestId, 'requestId');
    const fingerprint = createHash('sha256')
      .update(`${operation}:${canonical(body)}`)
      .digest('hex');
    const seen = this.requests.get(requestId);
    if (seen) {
      if (seen.fingerprint !== fingerprint)
        throw new VendorRefusal(409, `Request id ${requestId} was already used for another request`);
      return seen.answer;
    }
    const answer: AcceptedAnswer = { requestId, operation, status: 'Accepted' };
    this.requests.set(requestId, { fingerprint, answer });
    if (this.options.stalled) return answer;
    const record = (message: string): void => {
      this.errors.push({ requestId, operation, message, at: new Date().toISOString() });
    };
    this.later(DURATIONS.check, () => {
      const refused = check();
      if (refused !== undefined) return record(refused);
      this.later(duration, () => {
        try {
          work();
        } catch (e) {
          record(e instanceof Error ? e.message : String(e));
        }
      });
    });
    return answer;
  }

  /** Runs `fn` after a delay drawn from `[shortest, longest]` vendor seconds, scaled. */
  private later(range: readonly [number, number], fn: () => void): void {
    const seconds = range[0] + (range[1] - range[0]) * this.random();
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        fn();
      },
      seconds * 1000 * this.timeScale,
    );
    this.timers.add(timer);
  }

  private accountAndProduct(body: Record<string, unknown>): { accountId: string; product: string } {
    const accountId = text(body.accountId, 'accountId');
    const contactId = text(body.contactId, 'contactId');
    const account = this.accounts.get(accountId);
    if (!account) throw new VendorRefusal(404, `No account ${accountId}`);
    if (account.contactId !== contactId)
      throw new VendorRefusal(400, `Contact ${contactId} is not account ${accountId}'s`);
    return { accountId, product: text(body.product, 'product') };
  }

  private tenant(tenantId: string): Tenant {
    const tenant = this.tenants.get(tenantId);
    if (!tenant) throw new VendorRefusal(404, `No tenant ${tenantId}`);
    return tenant;
  }

  private addTenant(t: Omit<Tenant, 'tenantId' | 'opportunityId'>): void {
    const tenantId = this.id('TEN');
    this.tenants.set(tenantId, { tenantId, opportunityId: this.id('OPP'), ...t });
  }

  private contract(quantity: number): Pick<Tenant, 'contractName' | 'contractEndDate' | 'committedQuantity'> {
    return { contractName: this.id('CONTRACT'), contractEndDate: daysFromNow(365), committedQuantity: quantity };
  }

  private id(prefix: string): string {
    return `${prefix}-${++this.seq}`;
  }
}

function text(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') throw new VendorRefusal(400, `${field} is required`);
  return v;
}

function count(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    throw new VendorRefusal(400, `${field} must be a positive integer`);
  return v;
}

function daysFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** JSON with sorted keys: the same request in another key order is the same request. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** A small seeded PRNG: repeatable delays without a dependency. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
