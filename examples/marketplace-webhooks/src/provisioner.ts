/**
 * The provisioner: the workspace type, served by APSKit's controller, with the webhook intake in
 * front. This is all the code a marketplace provisioner needs beyond its type.
 */
import { UnprocessableEntityError } from '@apskit/core';
import { startWebhookProvisioner, type ProvisionNotification, type RunningProvisioner } from '@apskit/webhooks';
import { accounts } from './accounts';
import { Outage } from './outage';
import { addressOf, Workspace } from './workspace';

export interface ProvisionerConfig {
  /** Where the SQLite file goes. */
  readonly dataDir: string;
  /**
   * The marketplace's base URL: results go to `<base>/provision-requests/{provisionRequestId}/results`
   * and tokens come from `<base>/oauth/token`, unless `resultsUrl` and `tokenUrl` say otherwise.
   */
  readonly marketplaceUrl: string;
  /** Where results go, with `{provisionRequestId}` in it. */
  readonly resultsUrl?: string;
  /** The marketplace's OAuth2 token endpoint (client credentials). */
  readonly tokenUrl?: string;
  /** The secret the marketplace signs its webhooks with. */
  readonly signingSecret: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The webhook port, where the marketplace delivers. Default: a free one. */
  readonly port?: number;
  /** The webhook port's address. Default 127.0.0.1; `0.0.0.0` for a marketplace elsewhere. */
  readonly host?: string;
  /**
   * The controller's API and console (resources, tasks) on a port of their own, on 127.0.0.1.
   * Default: a free one. The webhook port never serves them.
   */
  readonly controllerPort?: number;
  readonly timeScale?: number;
  /** How late a `late` outage answers, in ms. */
  readonly lateMs?: number;
  /**
   * Puts the `outage` simulation in front of the intake (the demo and the tests use it). Default
   * true; the provisioner alone (`--provisioner-only`) runs without it.
   */
  readonly simulatedOutages?: boolean;
  /**
   * How long after its last result was refused, with no newer attempt, a provisioned request counts
   * as given up by the marketplace and is unprovisioned (`webhooks.orphans.afterSeconds`, scaled by
   * `timeScale`). Default: the library's.
   */
  readonly orphanAfterSeconds?: number;
}

export interface Provisioner extends RunningProvisioner {
  readonly outage: Outage;
}

/** The workspace a notification asks for. Missing data is the buyer's to fix: a Fail with a message. */
export function workspaceOf(n: ProvisionNotification): Record<string, unknown> {
  const email = n.provisionDetail?.details?.vendorAdminEmail;
  if (typeof email !== 'string' || email.trim() === '')
    throw new UnprocessableEntityError(
      'No administrator email was entered: enter the email of the workspace administrator',
    );
  const companyName =
    typeof n.provisionRequest.companyName === 'string' ? n.provisionRequest.companyName : 'Unnamed company';
  // The reason comes last, after the buyer's own text, which may be long: a provisioner that keeps
  // an errorMessage within the marketplace's limit must keep this end of it.
  if (addressOf(companyName) === '')
    throw new UnprocessableEntityError(
      `The company name "${companyName}" has no letter or digit to make the workspace's address from: enter a company name with letters or digits`,
    );
  return {
    adminEmail: email.trim().toLowerCase(),
    // The same on every delivery of the request: provisioning is idempotent by it.
    provisionRequestId: n.provisionRequest.id,
    companyName,
    seats: n.provisionRequest.quantity ?? 1,
    plan: n.provisionRequest.type === 'TrialCreate' ? 'trial' : 'standard',
  };
}

export async function startProvisioner(config: ProvisionerConfig): Promise<Provisioner> {
  const outage = new Outage(config.lateMs);
  const running = await startWebhookProvisioner({
    app: { name: 'acme-notes', services: { workspaces: Workspace } },
    dataDir: config.dataDir,
    port: config.port ?? 0,
    host: config.host,
    // The demo shows the workspaces and tasks through the controller's API: asked for, on a
    // listener of its own, so that the marketplace-facing port serves only the intake.
    controllerApi: { port: config.controllerPort ?? 0 },
    timeScale: config.timeScale,
    pollMs: 50,
    intakeMiddleware: config.simulatedOutages === false ? [] : [outage.middleware],
    webhooks: {
      type: Workspace,
      resource: workspaceOf,
      requestTypes: {
        Update: { operation: 'configure', resource: (n) => ({ seats: n.provisionRequest.quantity }) },
        TrialConvert: { operation: 'configure', resource: () => ({ plan: 'standard' }) },
        Renewal: {
          operation: 'custom',
          name: 'renew',
          body: (n) => ({ endDate: n.provisionRequest.commitmentTermEndDate }),
        },
      },
      // A provisioning the marketplace gave up on is unprovisioned, which frees the email (the
      // library's default policy, spelled out: an example is a template).
      orphans: { policy: 'compensate', afterSeconds: config.orphanAfterSeconds },
      authentication: { hmac: { secrets: [config.signingSecret] } },
      results: {
        url: config.resultsUrl ?? `${config.marketplaceUrl}/provision-requests/{provisionRequestId}/results`,
        authentication: {
          oauth2: {
            tokenUrl: config.tokenUrl ?? `${config.marketplaceUrl}/oauth/token`,
            clientId: config.clientId,
            clientSecret: config.clientSecret,
          },
        },
      },
    },
  });
  // The account directory lives in the controller's store, beside the tasks (see accounts.ts).
  await accounts.attach(running.controller.keyValues);
  return { ...running, outage, close: () => running.close() };
}
