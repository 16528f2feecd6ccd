/**
 * The provisioner: the workspace type, served by APSKit's controller, with the webhook intake in
 * front. This is all the code a marketplace provisioner needs beyond its type.
 */
import { UnprocessableEntityError } from '@apskit/core';
import { startWebhookProvisioner, type ProvisionNotification, type RunningProvisioner } from '@apskit/webhooks';
import { Outage } from './outage';
import { Workspace } from './workspace';

export interface ProvisionerConfig {
  /** Where the SQLite file goes. */
  readonly dataDir: string;
  /** The simulated marketplace's base URL (its token and results endpoints). */
  readonly marketplaceUrl: string;
  /** The secret the marketplace signs its webhooks with. */
  readonly signingSecret: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The webhook port, where the marketplace delivers. Default: a free one. */
  readonly port?: number;
  /**
   * The controller's API and console (resources, tasks) on a port of their own, on 127.0.0.1.
   * Default: a free one. The webhook port never serves them.
   */
  readonly controllerPort?: number;
  readonly timeScale?: number;
  /** How late a `late` outage answers, in ms. */
  readonly lateMs?: number;
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
  return {
    adminEmail: email.trim().toLowerCase(),
    companyName:
      typeof n.provisionRequest.companyName === 'string' ? n.provisionRequest.companyName : 'Unnamed company',
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
    // The demo shows the workspaces and tasks through the controller's API: asked for, on a
    // listener of its own, so that the marketplace-facing port serves only the intake.
    controllerApi: { port: config.controllerPort ?? 0 },
    timeScale: config.timeScale,
    pollMs: 50,
    intakeMiddleware: [outage.middleware],
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
      authentication: { hmac: { secrets: [config.signingSecret] } },
      results: {
        url: `${config.marketplaceUrl}/provision-requests/{provisionRequestId}/results`,
        authentication: {
          oauth2: {
            tokenUrl: `${config.marketplaceUrl}/oauth/token`,
            clientId: config.clientId,
            clientSecret: config.clientSecret,
          },
        },
      },
    },
  });
  return { ...running, outage, close: () => running.close() };
}
