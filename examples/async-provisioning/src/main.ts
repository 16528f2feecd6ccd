/**
 * Runs the sample the way a developer watches it: the endpoint and APSKit's embedded controller in
 * one process, on http://127.0.0.1:3000 (PORT), with resources and tasks in a SQLite file under
 * APSKIT_DATA_DIR (default .apskit). APSKIT_TIME_SCALE=0.01 turns the sample's 30 s into 300 ms.
 */
import { startController } from '@apskit/controller';
import { services } from './index';

async function main(): Promise<void> {
  const running = await startController({
    app: { name: 'async-provisioning', services },
    port: Number(process.env.PORT ?? 3000),
  });
  const { url, controller } = running;
  const instance = controller.instance;
  console.log(`APSKit controller for APS application async-provisioning at ${url}`);
  console.log(`  application instance ${instance.id}, globals ${(await instance.globalsId) ?? '(none)'}`);
  console.log(
    `  data: ${controller.options.dataDir ?? process.env.APSKIT_DATA_DIR ?? '.apskit'}/apskit.sqlite, time scale ${controller.timeScale}`,
  );
  console.log(
    `  create a provisionable:  curl -s -X POST ${url}/aps/2/resources -H 'Content-Type: application/json' \\`,
  );
  console.log(
    `                             -d '{"aps":{"type":"${services.provisionables.name === 'Provisionable' ? 'http://aps-standard.org/samples/async-provisioning/provisionable/1.0' : ''}"}}'`,
  );
  console.log(`  watch its task:          curl -s ${url}/apskit/tasks`);
  console.log(`  resources:               curl -s ${url}/aps/2/resources`);
  const stop = (): void => {
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
