/**
 * The console's browser files spell the wire vocabulary themselves: a browser script cannot import
 * `@apskit/core`. This test holds them to core's lists instead. Every task status, resource status
 * and APS/APSKit header name that console.js, index.html and console.css use is one core defines
 * (`TASK_STATUSES`, `RESOURCE_STATUSES`, `ApsHeader`); the page's status filter offers exactly
 * `TASK_STATUSES`; and no word in them is one of those names spelled otherwise ('cancelled' for
 * 'canceled'), which a browser would silently never match.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { ApsHeader, RESOURCE_STATUSES, TASK_STATUSES } from '@apskit/core';

const CONSOLE_DIR = join(__dirname, '..', 'console');
const read = (name: string): string => readFileSync(join(CONSOLE_DIR, name), 'utf8');

const TASK: ReadonlySet<string> = new Set(TASK_STATUSES);
const RESOURCE: ReadonlySet<string> = new Set(RESOURCE_STATUSES);
const HEADERS: ReadonlySet<string> = new Set(Object.values(ApsHeader));
const STATUSES: readonly string[] = [...TASK_STATUSES, ...RESOURCE_STATUSES];
const VOCABULARY: readonly string[] = [...STATUSES, ...Object.values(ApsHeader)];

/** Resource statuses are the `aps:` ones; a header name starts with `APS-` or `APSKit-`, in any case. */
const RESOURCE_STATUS_LIKE = /^aps:/i;
const HEADER_LIKE = /^aps(kit)?-/i;

/** Whether a status literal is one core defines, of the kind its spelling says. */
const isKnownStatus = (s: string): boolean => (RESOURCE_STATUS_LIKE.test(s) ? RESOURCE.has(s) : TASK.has(s));

/** A word lower-cased, each run of one letter made single: 'cancelled' and 'Canceled' both give 'canceled'. */
const skeleton = (word: string): string => word.toLowerCase().replace(/(.)\1+/g, '$1');

/**
 * The words of texts that are a vocabulary name spelled otherwise: the same but for a doubled or a
 * single letter. Case alone is no misspelling here (prose may start 'Canceled: '); where case
 * matters, for header names and statuses used as values, the exact checks below catch it.
 */
function misspellings(texts: Iterable<string>): string[] {
  const found: string[] = [];
  for (const text of texts) {
    for (const word of text.split(/[^A-Za-z0-9:-]+/)) {
      const twin = VOCABULARY.find((v) => skeleton(v) === skeleton(word) && v.toLowerCase() !== word.toLowerCase());
      if (twin) found.push(`${word} (core spells it ${twin})`);
    }
  }
  return found;
}

/** What the script spells: every string it writes, and those of them that are statuses or headers. */
interface ScriptVocabulary {
  /** Every string literal and every piece of text of a template literal. */
  strings: string[];
  /** Literals a status is compared with, assigned to a status, or set as one; and every `aps:…` string. */
  statuses: string[];
  /** Every string that starts as a header name of APS or APSKit does. */
  headers: string[];
}

/** `status`, `x.status` or `x['status']`: an expression holding a task's or a resource's status. */
function isStatusExpression(e: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(e)) return isStatusExpression(e.expression);
  if (ts.isIdentifier(e)) return e.text === 'status';
  if (ts.isPropertyAccessExpression(e)) return e.name.text === 'status';
  if (ts.isElementAccessExpression(e)) {
    return ts.isStringLiteralLike(e.argumentExpression) && e.argumentExpression.text === 'status';
  }
  return false;
}

const stringOf = (node: ts.Node): string | undefined => (ts.isStringLiteralLike(node) ? node.text : undefined);

const COMPARING = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
  ts.SyntaxKind.EqualsToken,
]);

/** Reads the script's syntax (not its comments) for the strings it spells. */
function scriptVocabulary(source: string): ScriptVocabulary {
  const file = ts.createSourceFile('console.js', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const vocabulary: ScriptVocabulary = { strings: [], statuses: [], headers: [] };
  // The empty string is no status: it is the filter's "any".
  const status = (s: string | undefined): void => {
    if (s) vocabulary.statuses.push(s);
  };
  const visit = (node: ts.Node): void => {
    if (
      ts.isStringLiteralLike(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      vocabulary.strings.push(node.text);
    }
    // t.status === 'failed', 'failed' !== t.status, state.filter.status = 'x'
    if (ts.isBinaryExpression(node) && COMPARING.has(node.operatorToken.kind)) {
      if (isStatusExpression(node.left)) status(stringOf(node.right));
      if (isStatusExpression(node.right)) status(stringOf(node.left));
    }
    // switch (t.status) { case 'failed': … }
    if (ts.isCaseClause(node) && isStatusExpression(node.parent.parent.expression)) status(stringOf(node.expression));
    // { status: 'failed' }
    if (ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) {
      if (node.name.text === 'status') status(stringOf(node.initializer));
    }
    // ['failed', 'canceled'].includes(t.status), and indexOf
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      ['includes', 'indexOf'].includes(node.expression.name.text) &&
      ts.isArrayLiteralExpression(node.expression.expression) &&
      node.arguments.some(isStatusExpression)
    ) {
      for (const element of node.expression.expression.elements) status(stringOf(element));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  for (const s of vocabulary.strings) {
    if (RESOURCE_STATUS_LIKE.test(s) && !vocabulary.statuses.includes(s)) vocabulary.statuses.push(s);
    if (HEADER_LIKE.test(s)) vocabulary.headers.push(s);
  }
  return vocabulary;
}

/** The page without its comments, which are for its readers and never served. */
const withoutComments = (html: string): string => html.replace(/<!--[\s\S]*?-->/g, '');

describe('console.js spells statuses and header names as core does', () => {
  const script = scriptVocabulary(read('console.js'));

  it('finds the statuses and header names the script uses (so that the checks below check something)', () => {
    expect(script.statuses.length).toBeGreaterThan(0);
    expect(script.headers.length).toBeGreaterThan(0);
  });

  it('uses only statuses in TASK_STATUSES (plain) and RESOURCE_STATUSES (aps:…)', () => {
    expect(script.statuses.filter((s) => !isKnownStatus(s))).toEqual([]);
  });

  it('uses only header names in ApsHeader, spelled as there', () => {
    expect(script.headers.filter((h) => !HEADERS.has(h))).toEqual([]);
  });

  it('writes no status or header name spelled otherwise', () => {
    expect(misspellings(script.strings)).toEqual([]);
  });
});

describe('index.html spells statuses as core does', () => {
  const page = withoutComments(read('index.html'));

  it('offers as task status filters "any" and then exactly TASK_STATUSES, each shown as it is spelled', () => {
    const select = /<select id="task-status">([\s\S]*?)<\/select>/.exec(page);
    expect(select).not.toBeNull();
    const options = Array.from((select as RegExpExecArray)[1].matchAll(/<option value="([^"]*)">([^<]*)<\/option>/g));
    expect(options.map(([, value]) => value)).toEqual(['', ...TASK_STATUSES]);
    for (const [, value, label] of options.slice(1)) expect(label.trim()).toBe(value);
  });

  it('names no other status or header, and none spelled otherwise', () => {
    const words = page.split(/[^A-Za-z0-9:-]+/);
    expect(words.filter((w) => RESOURCE_STATUS_LIKE.test(w) && !RESOURCE.has(w))).toEqual([]);
    expect(words.filter((w) => HEADER_LIKE.test(w) && !HEADERS.has(w))).toEqual([]);
    expect(misspellings([page])).toEqual([]);
  });
});

describe('console.css styles only statuses core defines', () => {
  const css = read('console.css');

  it('selects [data-status] by a status, or by the start of one', () => {
    const selectors = Array.from(css.matchAll(/\[data-status(\^?)=(['"])(.*?)\2\]/g));
    expect(selectors.length).toBeGreaterThan(0);
    const unknown = selectors
      .filter(([, prefix, , value]) => (prefix ? !STATUSES.some((s) => s.startsWith(value)) : !isKnownStatus(value)))
      .map(([selector]) => selector);
    expect(unknown).toEqual([]);
  });

  it('writes no status spelled otherwise', () => {
    expect(misspellings([css])).toEqual([]);
  });
});
