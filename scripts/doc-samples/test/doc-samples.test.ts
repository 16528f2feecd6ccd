/**
 * Every TypeScript sample of the docs compiles, and the getting-started sample runs end to end.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { allSamples, checkSamples, samplesOf } from '../doc-samples';

const ROOT = resolve(__dirname, '../../..');

jest.setTimeout(120_000);

it('compiles every TypeScript sample of the docs', () => {
  const { samples, fragments, excerpts } = allSamples(ROOT);
  expect(samples.length).toBeGreaterThanOrEqual(20);
  const problems = checkSamples(ROOT, samples);
  const report = problems.map((p) => `${p.doc}:${p.line}: ${p.message}`).join('\n');
  expect(report).toBe('');
  console.log(
    `doc samples: ${samples.length} compiled (${fragments} of them fragments), ${excerpts} excerpts not compiled`,
  );
});

it('reports a sample that stops compiling, by the line of the doc', () => {
  const markdown = [
    '# A guide',
    '',
    '```ts',
    "import { ApsType } from '@apskit/core';",
    '',
    "@ApsType({ id: 'http://example.com/x/1.0' })",
    'class X {}',
    "const n: number = 'not a number';",
    '```',
    '',
    '```ts excerpt',
    'this is not checked',
    '```',
    '<!-- doc-samples prelude',
    'const answer = 42;',
    '-->',
    '```ts fragment',
    'const doubled: string = answer * 2;',
    '```',
  ].join('\n');
  const { samples, fragments, excerpts } = samplesOf('docs/broken.md', markdown);
  expect([fragments, excerpts]).toEqual([1, 1]);
  const problems = checkSamples(ROOT, samples, join(ROOT, '.doc-samples-broken'));
  rmSync(join(ROOT, '.doc-samples-broken'), { recursive: true, force: true });
  expect(problems).toContainEqual({
    doc: 'docs/broken.md',
    line: 8,
    message: "Type 'string' is not assignable to type 'number'.",
  });
  // The fragment sees the prelude's names, and its own line is the one named.
  expect(problems).toContainEqual({
    doc: 'docs/broken.md',
    line: 18,
    message: "Type 'number' is not assignable to type 'string'.",
  });
  expect(problems.filter((p) => p.message.includes("Cannot find name 'answer'"))).toEqual([]);
});

it('runs the getting-started sample end to end', () => {
  const { samples } = allSamples(ROOT);
  const sample = samples.find((s) => s.doc === 'docs/getting-started.md' && s.code.startsWith('// getting-started.ts'));
  expect(sample).toBeDefined();
  const dir = mkdtempSync(join(ROOT, '.doc-samples-run-'));
  const data = mkdtempSync(join(tmpdir(), 'apskit-getting-started-'));
  try {
    const file = join(dir, 'getting-started.ts');
    writeFileSync(file, sample!.code);
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', file], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, PORT: '0', APSKIT_DATA_DIR: data, APSKIT_TIME_SCALE: '0.001', TS_NODE_FILES: 'false' },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^controller at http:\/\/127\.0\.0\.1:\d+\n/);
    expect(run.stdout).toMatch(/answered 202, task [0-9a-f-]{36}\n/);
    expect(run.stdout).toContain('Provisioning "mailbox" for APS application mail: succeeded\n');
    expect(run.stdout).toContain('"address":"ada@example.com","quotaMb":1024,"server":"mx1.example.com"');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  }
});
