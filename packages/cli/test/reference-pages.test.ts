/**
 * The reference pages committed in docs/reference are what `apskit docs` makes of the examples
 * today: each example's pages are made again, into a scratch folder, with the built command, and
 * any page that differs, is missing, or is no longer made fails the test with the command that
 * brings docs/reference up to date.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { toReferenceMarkdown } from '@apskit/core';
import { PASubscription } from './fixtures/pa-subscription';

const ROOT = resolve(__dirname, '../../..');
const BIN = join(ROOT, 'packages/cli/bin/apskit.js');
const REFERENCE = 'docs/reference';

/** The modules whose pages docs/reference holds. */
const EXAMPLES = ['examples/async-provisioning', 'examples/pa-subscription'];

const regenerate = (example: string): string => `npm run build && npx apskit docs ${example} --out ${REFERENCE}`;

describe('docs/reference', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'apskit-reference-'));
  /** Per example, the folder its pages were made in. */
  const made = new Map<string, string>();

  beforeAll(() => {
    for (const example of EXAMPLES) {
      const out = join(scratch, example.replace(/\W+/g, '-'));
      const r = spawnSync(process.execPath, [BIN, 'docs', example, '--out', out], { cwd: ROOT, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`apskit docs ${example} failed: ${r.stderr}`);
      made.set(example, out);
    }
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it.each(EXAMPLES)('holds the pages of %s as apskit docs makes them', (example) => {
    const out = made.get(example) as string;
    const stale: string[] = [];
    for (const page of readdirSync(out).sort()) {
      const committed = join(ROOT, REFERENCE, page);
      if (!existsSync(committed)) stale.push(`${REFERENCE}/${page} is missing`);
      else if (readFileSync(committed, 'utf8') !== readFileSync(join(out, page), 'utf8'))
        stale.push(`${REFERENCE}/${page} differs from what the declarations make`);
    }
    if (stale.length > 0) {
      throw new Error(
        `${stale.join('\n')}\nRegenerate the pages from the repository root with:\n  ${regenerate(example)}`,
      );
    }
  });

  it('holds the published PASubscription page: the one the seed test checks row by row', () => {
    // packages/core/test/reference-docs.test.ts checks the fixture's page against the seed; the
    // example declares the same type, so its committed page must be that page.
    expect(readFileSync(join(ROOT, REFERENCE, 'PASubscription.md'), 'utf8')).toBe(toReferenceMarkdown(PASubscription));
  });

  it('holds no page that no example makes any more', () => {
    const pages = new Set([...made.values()].flatMap((out) => readdirSync(out)));
    const orphans = readdirSync(join(ROOT, REFERENCE)).filter((f) => f.endsWith('.md') && !pages.has(f));
    if (orphans.length > 0) {
      throw new Error(
        `${orphans.map((f) => `${REFERENCE}/${f}`).join(', ')}: no example makes it; delete it, or regenerate with:\n` +
          EXAMPLES.map((e) => `  ${regenerate(e)}`).join('\n'),
      );
    }
  });
});
