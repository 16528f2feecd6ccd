/**
 * The example as a user runs it: the whole flow in one command. Once in this process through
 * runDemo, and once as `npm start` runs it, in a child process (whose '@apskit/*' imports are the
 * built packages: `npm run build` first, as `npm test` does).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../src';

jest.setTimeout(60_000);

it('runs the seed scenarios, a late acknowledgement, an update and a deprovision, and reports each result', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apskit-marketplace-demo-'));
  const lines: string[] = [];
  try {
    const report = await runDemo({ dataDir: dir, timeScale: 0.01, log: (l) => lines.push(l), retryDelayMs: 50 });
    expect(report.scenarios.map((s) => [s.result.status, s.request.attempts.map((a) => a.status)])).toEqual([
      ['Success', ['Acknowledged']],
      ['Fail', ['Acknowledged']],
      ['Success', ['Failed', 'Acknowledged']],
      ['Success', ['Failed', 'Acknowledged']],
      ['Success', ['Acknowledged']],
      ['Success', ['Acknowledged']],
    ]);
    const transient = report.scenarios[2]!;
    expect(transient.result.provisionAttemptId).toBe(transient.request.attempts[1]!.id);
    const late = report.scenarios[3]!;
    expect(late.request.attempts[0]!.errorDetail).toBe('no answer in time');
    expect(late.result.provisionAttemptId).toBe(late.request.attempts[1]!.id);
    expect(late.request.results).toHaveLength(1);
    expect(lines.filter((l) => /Litware: \d+ seats/.test(l))).toHaveLength(1); // one workspace
    // The only failed tasks are the validation failure's (its Fail result); no result task failed.
    expect(lines.find((l) => l.startsWith('Failed tasks:'))).not.toMatch(/Posting result/);
    expect(lines.join('\n')).toContain('attempt 1');
    expect(lines.some((l) => /Contoso: 25 seats, aps:ready, https:\/\/notes\.example\/w\/contoso/.test(l))).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('runs with one command (src/main.ts, what `npm start` runs)', async () => {
  const root = join(__dirname, '..');
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      APSKIT_TIME_SCALE: '0.01',
      APSKIT_DATA_DIR: '',
      TS_NODE_PROJECT: join(root, '../../tsconfig.json'),
      TS_NODE_FILES: 'false',
    },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(err).toBe('');
  expect(code).toBe(0);
  expect(out).toContain('Simulated marketplace at http://127.0.0.1:');
  expect(out).toMatch(/Success for attempt 1 of 1: Success scenario: Contoso buys 10 seats/);
  expect(out).toMatch(/Fail {4}for attempt 1 of 1: Validation failure/);
  expect(out).toMatch(/Success for attempt 2 of 2: Transient error/);
  expect(out).toMatch(/Success for attempt 2 of 2: Late acknowledgement/);
  expect(out).toContain('is already in use by another Acme Notes account');
});
