/**
 * Issue 21: every real published APS schema of the corpus (fixtures/published, whence each comes in
 * its SOURCES.md) through `apskit import` then `apskit schema`, compared with its source deep-equal
 * with key order. It runs the compiled CLI, package by package (see helpers/published-corpus.ts).
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './helpers/cli';
import { corpusFiles, PUBLISHED, readCorpusFile, reportText, roundTripCorpus } from './helpers/published-corpus';

const files = corpusFiles();

/** The corpus files SOURCES.md lists: the rows of its Files table, `<file> | <owner/repo> | …`. */
function listedFiles(): string[] {
  const text = readFileSync(join(ROOT, PUBLISHED, 'SOURCES.md'), 'utf8');
  const table = text.slice(text.indexOf('## Files'));
  return table
    .split('\n')
    .map((row) => row.split('|').map((cell) => cell.trim()))
    .filter((cells) => cells.length > 3 && /^[\w.-]+\/[\w.-]+$/.test(cells[2] ?? ''))
    .map(([, file, repo]) => join(PUBLISHED, (repo as string).replace('/', '__'), file as string))
    .sort();
}

describe('the published corpus', () => {
  it('holds at least 100 schemas from at least 10 repositories', () => {
    const schemas = files.flatMap(readCorpusFile);
    const repos = new Set(files.map((f) => relative(PUBLISHED, f).split('/')[0]));
    expect(schemas.length).toBeGreaterThanOrEqual(100);
    expect(repos.size).toBeGreaterThanOrEqual(10);
  });

  it('is listed in SOURCES.md, each file once, no more and no fewer', () => {
    const listed = listedFiles();
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed).toEqual(files);
  });

  it('round-trips every schema through apskit import then apskit schema, deep-equal with key order', () => {
    const report = roundTripCorpus(files);
    const text = reportText(report);
    // The report's first lines name each difference with its file and JSON path.
    if (report.failures.length > 0) throw new Error(text.split('\n').slice(0, 40).join('\n'));
    expect(report.failures).toEqual([]);
    expect(report.passedFiles).toBe(files.length);
    process.stdout.write(`import-published: ${text}`);
  }, 600_000);
});
