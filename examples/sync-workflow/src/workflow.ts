/**
 * The seed's synchronous workflow, on the vendor's asynchronous API: each operation submits with a
 * unique request id, waits, polls tenant status until the expected data appears, checks for an
 * error recorded against the request id between polls, and gives up at a deadline. The loop is
 * @apskit/client's `pollUntil`; this file only says, per operation, what "ready" means.
 */
import { randomUUID } from 'node:crypto';
import {
  OperationFailedError,
  OperationTimeoutError,
  pollUntil,
  type PollContext,
  type Progress,
  type RetryNotice,
  type Schedule,
} from '@apskit/client';
import { VendorApiError, type Accepted, type Call, type TenantView, type VendorClient } from './vendor-client';

/** How long to wait, in the vendor's seconds (the seed's figures); `timeScale` shrinks them. */
export const WAITS = {
  // "wait for a period of time (recommended 120 seconds)", then check again and again.
  trial: { initialDelay: 120, interval: 30, deadline: 15 * 60 },
  // "Provisioning usually takes around 3-5 minutes."
  convert: { initialDelay: 180, interval: 30, deadline: 15 * 60 },
  // "Provisioning usually takes around 5-7 minutes."
  subscription: { initialDelay: 300, interval: 30, deadline: 20 * 60 },
  // "This is near instant."
  suspend: { initialDelay: 2, interval: 2, deadline: 2 * 60 },
  // Not confirmable: only the error log can be read, once the vendor has checked the request.
  amend: { initialDelay: 30, interval: 10, deadline: 2 * 60 },
} as const satisfies Record<string, Schedule & { initialDelay: number; interval: number; deadline: number }>;

const DEFAULT_MIN_DEADLINE = 5000;

export type Result = 'confirmed' | 'failed' | 'timed-out' | 'unconfirmable' | 'skipped';

export interface Outcome {
  readonly operation: string;
  readonly result: Result;
  /** Empty for an operation that sends none (create account) or was skipped. */
  readonly requestId: string;
  /** What the operation gave (ids, contract), when confirmed. */
  readonly data: Readonly<Record<string, string>>;
  /** Why it failed, timed out, cannot be confirmed, or was skipped. */
  readonly reason?: string;
  readonly elapsedMs: number;
  readonly polls: number;
  readonly retries: number;
}

export interface WorkflowOptions {
  /** The vendor's time scale, so that the waits match its (scaled) provisioning times. Default 1. */
  readonly timeScale?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (operation: string, progress: Progress<unknown>) => void;
  readonly onRetry?: (operation: string, notice: RetryNotice) => void;
  /**
   * The shortest deadline, in real milliseconds, whatever the time scale: HTTP calls and retries
   * take real time, and a deadline scaled down to a few hundred ms would leave them none. Default 5000.
   */
  readonly minDeadline?: number;
  /** Overrides WAITS (in vendor seconds), per operation. */
  readonly waits?: Partial<Record<keyof typeof WAITS, Schedule>>;
}

interface Track {
  polls: number;
  retries: number;
  readonly hooks: {
    readonly signal: AbortSignal | undefined;
    readonly onProgress: (p: Progress<unknown>) => void;
    readonly onRetry: (n: RetryNotice) => void;
  };
}

interface Confirm<S> {
  readonly operation: string;
  readonly waits: keyof typeof WAITS;
  readonly submit: (call: Call) => Promise<Accepted>;
  readonly status: (ctx: PollContext) => Promise<S>;
  readonly isReady: (status: S) => boolean;
  readonly messageOf: (status: S) => string;
  readonly data: (status: S) => Record<string, string>;
}

export class SyncWorkflow {
  constructor(
    readonly vendor: VendorClient,
    readonly options: WorkflowOptions = {},
  ) {}

  /**
   * Synchronous by design. It carries no request id, so it is not retried: if an answer were lost,
   * a retry could make a second account.
   */
  async createAccount(account: { companyName: string; contact: { name: string; email: string } }): Promise<Outcome> {
    const started = Date.now();
    try {
      const ids = await this.vendor.createAccount(account, this.options.signal);
      return outcome('create account', 'confirmed', '', started, { data: ids });
    } catch (e) {
      return this.failure('create account', '', started, e, this.track('create account'));
    }
  }

  /** Done when tenant status shows a new tenant of the product, with its tenant and opportunity ids. */
  async createTrial(t: { accountId: string; contactId: string; product: string }): Promise<Outcome> {
    const before = this.tenantsBefore(t.accountId);
    return this.confirm<TenantView | undefined>({
      operation: `create trial (${t.product})`,
      waits: 'trial',
      submit: async (call) => {
        await before.read(call.signal);
        return this.vendor.createTrial(t, call);
      },
      status: (ctx) => this.newTenant(t.accountId, t.product, before.ids, ctx.signal),
      isReady: (tenant) => Boolean(tenant?.tenantId && tenant.opportunityId),
      messageOf: (tenant) => (tenant ? `tenant ${tenant.tenantId} is ${tenant.tenantStatus}` : 'no tenant yet'),
      data: (tenant) => ({ tenantId: tenant?.tenantId ?? '', opportunityId: tenant?.opportunityId ?? '' }),
    });
  }

  /** Done when the tenant has a contract name and end date. */
  async convertTrial(c: { accountId: string; tenantId: string; quantity: number }): Promise<Outcome> {
    return this.confirm<TenantView | undefined>({
      operation: 'convert trial',
      waits: 'convert',
      submit: (call) => this.vendor.convertTrial(c.tenantId, { quantity: c.quantity }, call),
      status: (ctx) => this.tenant(c.accountId, c.tenantId, ctx.signal),
      isReady: (tenant) => Boolean(tenant?.contractName && tenant.contractEndDate),
      messageOf: (tenant) => `tenant ${c.tenantId} is ${tenant?.tenantStatus ?? 'gone'}`,
      data: contractOf,
    });
  }

  /** Trial and conversion in one: done when a new tenant of the product has its ids and a contract. */
  async createSubscription(s: {
    accountId: string;
    contactId: string;
    product: string;
    quantity: number;
  }): Promise<Outcome> {
    const before = this.tenantsBefore(s.accountId);
    return this.confirm<TenantView | undefined>({
      operation: `create subscription (${s.product})`,
      waits: 'subscription',
      submit: async (call) => {
        await before.read(call.signal);
        return this.vendor.createSubscription(s, call);
      },
      status: (ctx) => this.newTenant(s.accountId, s.product, before.ids, ctx.signal),
      isReady: (tenant) => Boolean(tenant?.opportunityId && tenant.contractName && tenant.contractEndDate),
      messageOf: (tenant) => (tenant ? `tenant ${tenant.tenantId} is ${tenant.tenantStatus}` : 'no tenant yet'),
      data: contractOf,
    });
  }

  /**
   * Amending changes no id (contract and tenant stay the same), so tenant status cannot confirm it.
   * Rather than poll for a change that will never show, this submits, reads the error log once the
   * vendor has checked the request, and says that it cannot be confirmed (or that it failed).
   */
  async amendSubscription(a: { tenantId: string; quantity: number }): Promise<Outcome> {
    const operation = 'amend subscription';
    const waits = this.schedule('amend');
    const requestId = randomUUID();
    const started = Date.now();
    const track = this.track(operation);
    try {
      const result = await pollUntil<Accepted, string | undefined>({
        ...waits,
        ...track.hooks,
        requestId,
        submit: (ctx) => this.vendor.amendSubscription(a.tenantId, { quantity: a.quantity }, ctx),
        // One look at the error log, which is all there is to look at.
        status: (_accepted, ctx) => this.vendor.errorFor(ctx.requestId, ctx.signal),
        isReady: () => true,
      });
      const counts = { polls: result.polls, retries: track.retries };
      if (result.status !== undefined)
        return outcome(operation, 'failed', requestId, started, { ...counts, reason: result.status });
      const checkedAfter = Number(((waits.initialDelay ?? 0) / 1000 / this.scale).toFixed(1));
      return outcome(operation, 'unconfirmable', requestId, started, {
        ...counts,
        reason:
          'Amend subscription cannot be confirmed via the tenant status endpoint (contract and tenant stay the ' +
          `same); no error was recorded for request ${requestId} in its first ${checkedAfter} s`,
      });
    } catch (e) {
      return this.failure(operation, requestId, started, e, track);
    }
  }

  /** Done when the tenant's status is Suspended. */
  async suspendSubscription(s: { accountId: string; tenantId: string }): Promise<Outcome> {
    return this.confirm<TenantView | undefined>({
      operation: 'suspend subscription',
      waits: 'suspend',
      submit: (call) => this.vendor.suspendSubscription(s.tenantId, call),
      status: (ctx) => this.tenant(s.accountId, s.tenantId, ctx.signal),
      isReady: (tenant) => tenant?.tenantStatus === 'Suspended',
      messageOf: (tenant) => `tenant ${s.tenantId} is ${tenant?.tenantStatus ?? 'gone'}`,
      data: (tenant) => ({ tenantId: s.tenantId, tenantStatus: tenant?.tenantStatus ?? '' }),
    });
  }

  /** The seed's loop for one operation, and its outcome. */
  private async confirm<S>(c: Confirm<S>): Promise<Outcome> {
    const requestId = randomUUID();
    const started = Date.now();
    const track = this.track(c.operation);
    try {
      const result = await pollUntil<Accepted, S>({
        ...this.schedule(c.waits),
        ...track.hooks,
        requestId,
        submit: (ctx) => c.submit(ctx),
        status: (_accepted, ctx) => c.status(ctx),
        isReady: c.isReady,
        messageOf: c.messageOf,
        // "If the data is not ready yet, check if an error was returned for the submitted request ID."
        errorFor: (id, _accepted, ctx) => this.vendor.errorFor(id, ctx.signal),
      });
      return outcome(c.operation, 'confirmed', requestId, started, {
        data: c.data(result.status),
        polls: result.polls,
        retries: track.retries,
      });
    } catch (e) {
      return this.failure(c.operation, requestId, started, e, track);
    }
  }

  /** What the loop failed with, as an outcome; an abort, or an error no outcome describes, is thrown. */
  private failure(operation: string, requestId: string, started: number, e: unknown, track: Track): Outcome {
    if (this.options.signal?.aborted) throw e; // the caller stopped: not an outcome to report
    const counts = { polls: track.polls, retries: track.retries };
    if (e instanceof OperationTimeoutError)
      return outcome(operation, 'timed-out', requestId, started, { ...counts, reason: e.message });
    if (e instanceof OperationFailedError)
      return outcome(operation, 'failed', requestId, started, { ...counts, reason: e.output });
    // A refusal at submit (4xx): the request itself is wrong.
    if (e instanceof VendorApiError)
      return outcome(operation, 'failed', requestId, started, { ...counts, reason: e.message });
    throw e;
  }

  /** The caller's signal and callbacks for one operation, counting reads and retries on the way. */
  private track(operation: string): Track {
    const t: Track = {
      polls: 0,
      retries: 0,
      hooks: {
        signal: this.options.signal,
        onProgress: (p) => {
          t.polls = p.poll;
          this.options.onProgress?.(operation, p);
        },
        onRetry: (n) => {
          t.retries++;
          this.options.onRetry?.(operation, n);
        },
      },
    };
    return t;
  }

  private get scale(): number {
    return this.options.timeScale ?? 1;
  }

  /** WAITS in milliseconds, scaled, the backoff fixed: the seed polls at a steady pace. */
  private schedule(which: keyof typeof WAITS): Schedule {
    const w: Schedule = { ...WAITS[which], ...this.options.waits?.[which] };
    const ms = (s: number | undefined): number | undefined => (s === undefined ? undefined : s * 1000 * this.scale);
    return {
      initialDelay: ms(w.initialDelay),
      interval: ms(w.interval),
      maxInterval: ms(w.maxInterval ?? w.interval),
      backoff: w.backoff ?? 1,
      deadline:
        w.deadline instanceof Date
          ? w.deadline
          : Math.max(ms(w.deadline) ?? 0, this.options.minDeadline ?? DEFAULT_MIN_DEADLINE),
    };
  }

  /**
   * The account's tenants before a create, so that the new one can be told apart. Read in the
   * submit, once: it is then retried like the submit, under the operation's deadline.
   */
  private tenantsBefore(accountId: string): {
    ids: Set<string>;
    read: (signal: AbortSignal | undefined) => Promise<void>;
  } {
    const ids = new Set<string>();
    let done = false;
    return {
      ids,
      read: async (signal) => {
        if (done) return;
        for (const t of (await this.vendor.tenantStatus(accountId, signal)).tenants) ids.add(t.tenantId);
        done = true;
      },
    };
  }

  private async newTenant(
    accountId: string,
    product: string,
    before: ReadonlySet<string>,
    signal: AbortSignal,
  ): Promise<TenantView | undefined> {
    const { tenants } = await this.vendor.tenantStatus(accountId, signal);
    return tenants.find((t) => t.product === product && !before.has(t.tenantId));
  }

  private async tenant(accountId: string, tenantId: string, signal: AbortSignal): Promise<TenantView | undefined> {
    const { tenants } = await this.vendor.tenantStatus(accountId, signal);
    return tenants.find((t) => t.tenantId === tenantId);
  }
}

function contractOf(tenant: TenantView | undefined): Record<string, string> {
  return {
    tenantId: tenant?.tenantId ?? '',
    opportunityId: tenant?.opportunityId ?? '',
    contractName: tenant?.contractName ?? '',
    contractEndDate: tenant?.contractEndDate ?? '',
  };
}

function outcome(
  operation: string,
  result: Result,
  requestId: string,
  started: number,
  more: { data?: Record<string, string>; reason?: string; polls?: number; retries?: number },
): Outcome {
  return {
    operation,
    result,
    requestId,
    data: more.data ?? {},
    ...(more.reason === undefined ? {} : { reason: more.reason }),
    elapsedMs: Date.now() - started,
    polls: more.polls ?? 0,
    retries: more.retries ?? 0,
  };
}
