/**
 * Runs the sample the way a developer watches it: the endpoint and APSKit's embedded controller in
 * one process, on http://127.0.0.1:3000 (PORT), with resources and tasks in a SQLite file under
 * APSKIT_DATA_DIR (default .apskit, beside where `npm start` was run). APSKIT_TIME_SCALE=0.01 turns
 * the sample's 30 s into 300 ms.
 */
import { resolve } from 'node:path';
import { startController } from '@apskit/controller';
import { services } from './index';

async function main(): Promise<void> {
  // `npm start` at the root runs this in the example's folder; INIT_CWD is where it was typed.
  const dataDir = resolve(process.env.INIT_CWD ?? process.cwd(), process.env.APSKIT_DATA_DIR ?? '.apskit');
  const running = await startController({
    app: { name: 'async-provisioning', services },
    port: Number(process.env.PORT ?? 3000),
    dataDir,
  });
  const { url, consoleUrl, controller } = running;
  const provisionable = controller.model.get(services.provisionables).id;
  console.log(`APSKit controller for APS application async-provisioning at ${url}`);
  console.log(`  console:          ${consoleUrl}   (open it in a browser: resources and tasks, live)`);
  // How the API authenticates: open on 127.0.0.1 without tokens (APSKIT_TOKENS_FILE), or tokens required.
  console.log(`  ${running.banner.slice(running.banner.indexOf('API '))}`);
  console.log(
    `  application instance ${controller.instance.id}, globals ${(await controller.instance.globalsId) ?? '(none)'}`,
  );
  const where = process.env.APSKIT_DATABASE_URL ? 'PostgreSQL (APSKIT_DATABASE_URL)' : `${dataDir}/apskit.sqlite`;
  console.log(`  data in ${where}; time scale ${controller.timeScale}`);
  console.log('');
  console.log('  create a provisionable:');
  console.log(
    `    curl -s -X POST ${url}/aps/2/resources -H 'Content-Type: application/json' -d '{"aps":{"type":"${provisionable}"}}'`,
  );
  console.log(`  watch its task:   curl -s ${url}/apskit/tasks`);
  console.log(`  resources:        curl -s ${url}/aps/2/resources`);
  const stop = (): void => {
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(`apskit: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
