/**
 * Every operation of the seed, in order, each run synchronously: an account, a trial, a trial that
 * cannot be automated (EDR), its conversion, a subscription, its amendment and its suspension.
 * Later steps use what earlier ones gave (account, tenant ids); when one of those is missing, the
 * steps that need it are skipped rather than run on nothing.
 */
import { SyncWorkflow, type Outcome, type Result, type WorkflowOptions } from './workflow';
import { VendorClient } from './vendor-client';

export interface Step {
  readonly title: string;
  /** What the seed says this step ends in. */
  readonly expected: Result;
  readonly outcome: Outcome;
}

export interface SeedOptions extends WorkflowOptions {
  /** Called as each step ends, to print it. */
  readonly onStep?: (step: Step) => void;
}

export async function runSeed(vendorUrl: string, options: SeedOptions = {}): Promise<Step[]> {
  const flow = new SyncWorkflow(new VendorClient(vendorUrl), options);
  const steps: Step[] = [];
  const step = async (title: string, expected: Result, run: () => Promise<Outcome> | undefined): Promise<Outcome> => {
    const outcome = (await run()) ?? skipped(title);
    const s = { title, expected, outcome };
    steps.push(s);
    options.onStep?.(s);
    return outcome;
  };
  const given = (o: Outcome, key: string): string | undefined => (o.result === 'confirmed' ? o.data[key] : undefined);

  const account = await step('create account', 'confirmed', () =>
    flow.createAccount({ companyName: 'Contoso Ltd', contact: { name: 'Ada Lovelace', email: 'ada@contoso.example' } }),
  );
  const accountId = given(account, 'accountId');
  const contactId = given(account, 'contactId');
  const withAccount = <T>(fn: (accountId: string, contactId: string) => T): T | undefined =>
    accountId && contactId ? fn(accountId, contactId) : undefined;

  const trial = await step('create trial', 'confirmed', () =>
    withAccount((a, c) => flow.createTrial({ accountId: a, contactId: c, product: 'RMM' })),
  );
  await step('create trial (EDR)', 'failed', () =>
    withAccount((a, c) => flow.createTrial({ accountId: a, contactId: c, product: 'EDR' })),
  );
  const trialTenant = given(trial, 'tenantId');
  await step('convert trial', 'confirmed', () =>
    withAccount((a) =>
      trialTenant ? flow.convertTrial({ accountId: a, tenantId: trialTenant, quantity: 50 }) : undefined,
    ),
  );
  const subscription = await step('create subscription', 'confirmed', () =>
    withAccount((a, c) => flow.createSubscription({ accountId: a, contactId: c, product: 'Backup', quantity: 25 })),
  );
  const tenant = given(subscription, 'tenantId');
  await step('amend subscription', 'unconfirmable', () =>
    tenant ? flow.amendSubscription({ tenantId: tenant, quantity: 40 }) : undefined,
  );
  await step('suspend subscription', 'confirmed', () =>
    withAccount((a) => (tenant ? flow.suspendSubscription({ accountId: a, tenantId: tenant }) : undefined)),
  );
  return steps;
}

function skipped(operation: string): Outcome {
  return {
    operation,
    result: 'skipped',
    requestId: '',
    data: {},
    reason: 'an earlier step did not give what this one needs',
    elapsedMs: 0,
    polls: 0,
    retries: 0,
  };
}

/** One line per step: what it is, how it ended, what it gave or why, and its request id. */
export function formatStep(s: Step): string {
  const o = s.outcome;
  const mark = o.result === s.expected ? 'ok  ' : 'FAIL';
  const detail =
    o.result === 'confirmed'
      ? Object.entries(o.data)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')
      : (o.reason ?? '');
  const timing =
    o.requestId === ''
      ? `${(o.elapsedMs / 1000).toFixed(1)} s`
      : `request ${o.requestId}, ${(o.elapsedMs / 1000).toFixed(1)} s, ` +
        `${plural(o.polls, 'status read')}, ${plural(o.retries, 'retry', 'retries')}`;
  return `${mark} ${s.title.padEnd(21)} ${o.result.padEnd(13)} ${detail}\n${' '.repeat(27)}(${timing})`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
