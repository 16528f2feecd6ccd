/**
 * Runs the mail hosting app: the endpoint (https://127.0.0.1:3001, ENDPOINT_PORT) and APSKit's
 * controller (https://127.0.0.1:3000, PORT), data under APSKIT_DATA_DIR (default .apskit-mail, where
 * `npm start` was typed). MAIL_HOSTING_VERSION=1.1 serves version 1.1 on the same data: then
 * `POST /apskit/instance/upgrade {"version":"1.1"}` upgrades the instance. Keep PORT the same across
 * restarts: the endpoint calls the controller back at the address it was installed from.
 * APSKIT_TIME_SCALE=0.01 turns the mailboxes' 30 s checks into 300 ms.
 */
import { resolve } from 'node:path';
import { mailServer } from './mail-server';
import { serveMailHosting, versions, type Version } from './serve';
import { NS } from './v1_0';

async function main(): Promise<void> {
  const dataDir = resolve(process.env.INIT_CWD ?? process.cwd(), process.env.APSKIT_DATA_DIR ?? '.apskit-mail');
  const version = (process.env.MAIL_HOSTING_VERSION ?? '1.0') as Version;
  if (!(version in versions))
    throw new Error(`MAIL_HOSTING_VERSION must be one of ${Object.keys(versions).join(', ')}`);
  const running = await serveMailHosting({
    version,
    dataDir,
    port: Number(process.env.PORT ?? 3000),
    endpointPort: Number(process.env.ENDPOINT_PORT ?? 3001),
  });
  const { url, controller } = running;
  const ca = controller.caFile ?? `${dataDir}/trust/ca.crt`;
  const curl = `curl -s --cacert ${ca}`;
  const json = "-H 'Content-Type: application/json'";
  console.log(`mail hosting ${version}, its endpoint at ${running.endpoint.url}`);
  console.log(`  ${controller.banner}`);
  console.log(`  data in ${dataDir}`);
  console.log('');
  console.log('  a domain with room for 2 mailboxes:');
  console.log(
    `    ${curl} -X POST ${url}/aps/2/resources ${json} -d '{"aps":{"type":"${NS}/domain/${version}"},"name":"example.com","mailboxLimit":{"limit":2}}'`,
  );
  console.log('  a mailbox in it (answers 202; aps:ready once the simulated mail server has it):');
  console.log(
    `    ${curl} -X POST ${url}/aps/2/resources ${json} -d '{"aps":{"type":"${NS}/mailbox/${version}"},"address":"alice@example.com","domain":{"aps":{"id":"<domain id>"}}}'`,
  );
  console.log(`  synchronize usage now:   ${curl} -X POST ${url}/apskit/usage/sync`);
  console.log(`  tasks:                   ${curl} ${url}/apskit/tasks`);
  if (version !== '1.0')
    console.log(
      `  upgrade the instance:    ${curl} -X POST ${url}/apskit/instance/upgrade ${json} -d '{"version":"${version}"}'`,
    );
  // Simulated mail traffic: every 10 s, 1 to 5 MB more in each mailbox, for the usage sync to find.
  const traffic = setInterval(() => {
    for (const address of mailServer.readyAddresses()) mailServer.deliver(address, 1 + Math.floor(Math.random() * 5));
  }, 10_000);
  const stop = (): void => {
    clearInterval(traffic);
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(`mail-hosting: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
