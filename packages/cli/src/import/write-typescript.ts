/**
 * Prints a plan (./plan.ts) as TypeScript modules. The layout documents are built the way prettier
 * builds them for the same syntax (object and call-argument hugging, `key:` breaks, parameter
 * lists), with the repository's prettier settings (width 120, single quotes, trailing commas), so
 * that what is written is already formatted: it reads as written by hand, and passes
 * `prettier --check`.
 */
import {
  breakParent,
  conditionalGroup,
  fill,
  group,
  hardline,
  ifBreak,
  indent,
  join,
  line,
  printDoc,
  softline,
  type Doc,
} from './doc';
import { needsQuotes } from './names';
import type { ClassPlan, Expr, MemberPlan, ModulePlan, OperationPlan, ParamPlan } from './plan';

const WIDTH = 120;

export interface OutputFile {
  /** The file name in the output folder. */
  readonly file: string;
  readonly text: string;
}

/** One file per module, and `index.ts` exporting them all. */
export function writeModules(modules: readonly ModulePlan[]): OutputFile[] {
  const files = modules.map((m) => ({ file: m.file, text: moduleText(m) }));
  const index = [
    "// What `apskit import` wrote: `apskit schema` on this folder emits the imported types' schemas.",
    ...modules.map((m) => `export * from './${moduleName(m.file)}';`),
  ];
  files.push({ file: 'index.ts', text: `${index.join('\n')}\n` });
  return files;
}

function moduleName(file: string): string {
  return file.replace(/\.ts$/, '');
}

function moduleText(m: ModulePlan): string {
  const classes = [...m.structures, m.type];
  const parts: Doc[] = [`// Imported by \`apskit import\` from ${m.origin}.`, hardline];
  parts.push(importDoc(coreImports(classes), '@apskit/core'), hardline);
  for (const [file, names] of [...m.imports].sort(([a], [b]) => a.localeCompare(b))) {
    parts.push(importDoc([...names].sort(byName), `./${moduleName(file)}`), hardline);
  }
  for (const c of classes) parts.push(hardline, classDoc(c), hardline);
  return printDoc(parts, WIDTH);
}

function byName(a: string, b: string): number {
  return a.toLowerCase().localeCompare(b.toLowerCase());
}

/** What the module takes from @apskit/core: the decorators it uses, CoreTypes, unresolvedType, NotImplementedError. */
function coreImports(classes: readonly ClassPlan[]): string[] {
  const names = new Set<string>();
  const visit = (e: Expr | undefined): void => {
    if (!e) return;
    if (e.kind === 'coreType') names.add('CoreTypes');
    else if (e.kind === 'unresolved') names.add('unresolvedType');
    else if (e.kind === 'object') e.entries.forEach(([, v]) => visit(v));
    else if (e.kind === 'array') e.items.forEach(visit);
    else if (e.kind === 'thunk') visit(e.to);
  };
  for (const c of classes) {
    names.add(c.decorator);
    visit(c.options);
    for (const m of c.members) {
      visit(m.options);
      if (m.kind === 'property') names.add('Property');
      else if (m.kind === 'relation') {
        names.add('Relation');
        visit(m.target);
      } else {
        names.add('Operation').add('NotImplementedError');
        if (m.params.length > 0) names.add('Param');
        m.params.forEach((p) => visit(p.options));
      }
    }
  }
  return [...names].sort(byName);
}

function importDoc(names: readonly string[], from: string): Doc {
  return group(['import {', indent([line, join([',', line], names)]), ifBreak(','), line, `} from ${quote(from)};`]);
}

// ---- classes and members ---------------------------------------------------------------------------

function classDoc(c: ClassPlan): Doc {
  const decorator = decoratorDoc(c.decorator, c.options ? [c.options] : []);
  const head = `export class ${c.className} {`;
  if (c.members.length === 0) return [decorator, hardline, head, '}'];
  const members = join([hardline, hardline], c.members.map(memberDoc));
  return [decorator, hardline, head, indent([hardline, members]), hardline, '}'];
}

function memberDoc(m: MemberPlan): Doc {
  switch (m.kind) {
    case 'property':
      return [
        m.doc ? jsDoc(m.doc) : '',
        decoratorDoc('Property', [m.options]),
        hardline,
        `${memberKey(m.name)}${m.required ? '!' : '?'}: ${m.tsType};${m.comment ? ` // ${m.comment}` : ''}`,
      ];
    case 'relation':
      return [
        decoratorDoc('Relation', [{ kind: 'thunk', to: m.target }, ...(m.options ? [m.options] : [])]),
        hardline,
        `${memberKey(m.name)}?: ${m.tsType};`,
      ];
    case 'operation':
      return operationDoc(m);
  }
}

function memberKey(name: string): string {
  return needsQuotes(name) ? quote(name) : name;
}

function operationDoc(op: OperationPlan): Doc {
  // Later parameters may be required: an optional one before them is `T | undefined`, not `?`.
  const lastRequired = op.params.map((p) => p.required).lastIndexOf(true);
  const params = op.params.map((p, i) => paramDoc(p, i > lastRequired));
  const paramList: Doc =
    params.length === 0 ? '()' : ['(', indent([softline, join([',', line], params)]), ifBreak(','), softline, ')'];
  const message = `${op.method}() is not implemented yet`;
  return [
    decoratorDoc('Operation', [op.options]),
    hardline,
    op.isStatic ? 'static ' : '',
    op.method,
    group([paramList, `: ${op.returnType}`]),
    ' {',
    indent([hardline, 'throw new NotImplementedError', callArguments([quote(message)], false), ';']),
    hardline,
    '}',
  ];
}

function paramDoc(p: ParamPlan, optional: boolean): Doc {
  const annotation = p.required || optional ? p.tsType : `${p.tsType} | undefined`;
  const decorator = decoratorDoc('Param', [{ kind: 'literal', value: p.name }, p.options]);
  return group([decorator, line, `${p.identifier}${optional && !p.required ? '?' : ''}: ${annotation}`]);
}

function decoratorDoc(name: string, args: readonly Expr[]): Doc {
  const last = args[args.length - 1];
  const huggable = last !== undefined && last.kind === 'object' && last.entries.length > 0;
  return ['@', name, callArguments(args.map(exprDoc), huggable)];
}

/**
 * Call arguments as prettier prints them: all on the line when they fit; else, when the last one is
 * an object, that object broken and the others kept on the line ("hugging"); else one a line.
 */
function callArguments(args: readonly Doc[], hugLast: boolean): Doc {
  if (args.length === 0) return '()';
  const printed = args.map((a, i) => (i < args.length - 1 ? [a, ',', line] : a));
  const last = args[args.length - 1] as Doc;
  if (hugLast) {
    const allBrokenOut = group(['(', indent([line, ...printed, ',']), line, ')'], { shouldBreak: true });
    return [
      args.some(willBreak) ? breakParent : '',
      conditionalGroup([
        ['(', ...printed, ')'],
        ['(', ...printed.slice(0, -1), group(last, { shouldBreak: true }), ')'],
        allBrokenOut,
      ]),
    ];
  }
  return group(['(', indent([softline, ...printed]), ifBreak(','), softline, ')']);
}

/** A JSDoc comment of an APS `description`, wrapped to the width. */
function jsDoc(text: string): Doc {
  const safe = text.replace(/\*\//g, '*\\/');
  const lines = safe.split(/\r?\n/).map((l) => l.trimEnd());
  // Members sit two spaces in: the comment's lines have what is left.
  const room = WIDTH - 2 - ' * '.length;
  if (lines.length === 1 && 2 + `/** ${safe.trim()} */`.length <= WIDTH) return [`/** ${safe.trim()} */`, hardline];
  const wrapped = lines.flatMap((l) => wrap(l, room));
  while (wrapped.length > 0 && wrapped[0] === '') wrapped.shift();
  while (wrapped.length > 0 && wrapped[wrapped.length - 1] === '') wrapped.pop();
  return [
    '/**',
    hardline,
    join(
      hardline,
      wrapped.map((l) => (l === '' ? ' *' : ` * ${l}`)),
    ),
    hardline,
    ' */',
    hardline,
  ];
}

function wrap(text: string, room: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of text.trim().split(/\s+/)) {
    if (word === '') continue;
    if (current !== '' && current.length + 1 + word.length > room) {
      out.push(current);
      current = word;
    } else current = current === '' ? word : `${current} ${word}`;
  }
  out.push(current);
  return out;
}

// ---- expressions -------------------------------------------------------------------------------------

function exprDoc(e: Expr): Doc {
  switch (e.kind) {
    case 'literal':
      return literalText(e.value);
    case 'class':
      return e.name;
    case 'coreType':
      return `CoreTypes.${e.key}`;
    case 'unresolved':
      return `unresolvedType(${literalText(e.name)})`;
    case 'thunk':
      return group(['() =>', group(indent([line, exprDoc(e.to)]))]);
    case 'array':
      return arrayDoc(e.items);
    case 'object': {
      if (e.entries.length === 0) return '{}';
      const props = e.entries.map(([key, value]) => propertyDoc(key, value));
      return group(['{', indent([line, join([',', line], props)]), ifBreak(','), line, '}']);
    }
  }
}

/**
 * `key: value` in an object. A string (or `CoreTypes.x`) after a key of five characters or more
 * moves to the next line when the line is too long; shorter keys keep it (prettier's layouts).
 */
function propertyDoc(key: string, value: Expr): Doc {
  const keyText = needsQuotes(key) ? quote(key) : key;
  const breaksAfterColon = (value.kind === 'literal' && typeof value.value === 'string') || value.kind === 'coreType';
  if (breaksAfterColon && keyText.length >= 5) return group([keyText, ':', group(indent([line, exprDoc(value)]))]);
  return [keyText, ': ', exprDoc(value)];
}

function arrayDoc(items: readonly Expr[]): Doc {
  if (items.length === 0) return '[]';
  const isNumber = (e: Expr): boolean => e.kind === 'literal' && typeof e.value === 'number';
  if (items.every(isNumber)) {
    // Numbers fill lines, as many to a line as fit.
    const id = Symbol('array');
    const parts: Doc[] = [];
    items.forEach((item, i) => {
      const last = i === items.length - 1;
      parts.push([exprDoc(item), last ? ifBreak(',', '', { groupId: id }) : ',']);
      if (!last) parts.push(line);
    });
    return group(['[', indent([softline, fill(parts)]), softline, ']'], { id });
  }
  const entriesOf = (e: Expr): number =>
    e.kind === 'object' ? e.entries.length : e.kind === 'array' ? e.items.length : 0;
  const first = items[0] as Expr;
  // Several objects (or arrays) of more than one entry each: one a line, as prettier always does.
  const shouldBreak =
    items.length > 1 &&
    (first.kind === 'object' || first.kind === 'array') &&
    items.every((e) => e.kind === first.kind && entriesOf(e) > 1);
  return group(['[', indent([softline, join([',', line], items.map(exprDoc))]), ifBreak(','), softline, ']'], {
    shouldBreak,
  });
}

function literalText(value: string | number | boolean | null): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') return numberText(value);
  return String(value);
}

/** A number as prettier prints it: `1e21`, not `1e+21`. */
export function numberText(n: number): string {
  const text = String(Math.abs(n))
    .toLowerCase()
    .replace(/^([\d.]+e)(?:\+|(-))?0*(\d)/, '$1$2$3')
    .replace(/^([\d.]+)e[+-]?0+$/, '$1')
    .replace(/(\.\d+?)0+(?=e|$)/, '$1')
    .replace(/\.(?=e|$)/, '');
  return n < 0 || Object.is(n, -0) ? `-${text}` : text;
}

/**
 * A string literal as prettier writes it with `singleQuote`: in single quotes, unless the text
 * holds more single quotes than double ones.
 */
export function quote(value: string): string {
  const singles = value.split("'").length - 1;
  const doubles = value.split('"').length - 1;
  const q = singles > doubles ? '"' : "'";
  let out = q;
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (ch === '\\' || ch === q) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code === 0x2028 || code === 0x2029 || (code >= 0xd800 && code <= 0xdfff)) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + q;
}

/** Whether a document holds a line break it cannot lose, which breaks every group around it. */
function willBreak(doc: Doc): boolean {
  if (typeof doc === 'string') return false;
  if (Array.isArray(doc)) return (doc as readonly Doc[]).some(willBreak);
  const node = doc as Exclude<Doc, string | readonly Doc[]>;
  switch (node.kind) {
    case 'group':
      return node.break || willBreak(node.contents);
    case 'line':
      return node.hard;
    case 'breakParent':
      return true;
    case 'indent':
      return willBreak(node.contents);
    case 'ifBreak':
      return willBreak(node.breakContents) || willBreak(node.flatContents);
    case 'fill':
      return node.parts.some(willBreak);
  }
}
