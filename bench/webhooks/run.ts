/**
 * `npm run bench:webhooks`: acknowledgement latency of the webhook intake under bursts. A provisioner
 * (bench/webhooks/provisioner.ts: a minimal app on SQLite as shipped, HMAC webhooks) runs in its own
 * process; this process sends 200, then (on a fresh provisioner) 400 provision notifications at once,
 * every body signed beforehand, and receives the results. Each size runs twice, on fresh provisioners:
 * `baseline` (every acknowledgement its own synced write, processing not yielding: as before issue 20)
 * and `acknowledge-first` (the default: acknowledgements of a moment in one write, processing waiting
 * for them); and first the floor, `bare`: a node:http server in its own process answering 202 at once
 * (bench/webhooks/bare-server.ts), what the burst costs this machine's HTTP stack and this sending
 * process without any APSKit. Figures: acknowledgement latency p50, p99 and max (from the moment the burst is sent to
 * each 202), the time until the last 202, the time until every result is posted, and the ratios
 * baseline / acknowledge-first and acknowledge-first / bare of the same run. Writes bench/results/webhooks.json. Bounded: a burst
 * gives up after 45 s (the whole run takes about a minute). BENCH_ROUNDS=3 runs everything three
 * times, interleaved, and keeps the median round by p99; BENCH_SIZES=200 runs one size.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { standardWebhookHeaders } from '@apskit/webhooks';

const SECRET = `whsec_${Buffer.from('the benchmark signing secret, 32 b').toString('base64')}`;
const LIMIT_MS = 45_000;

/** `bare`: the floor, a node:http server answering 202 (bench/webhooks/bare-server.ts). */
type Mode = 'bare' | 'baseline' | 'acknowledge-first';

interface Burst {
  mode: Mode;
  notifications: number;
  ackMs: { p50: number; p99: number; max: number };
  allAcknowledgedMs: number;
  allResultsMs: number;
  /** How many writes stored the burst's acknowledgements (intake tasks; baseline: one per delivery). */
  acknowledgementWrites: number;
  statuses: Record<string, number>;
}

/** A receiver of results: counts them, and says when the expected number has come. */
async function receiver(): Promise<{ url: string; waitFor(n: number): Promise<number>; close(): void }> {
  let count = 0;
  let wanted = Infinity;
  let done: (() => void) | undefined;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count += 1;
      res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
      if (count >= wanted) done?.();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/provision-requests/{provisionRequestId}/results`;
  return {
    url,
    waitFor: (n) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${count} of ${n} results within ${LIMIT_MS} ms`)),
          LIMIT_MS,
        );
        wanted = n;
        done = () => {
          clearTimeout(timer);
          resolve(performance.now());
        };
        if (count >= n) done();
      }),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

function startProvisioner(
  dir: string,
  resultsUrl: string,
  mode: Mode,
): { child: ChildProcess; url: Promise<string>; apiUrl: Promise<string> } {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
      '-r',
      'ts-node/register/transpile-only',
      ...(mode === 'bare'
        ? [join(__dirname, 'bare-server.ts')]
        : [join(__dirname, 'provisioner.ts'), dir, resultsUrl, SECRET, mode]),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' } },
  );
  const lines = createInterface({ input: child.stdout! });
  const urls = new Promise<string[]>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the provisioner exited with ${code}`)));
    lines.on('line', (line) => line.startsWith('url ') && resolve(line.slice(4).split(' ')));
  });
  return { child, url: urls.then(([u]) => u!), apiUrl: urls.then(([, api]) => api!) };
}

function notification(): string {
  const requestId = randomUUID();
  const detailId = randomUUID();
  return JSON.stringify({
    isSimulation: false,
    provisionRequest: { id: requestId, type: 'NetNew', subscriptionId: randomUUID(), quantity: 1, productName: 'Seat' },
    provisionDetail: {
      id: detailId,
      provisionRequestId: requestId,
      details: { owner: `owner-${requestId.slice(0, 8)}` },
    },
    provisionAttempt: { id: randomUUID(), provisionDetailId: detailId },
  });
}

const percentile = (sorted: number[], q: number): number =>
  Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);

async function burst(size: number, mode: Mode): Promise<Burst> {
  const results = await receiver();
  const dir = mkdtempSync(join(os.tmpdir(), 'apskit-bench-webhooks-'));
  const { child, url: urlPromise, apiUrl } = startProvisioner(dir, results.url, mode);
  // As many connections as notifications: the marketplace's deliveries come at once, not queued here.
  const agent = new http.Agent({ keepAlive: true, maxSockets: size });
  try {
    const url = await urlPromise;
    // Warm-up, not counted: 20 deliveries (module loading, JIT, the SQLite statements), their results in.
    const warm = Array.from({ length: 20 }, notification);
    await Promise.all(warm.map((body) => post(url, body, headers(body), agent)));
    const bare = mode === 'bare'; // no results, no writes: acknowledgements only
    if (!bare) await results.waitFor(warm.length);
    const warmWrites = bare
      ? 0
      : ((await fetch(`${await apiUrl}/apskit/tasks?resourceId=marketplace:intake`).then((r) => r.json())) as unknown[])
          .length;
    const bodies = Array.from({ length: size }, notification).map((body) => ({ body, headers: headers(body) }));
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    const t0 = performance.now();
    await Promise.all(
      bodies.map(async ({ body, headers: h }) => {
        const status = await post(url, body, h, agent);
        latencies.push(performance.now() - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }),
    );
    const acked = performance.now();
    const allResults = bare ? acked : await results.waitFor(size + 20);
    latencies.sort((a, b) => a - b);
    const intake = bare
      ? []
      : ((await fetch(`${await apiUrl}/apskit/tasks?resourceId=marketplace:intake`).then((r) =>
          r.json(),
        )) as unknown[]);
    return {
      mode,
      notifications: size,
      ackMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: Math.round(latencies.at(-1)!) },
      allAcknowledgedMs: Math.round(acked - t0),
      allResultsMs: Math.round(allResults - t0),
      acknowledgementWrites: bare ? 0 : mode === 'baseline' ? size : intake.length - warmWrites,
      statuses,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    agent.destroy();
    results.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One POST; resolves with the status once the whole answer is read. */
function post(url: string, body: string, h: Record<string, string>, agent: http.Agent): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: h, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(LIMIT_MS, () => req.destroy(new Error('no answer in time')));
    req.on('error', reject);
    req.end(body);
  });
}

function headers(body: string): Record<string, string> {
  return { 'content-type': 'application/json', ...standardWebhookHeaders(SECRET, `msg_${randomUUID()}`, body) };
}

async function main(): Promise<void> {
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
  const sizes = (process.env.BENCH_SIZES ?? '200,400').split(',').map(Number);
  const modes: Mode[] = ['bare', 'baseline', 'acknowledge-first'];
  const runs = new Map<string, Burst[]>();
  for (let round = 0; round < rounds; round++)
    for (const size of sizes)
      for (const mode of modes) {
        const b = await burst(size, mode);
        if (b.statuses['202'] !== size)
          throw new Error(`${size}: not every notification was acknowledged: ${JSON.stringify(b.statuses)}`);
        console.error(
          `${mode}, ${size} at once: ack p50 ${b.ackMs.p50} ms, p99 ${b.ackMs.p99} ms, max ${b.ackMs.max} ms; all acknowledged in ${b.allAcknowledgedMs} ms, every result posted in ${b.allResultsMs} ms; ${b.acknowledgementWrites} writes`,
        );
        runs.set(`${mode} ${size}`, [...(runs.get(`${mode} ${size}`) ?? []), b]);
      }
  const median = (bs: Burst[]): Burst => [...bs].sort((a, b) => a.ackMs.p99 - b.ackMs.p99)[Math.floor(bs.length / 2)]!;
  const results = sizes.flatMap((size) => modes.map((mode) => median(runs.get(`${mode} ${size}`)!)));
  // The same script run, the same machine: acknowledge-first against the baseline, as ratios.
  const ratios = sizes.map((size) => {
    const [floor, base, now] = modes.map((mode) => median(runs.get(`${mode} ${size}`)!)) as [Burst, Burst, Burst];
    const r = (a: number, b: number): number => Math.round((a / Math.max(1, b)) * 100) / 100;
    return {
      notifications: size,
      ackP50BaselineOverNew: r(base.ackMs.p50, now.ackMs.p50),
      ackP99BaselineOverNew: r(base.ackMs.p99, now.ackMs.p99),
      allResultsBaselineOverNew: r(base.allResultsMs, now.allResultsMs),
      // How far above the bare server's floor the acknowledgements are (1.00: no cost of APSKit's own).
      ackP50NewOverBare: r(now.ackMs.p50, floor.ackMs.p50),
      ackP99NewOverBare: r(now.ackMs.p99, floor.ackMs.p99),
    };
  });
  for (const x of ratios)
    console.error(
      `${x.notifications} at once, baseline / acknowledge-first: ack p50 ${x.ackP50BaselineOverNew}×, p99 ${x.ackP99BaselineOverNew}×, every result ${x.allResultsBaselineOverNew}×; acknowledge-first / bare server: ack p50 ${x.ackP50NewOverBare}×, p99 ${x.ackP99NewOverBare}×`,
    );
  const output = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, platform: process.platform },
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    store: 'sqlite (synchronous=FULL)',
    rounds,
    goal: 'acknowledge-first: ack p99 <= 100 ms at 200 at once',
    results,
    ratios,
  };
  mkdirSync(join(__dirname, '../results'), { recursive: true });
  writeFileSync(join(__dirname, '../results/webhooks.json'), `${JSON.stringify(output, null, 2)}\n`);
  console.log(JSON.stringify({ results, ratios }));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
