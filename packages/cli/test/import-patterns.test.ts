/**
 * Issue 15 #9: a pattern in an imported schema is matched against requests on the linear-time
 * engine, so `apskit import` refuses, by name and with the reason, a pattern that engine cannot run,
 * rather than let the endpoint fail at request time. A pattern that backtracks badly on native
 * RegExp (`^([a-z0-9]+)*$`) is imported: the engine runs it in linear time.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { apskit, ROOT, tempFolder } from './helpers/cli';

let dir: string;
beforeEach(() => {
  dir = tempFolder('import-patterns-');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function importSchema(properties: Record<string, unknown>): ReturnType<typeof apskit> & { out: string } {
  const path = join(dir, 'thing.schema');
  const schema = { name: 'Thing', id: 'http://example.com/patterns/thing/1.0', apsVersion: '2.0', properties };
  writeFileSync(path, JSON.stringify(schema, null, 2));
  const out = join(dir, 'out');
  return { ...apskit('import', relative(ROOT, path), '--out', out), out };
}

describe('issue 15 #9: imported patterns', () => {
  it('issue 15 #9: refuses lookahead and backreference patterns at import, saying where and why', () => {
    const r = importSchema({
      login: { type: 'string', pattern: '^(?!admin$)' },
      tags: { type: 'array', items: { type: 'string', pattern: '^(a)\\1$' } },
      code: { type: 'string', pattern: '^[a-z]+$' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\napskit: imported 0 of 1 file; 1 failed\n$/);
    expect(r.stderr.match(/: error: /g)).toHaveLength(2);
    expect(r.stderr).toMatch(
      /thing\.schema: \$\.properties\.login\.pattern: error: pattern "\^\(\?!admin\$\)" is not supported by the linear-time engine: lookahead assertions/,
    );
    expect(r.stderr).toMatch(
      /thing\.schema: \$\.properties\.tags\.items\.pattern: error: pattern "\^\(a\)\\\\1\$" is not supported by the linear-time engine: backreferences/,
    );
  });

  it('issue 15 #9: imports a pattern that backtracks on native RegExp, as it is', () => {
    const r = importSchema({ name: { type: 'string', pattern: '^([a-z0-9]+)*$' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const written = readdirSync(r.out).map((f) => readFileSync(join(r.out, f), 'utf8'));
    expect(written.join('\n')).toContain("pattern: '^([a-z0-9]+)*$'");
  });
});
