/**
 * The benchmark's provisioner process: a minimal app (a `seat` whose provision() answers at once) on
 * SQLite as shipped (every commit synced), with HMAC-authenticated webhooks and results posted to the
 * benchmark's receiver. Prints `url <webhook url> <controller API url>` once serving.
 *
 *   provisioner.ts <dataDir> <resultsUrl> <secret> <acknowledge-first|baseline>
 */
import { ApsType, CoreTypes, Property } from '@apskit/core';
import { startWebhookProvisioner } from '@apskit/webhooks';

const [dataDir, resultsUrl, secret, mode] = process.argv.slice(2) as [string, string, string, string];

@ApsType({ name: 'seat', id: 'http://apskit.bench/webhooks/seat/1.0', implements: [CoreTypes.resource] })
class Seat {
  @Property({ required: true })
  owner!: string;

  provision(): void {
    // Nothing to do: the benchmark measures the provisioner, not the app.
  }
}

async function main(): Promise<void> {
  const running = await startWebhookProvisioner({
    app: { name: 'seats', services: { seats: Seat } },
    dataDir,
    port: 0,
    controllerApi: true, // the benchmark counts the intake tasks (the writes of the acknowledgements)
    webhooks: {
      type: Seat,
      resource: (n) => ({ owner: String(n.provisionDetail?.details?.owner ?? 'nobody') }),
      authentication: { hmac: { secrets: [secret] } },
      results: { url: resultsUrl, timeoutMs: 10_000 },
      // `baseline`: every acknowledgement its own write, processing not yielding (as before issue 20).
      acknowledgeFirst: mode !== 'baseline',
    },
  });
  process.stdout.write(`url ${running.webhookUrl} ${running.controllerUrl}\n`);
  process.once('SIGTERM', () => void running.close().then(() => process.exit(0)));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
