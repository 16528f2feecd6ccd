/**
 * `npm run bench:endpoint`: the same retrieve route and the same validated provision route, served
 * three ways (plain express validating by hand, APSKit, routing-controllers with class-validator),
 * each in its own process, driven by autocannon from this one. Runs are interleaved over several
 * rounds and the median taken, so that drift in the machine hits every contender alike.
 *
 * Environment: BENCH_DURATION (seconds per run, default 5), BENCH_ROUNDS (default 3),
 * BENCH_CONNECTIONS (default 32).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { SAMPLE } from './types';

type Kind = 'plain' | 'apskit' | 'rc';
type Route = 'retrieve' | 'provision';
const KINDS: Kind[] = ['plain', 'apskit', 'rc'];
const ROUTES: Route[] = ['retrieve', 'provision'];
const LABEL: Record<Kind, string> = { plain: 'plain express', apskit: 'APSKit', rc: 'routing-controllers' };

const duration = Number(process.env.BENCH_DURATION ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);

function startServer(kind: Kind): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'server.ts'), kind], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve({ child, port: Number(line) }));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

function request(route: Route, port: number): autocannon.Options {
  const url = `http://127.0.0.1:${port}`;
  return route === 'retrieve'
    ? { url: `${url}/subscriptions/sub-1`, method: 'GET' }
    : {
        url: `${url}/subscriptions`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(SAMPLE),
      };
}

async function measure(route: Route, port: number, seconds: number): Promise<number> {
  const result = await autocannon({ ...request(route, port), connections, duration: seconds, pipelining: 1 });
  // A benchmark of error answers would measure the wrong thing: every answer must be a 200.
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${route} on port ${port}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return result.requests.average;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const servers = new Map<Kind, { child: ChildProcess; port: number }>();
  try {
    for (const kind of KINDS) servers.set(kind, await startServer(kind));
    // Warm-up: JIT and connection pools, not measured.
    for (const kind of KINDS) for (const route of ROUTES) await measure(route, servers.get(kind)!.port, 1);

    const samples = new Map<string, number[]>();
    for (let r = 0; r < rounds; r++) {
      for (const route of ROUTES) {
        for (const kind of r % 2 === 0 ? KINDS : [...KINDS].reverse()) {
          const rps = await measure(route, servers.get(kind)!.port, duration);
          const key = `${route}/${kind}`;
          samples.set(key, [...(samples.get(key) ?? []), rps]);
          console.error(
            `round ${r + 1}/${rounds} ${route.padEnd(9)} ${LABEL[kind].padEnd(20)} ${Math.round(rps)} req/s`,
          );
        }
      }
    }

    const reqPerSec = {} as Record<Route, Record<Kind, number>>;
    const ratios = {} as Record<Route, { vsPlain: number; vsRoutingControllers: number }>;
    for (const route of ROUTES) {
      reqPerSec[route] = {} as Record<Kind, number>;
      for (const kind of KINDS) reqPerSec[route][kind] = Math.round(median(samples.get(`${route}/${kind}`)!));
      ratios[route] = {
        vsPlain: round2(reqPerSec[route].apskit / reqPerSec[route].plain),
        vsRoutingControllers: round2(reqPerSec[route].apskit / reqPerSec[route].rc),
      };
    }
    const report = {
      ratios,
      reqPerSec,
      settings: { durationSeconds: duration, rounds, connections, statistic: 'median of rounds' },
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, platform: process.platform },
      date: new Date().toISOString(),
    };
    mkdirSync(join(__dirname, '../results'), { recursive: true });
    writeFileSync(join(__dirname, '../results/endpoint.json'), `${JSON.stringify(report, null, 2)}\n`);

    console.log('route      plain express  APSKit  routing-controllers  APSKit/plain  APSKit/routing-controllers');
    for (const route of ROUTES) {
      const r = reqPerSec[route];
      console.log(
        `${route.padEnd(10)} ${String(r.plain).padStart(13)}  ${String(r.apskit).padStart(6)}  ${String(r.rc).padStart(19)}  ${ratios[route].vsPlain.toFixed(2).padStart(12)}  ${ratios[route].vsRoutingControllers.toFixed(2).padStart(26)}`,
      );
    }
    console.log('wrote bench/results/endpoint.json');
  } finally {
    for (const { child } of servers.values()) child.kill('SIGTERM');
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
