/**
 * The whole flow on one machine: the simulated marketplace and the provisioner, and the seed's
 * scenarios (success, validation failure, transient error), a late acknowledgement, then an update
 * and a deprovision of the same subscriptions. `main.ts` prints it; the test checks it.
 */
import { startProvisioner, type Provisioner } from './provisioner';
import { SimulatedMarketplace, type Order, type RequestRecord, type ResultRecord } from './marketplace';
import type { OutageKind } from './outage';

export interface DemoOptions {
  readonly dataDir: string;
  /** Scales the provisioner's waits (the workspace's 5 s re-poll). */
  readonly timeScale: number;
  readonly log: (line: string) => void;
  /** The marketplace's wait before a retry, in ms. Default 300. */
  readonly retryDelayMs?: number;
}

export interface ScenarioReport {
  readonly name: string;
  readonly request: RequestRecord;
  readonly result: ResultRecord;
}

export interface DemoReport {
  readonly scenarios: readonly ScenarioReport[];
  readonly provisionerUrl: string;
}

// Demo-only credentials, shared by the two sides in this one process.
const SIGNING_SECRET = `whsec_${Buffer.from('acme-notes demo signing secret').toString('base64')}`;
const CLIENT = { clientId: 'acme-notes-provisioner', clientSecret: 'demo-client-secret' };

export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const { log } = options;
  const marketplace = await new SimulatedMarketplace({
    signingSecret: SIGNING_SECRET,
    ...CLIENT,
    retryDelayMs: options.retryDelayMs ?? 300,
    deliveryTimeoutMs: 1000,
  }).start();
  let provisioner: Provisioner | undefined;
  const onLog = (line: string): void => log(line);
  marketplace.events.on('log', onLog);
  try {
    provisioner = await startProvisioner({
      dataDir: options.dataDir,
      marketplaceUrl: marketplace.url,
      signingSecret: SIGNING_SECRET,
      ...CLIENT,
      timeScale: options.timeScale,
      lateMs: 1500,
    });
    marketplace.connect(provisioner.webhookUrl);
    log(`Simulated marketplace at ${marketplace.url}`);
    log(
      `Provisioner receiving webhooks at ${provisioner.webhookUrl}, its controller API at ${provisioner.controllerUrl}`,
    );

    const scenarios: ScenarioReport[] = [];
    const p = provisioner;
    const run = async (name: string, order: Order, outage?: OutageKind): Promise<ScenarioReport> => {
      log('');
      log(name);
      if (outage) p.outage.next(outage);
      const request = await marketplace.send(order);
      const result = await marketplace.waitForResult(request.id);
      const report = { name, request, result };
      scenarios.push(report);
      return report;
    };

    const success = await run('Success scenario: Contoso buys 10 seats', {
      type: 'NetNew',
      companyName: 'Contoso',
      quantity: 10,
      details: { vendorAdminEmail: 'admin@contoso.example' },
    });
    await run('Validation failure scenario: Fabrikam gives an administrator email that is in use', {
      type: 'NetNew',
      companyName: 'Fabrikam',
      quantity: 3,
      details: { vendorAdminEmail: 'it@fabrikam.example' },
    });
    const transient = await run(
      'Transient error scenario: Northwind buys while the provisioner is being deployed (first delivery answered 503)',
      { type: 'NetNew', companyName: 'Northwind', quantity: 5, details: { vendorAdminEmail: 'ops@northwind.example' } },
      '503',
    );
    // The provisioner stores the first delivery and answers it, too late: the marketplace has failed
    // that attempt and retries. One workspace, and one result, for the attempt the marketplace holds.
    await run(
      'Late acknowledgement: Litware buys while the provisioner is slow to answer (the first answer comes after the marketplace stopped waiting)',
      { type: 'NetNew', companyName: 'Litware', quantity: 2, details: { vendorAdminEmail: 'admin@litware.example' } },
      'late',
    );
    await run('Update: Contoso goes to 25 seats', {
      type: 'Update',
      companyName: 'Contoso',
      quantity: 25,
      subscriptionId: success.request.subscriptionId,
    });
    await run('Deprovision: Northwind cancels', {
      type: 'Deprovision',
      companyName: 'Northwind',
      subscriptionId: transient.request.subscriptionId,
    });

    const workspaces = (await fetch(`${p.controllerUrl}/aps/2/resources`).then((r) => r.json())) as Array<{
      companyName: string;
      seats: number;
      url?: string;
      aps: { id: string; status: string };
    }>;
    log('');
    log('Workspaces in the provisioner:');
    for (const w of workspaces)
      log(`  ${w.companyName}: ${w.seats} seats, ${w.aps.status}, ${w.url ?? '(no url)'} (resource ${w.aps.id})`);
    log('');
    log(`The transient-error request as tasks of the provisioner (GET /apskit/tasks?resourceId=…):`);
    for (const t of await p.webhooks.tasksOf(transient.request.id))
      log(`  ${t.status.padEnd(9)} ${t.name}: ${t.output}`);
    const failed = await p.controller.listTasks({ status: 'failed' });
    log(`Failed tasks: ${failed.map((t) => t.name).join('; ') || 'none'}`);
    return { scenarios, provisionerUrl: p.url };
  } finally {
    marketplace.events.off('log', onLog);
    await provisioner?.close();
    await marketplace.stop();
  }
}
