/**
 * Reference pages. The PASubscription page must hold every row of the published page: the seed
 * (../shared/seeds/pa-subscription-type.txt, read in place, never copied) is parsed into its tables
 * and per-operation sections, and each row is looked up in the generated Markdown cell by cell.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ApsType,
  buildTypeModel,
  CoreTypes,
  Operation,
  Param,
  Property,
  Relation,
  Structure,
  toReferenceMarkdown,
  typeDisplayName,
  typeIdDisplayName,
} from '@apskit/core';
import { Globals, Provisionable } from '@apskit/test-support';
import { PASubscription } from './fixtures/pa-subscription';

const SEED = resolve(__dirname, '../../../../shared/seeds/pa-subscription-type.txt');
const GOLDEN = resolve(__dirname, '../../../../shared/golden/pa-subscription.schema.json');

/** Published pages put no-break spaces in cells (`Not Required`, an empty DEFAULT); compare as text. */
function normalize(text: string): string {
  return text
    .replace(/\u00a0/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

// ---- the seed, as published -------------------------------------------------------------------

interface SeedOperation {
  name: string;
  verb: string;
  path: string;
  returns: string;
  description: string;
  httpRequest: string;
}

interface SeedPage {
  title: string;
  doc: string;
  schemaIntro: string;
  properties: string[][];
  relations: string[][];
  operations: SeedOperation[];
  structures: Array<{ name: string; doc: string; rows: string[][] }>;
}

function parseSeed(text: string): SeedPage {
  const lines = text.split(/\r?\n/);
  const at = (line: string, from = 0): number => {
    const i = lines.indexOf(line, from);
    if (i < 0) throw new Error(`the seed has no line "${line}"`);
    return i;
  };
  const nonBlankAfter = (i: number): number => {
    let j = i + 1;
    while (lines[j]?.trim() === '') j++;
    return j;
  };
  /** The rows under a table header line, up to the first blank line. */
  const rowsAfter = (header: number): string[] => {
    const rows: string[] = [];
    for (let i = header + 1; i < lines.length && (lines[i] as string).trim() !== ''; i++) rows.push(lines[i] as string);
    return rows;
  };
  const match = (re: RegExp, line: string): string[] => {
    const m = re.exec(line);
    if (!m) throw new Error(`cannot read the seed row "${line}" with ${re}`);
    return m.slice(1);
  };
  // A property row: NAME and TYPE are single words; ATTRIBUTES runs to the empty DEFAULT cell,
  // which the page writes as " \u00a0 "; DESCRIPTION is the rest.
  const propertyRow = (line: string): string[] => {
    const [name, type, attributes, description] = match(/^(\S+) (\S+) (.+?) \u00a0 (.*)$/, line);
    return [name, type, attributes, '', description].map((c) => normalize(c as string));
  };

  const titleAt = nonBlankAfter(at('Last updated 18-Mar-2019'));
  const docAt = nonBlankAfter(titleAt);
  const schemaAt = at('Schema');
  const propertiesAt = at('Properties', schemaAt);
  const relationsAt = at('Relationship', propertiesAt);
  const operationsAt = at('Custom Operations', relationsAt);
  const structuresAt = at('Structures', operationsAt);
  const examplesAt = at('Examples', structuresAt);

  const properties = rowsAfter(at('NAME TYPE ATTRIBUTES DEFAULT DESCRIPTION', propertiesAt)).map(propertyRow);
  const relations = rowsAfter(at('NAME TYPE REQUIRED DESCRIPTION', relationsAt)).map((line) =>
    match(/^(\S+) (.+?) (Yes|No) (.*)$/, normalize(line)),
  );

  // The operations table's RETURNS and Description cells run together; each operation's own section
  // says which is which, and the table row must then read as the two joined.
  const operationsHeader = at('OPERATION VERB PATH RETURNS Description', operationsAt);
  const operationRows = rowsAfter(operationsHeader);
  const names = operationRows.map((row) => row.split(' ')[0] as string);
  let cursor = operationsHeader + operationRows.length;
  const operations = operationRows.map((row, k) => {
    const start = at(names[k] as string, cursor);
    const end = k + 1 < names.length ? at(names[k + 1] as string, start + 1) : structuresAt;
    cursor = end;
    const after = (label: string): string => {
      const j = nonBlankAfter(at(label, start));
      return j < end ? normalize(lines[j] as string) : '';
    };
    const [name, verb, path] = row.split(' ') as [string, string, string];
    const op = {
      name,
      verb,
      path,
      httpRequest: after('HTTP Request'),
      description: after('Description'),
      returns: after('Returns'),
    };
    if (normalize(row) !== normalize([name, verb, path, op.returns, op.description].join(' '))) {
      throw new Error(`the seed's row of ${name} is not its RETURNS and Description joined: "${row}"`);
    }
    return op;
  });

  const structures: SeedPage['structures'] = [];
  for (let i = structuresAt; i < examplesAt; i++) {
    if (lines[i] !== 'NAME TYPE ATTRIBUTES DEFAULT DESCRIPTION') continue;
    let docLine = i - 1;
    while ((lines[docLine] as string).trim() === '') docLine--;
    let nameLine = docLine - 1;
    while ((lines[nameLine] as string).trim() === '') nameLine--;
    structures.push({
      name: normalize(lines[nameLine] as string),
      doc: normalize(lines[docLine] as string),
      rows: rowsAfter(i).map(propertyRow),
    });
  }

  return {
    title: normalize(lines[titleAt] as string),
    doc: normalize(lines[docAt] as string),
    schemaIntro: normalize((lines[nonBlankAfter(schemaAt)] as string).replace(' (download)', '')),
    properties,
    relations,
    operations,
    structures,
  };
}

// ---- the generated page -----------------------------------------------------------------------

/** The lines of the section under a heading, up to the next heading of the same or a higher level. */
function section(markdown: string, title: string, within?: string): string[] {
  const lines = (within ?? markdown).split('\n');
  const start = lines.findIndex((l) => /^#+ /.test(l) && l.replace(/^#+ /, '') === title);
  if (start < 0) throw new Error(`no section "${title}" in the page`);
  const level = (lines[start] as string).indexOf(' ');
  let end = start + 1;
  while (end < lines.length && !(/^#+ /.test(lines[end] as string) && (lines[end] as string).indexOf(' ') <= level))
    end++;
  return lines.slice(start + 1, end);
}

/** The body rows of the first table in some lines, each as its cells (pipes unescaped). */
function tableRows(lines: readonly string[]): string[][] {
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (let i = first + 2; i < lines.length && (lines[i] as string).startsWith('|'); i++) {
    const inner = (lines[i] as string).slice(1, -1);
    rows.push(inner.split(/(?<!\\)\|/).map((c) => normalize(c.replace(/\\\|/g, '|'))));
  }
  return rows;
}

/** The first paragraph after a sub-heading, without code-span backticks. */
function paragraphAfter(lines: readonly string[], title: string): string {
  const i = lines.findIndex((l) => /^#+ /.test(l) && l.replace(/^#+ /, '') === title);
  if (i < 0) return '';
  const text = lines.slice(i + 1).find((l) => l.trim() !== '') ?? '';
  return /^#+ /.test(text) ? '' : normalize(text.replace(/^`|`$/g, ''));
}

describe('the PASubscription reference page', () => {
  const seed = parseSeed(readFileSync(SEED, 'utf8'));
  const page = toReferenceMarkdown(PASubscription);

  it('reads the seed: every table has its rows', () => {
    expect(seed.properties).toHaveLength(3);
    expect(seed.relations).toHaveLength(2);
    expect(seed.operations).toHaveLength(5);
    expect(seed.structures.map((s) => [s.name, s.rows.length])).toEqual([
      ['ActivationStructure', 3],
      ['ProvisioningState', 2],
      ['SubscriptionResourceLimit', 2],
    ]);
  });

  it('starts with the title and the doc', () => {
    const lines = page.split('\n');
    expect(lines[0]).toBe(`# ${seed.title}`);
    expect(lines[2]).toBe(seed.doc);
  });

  it('shows the schema as published, after the sentence naming what it extends', () => {
    const lines = section(page, 'Schema');
    expect(paragraphAfter(['## Schema', ...lines], 'Schema')).toBe(seed.schemaIntro);
    const json = lines.join('\n').match(/```json\n([\s\S]*?)\n```/);
    expect(json?.[1]).toBe(readFileSync(GOLDEN, 'utf8').replace(/\n$/, ''));
  });

  const properties = tableRows(section(page, 'Properties'));
  it.each(seed.properties.map((row) => [row[0], row]))('has the property row of %s', (_name, row) => {
    expect(properties).toContainEqual(row);
  });

  const relations = tableRows(section(page, 'Relationship'));
  it.each(seed.relations.map((row) => [row[0], row]))('has the relationship row of %s', (_name, row) => {
    expect(relations).toContainEqual(row);
  });

  const operations = tableRows(section(page, 'Custom Operations'));
  it.each(seed.operations.map((op) => [op.name, op]))('has the operation row and section of %s', (name, op) => {
    expect(operations).toContainEqual([op.name, op.verb, op.path, op.returns, op.description]);
    const own = section(page, name, section(page, 'Custom Operations').join('\n'));
    expect(paragraphAfter(own, 'HTTP Request')).toBe(op.httpRequest);
    expect(paragraphAfter(own, 'Description')).toBe(op.description);
    expect(paragraphAfter(own, 'Returns')).toBe(op.returns);
  });

  it.each(seed.structures.map((s) => [s.name, s]))('has the structure %s with its doc and rows', (name, s) => {
    const own = section(page, name, section(page, 'Structures').join('\n'));
    expect(normalize(own.find((l) => l.trim() !== '') ?? '')).toBe(s.doc);
    const rows = tableRows(own);
    for (const row of s.rows) expect(rows).toContainEqual(row);
  });

  it('lists every table in the seed’s order, sections in the seed’s order', () => {
    expect(properties).toEqual(seed.properties);
    expect(relations).toEqual(seed.relations);
    expect(operations.map((r) => r[0])).toEqual(seed.operations.map((o) => o.name));
    const headings = page.split('\n').filter((l) => /^##? /.test(l));
    expect(headings).toEqual([
      '# PASubscription',
      '## Schema',
      '## Properties',
      '## Relationship',
      '## Custom Operations',
      '## Structures',
    ]);
    const structureHeadings = section(page, 'Structures').filter((l) => l.startsWith('### '));
    expect(structureHeadings).toEqual(seed.structures.map((s) => `### ${s.name}`));
  });

  it('is the same page from the class, from a model, and run after run', () => {
    const model = buildTypeModel([PASubscription]);
    expect(toReferenceMarkdown(model.get(PASubscription), { model })).toBe(page);
    expect(toReferenceMarkdown(PASubscription)).toBe(page);
    expect(page.endsWith('\n')).toBe(true);
  });
});

describe('display names', () => {
  it.each([
    ['string', undefined, 'String'],
    ['integer', undefined, 'Integer'],
    ['number', undefined, 'Number'],
    ['boolean', undefined, 'Boolean'],
    ['object', undefined, 'Object'],
    ['array', { type: 'string' }, 'String'],
    ['array', { type: 'SubscriptionResourceLimit' }, 'SubscriptionResourceLimit'],
    ['array', { type: 'array', items: { type: 'integer' } }, 'Integer'],
    ['array', undefined, 'Array'],
    ['ActivationStructure', undefined, 'ActivationStructure'],
    ['http://aps-standard.org/types/core/account/1.0', undefined, 'Account'],
  ])('shows %s (items %j) as %s', (type, items, shown) => {
    expect(typeDisplayName(type, items)).toBe(shown);
  });

  it.each([
    ['http://aps-standard.org/types/core/account/1.0', 'Account'],
    ['http://aps-standard.org/types/core/service-user/1.0', 'ServiceUser'],
    ['http://parallels.com/aps/types/pa/website/1.0', 'paWebsite'],
    ['http://parallels.com/aps/types/pa/subscription/1.0', 'paSubscription'],
    ['http://aps-standard.org/samples/async-provisioning/globals/1.0', 'asyncProvisioningGlobals'],
    ['http://example.com/thing/2.1', 'Thing'],
  ])('names the type ID %s %s', (id, shown) => {
    expect(typeIdDisplayName(id)).toBe(shown);
  });

  it('names a type the page knows by its APS name', () => {
    const known = new Map([['http://parallels.com/aps/types/pa/subscription/1.0', 'PASubscription']]);
    expect(typeIdDisplayName('http://parallels.com/aps/types/pa/subscription/1.0', known)).toBe('PASubscription');
    expect(typeDisplayName('http://parallels.com/aps/types/pa/subscription/1.0', undefined, known)).toBe(
      'PASubscription',
    );
  });

  it('names types of one APS name (other IDs) by their IDs: the name would not say which', () => {
    @ApsType({ id: 'http://vendor-a.example/tenant/1.0', name: 'tenant' })
    class TenantA {}

    @ApsType({ id: 'http://vendor-b.example/tenant/1.0', name: 'tenant' })
    class TenantB {}

    @ApsType({ id: 'http://vendor-b.example/globals/1.0', name: 'globals' })
    class TwoTenants {
      @Relation(() => TenantA, { collection: true })
      a?: TenantA[];

      @Relation(() => TenantB)
      b?: TenantB;
    }
    const model = buildTypeModel([TenantA, TenantB, TwoTenants]);
    expect(tableRows(section(toReferenceMarkdown(model.get(TwoTenants), { model }), 'Relationship'))).toEqual([
      ['a', 'Collection of http://vendor-a.example/tenant/1.0', 'No', ''],
      ['b', 'http://vendor-b.example/tenant/1.0', 'No', ''],
    ]);
  });

  it('names a relation to a declared class by the class’s APS name, with or without the model', () => {
    const alone = toReferenceMarkdown(Provisionable);
    expect(tableRows(section(alone, 'Relationship'))).toEqual([
      ['globals', 'globals', 'Yes', 'The application instance'],
    ]);
    expect(alone).toContain('The considered APS type extends the Resource APS type(s) and looks as follows:');

    const model = buildTypeModel([Globals, Provisionable]);
    const globals = toReferenceMarkdown(model.get(Globals), { model });
    expect(tableRows(section(globals, 'Relationship'))).toEqual([
      ['provisionables', 'Collection of provisionable', 'No', 'Provisionables of the instance'],
    ]);
  });
});

describe('what a page shows of other declarations', () => {
  const ID = 'http://example.com/reference';

  @Structure({ doc: 'A | piped structure' })
  class Piped {
    @Property({ doc: 'line one\nline two | three' })
    text?: string;
  }

  @ApsType({ name: 'base', id: `${ID}/base/1.0` })
  class Base {
    @Property({ doc: 'inherited through implements: on the base type’s page' })
    inherited?: string;
  }

  @ApsType({ name: 'catalog', id: `${ID}/catalog/1.0`, implements: [CoreTypes.resource, CoreTypes.suspendable] })
  class Catalog extends Base {
    @Property({ readonly: true, description: 'from description' })
    state?: string;

    @Property({ encrypted: true, required: true, final: true })
    secret!: string;

    @Property({ type: 'integer', default: 5, doc: 'a default' })
    size?: number;

    @Property({ properties: { zone: { type: 'string', required: true }, count: { type: 'integer' } } })
    placement?: Record<string, unknown>;

    @Property({ items: Piped })
    notes?: Piped[];

    @Relation(() => `${ID}/owner/1.0`, { required: true })
    owner?: unknown;

    @Operation({ verb: 'GET', path: '/count', response: 'integer', doc: 'How many there are' })
    static count(@Param('kind', { kind: 'query', type: 'string', doc: 'Only this kind' }) _kind?: string): number {
      return 0;
    }

    @Operation({ verb: 'PUT', path: '/items/{itemId}' })
    putItem(
      @Param('itemId', { kind: 'path', type: 'string', required: true }) _itemId: string,
      @Param('item', { kind: 'body', type: Piped }) _item?: Piped,
    ): void {}
  }

  const page = toReferenceMarkdown(Catalog);

  it('writes attributes, defaults, descriptions and inline properties', () => {
    expect(tableRows(section(page, 'Properties'))).toEqual([
      ['notes', 'Piped', 'Not Required', '', ''],
      ['placement', 'Object', 'Not Required', '', ''],
      ['placement.count', 'Integer', 'Not Required', '', ''],
      ['placement.zone', 'String', 'Required', '', ''],
      ['secret', 'String', 'Required Final Encrypted', '', ''],
      ['size', 'Integer', 'Not Required', '`5`', 'a default'],
      ['state', 'String', 'Not Required Read-only', '', 'from description'],
    ]);
  });

  it('leaves members inherited through implements to the base type’s page', () => {
    expect(page).not.toContain('inherited');
  });

  it('names every implemented type in the schema sentence, a type of the model by its APS name', () => {
    expect(page).toContain(
      'The considered APS type extends the Resource, Suspendable, referenceBase APS type(s) and looks as follows:',
    );
    const model = buildTypeModel([Catalog, Base]);
    expect(toReferenceMarkdown(model.get(Catalog), { model })).toContain(
      'The considered APS type extends the Resource, Suspendable, base APS type(s) and looks as follows:',
    );
    expect(toReferenceMarkdown(Base)).toContain('\nThe considered APS type looks as follows:\n');
  });

  it('keeps every table row on one line and escapes pipes', () => {
    const rows = section(page, 'Structures').filter((l) => l.startsWith('| text'));
    expect(rows).toEqual(['| text | String | Not Required |  | line one line two \\| three |']);
    expect(section(page, 'Piped', section(page, 'Structures').join('\n'))[1]).toBe('A | piped structure');
  });

  it('writes static operations and parameters', () => {
    expect(tableRows(section(page, 'Custom Operations'))).toEqual([
      ['count', 'GET', '/count', 'Integer', 'How many there are'],
      ['putItem', 'PUT', '/items/{itemId}', '', ''],
    ]);
    const count = section(page, 'count', section(page, 'Custom Operations').join('\n'));
    expect(paragraphAfter(count, 'HTTP Request')).toBe('GET /{service}/count');
    expect(tableRows(section(page, 'Parameters', count.join('\n')))).toEqual([
      ['kind', 'String', 'query', 'No', 'Only this kind'],
    ]);
    const put = section(page, 'putItem', section(page, 'Custom Operations').join('\n'));
    expect(paragraphAfter(put, 'HTTP Request')).toBe('PUT /aps/2/resources/{aps-id}/items/{itemId}');
    expect(tableRows(section(page, 'Parameters', put.join('\n')))).toEqual([
      ['itemId', 'String', 'path', 'Yes', ''],
      ['item', 'Piped', 'body', 'No', ''],
    ]);
    expect(put.some((l) => l.includes('Returns'))).toBe(false);
  });

  it('names a relation to an undeclared type from its ID: namespace and name', () => {
    expect(tableRows(section(page, 'Relationship'))).toEqual([['owner', 'referenceOwner', 'Yes', '']]);
  });

  it('leaves out the sections a type has nothing for', () => {
    @ApsType({ name: 'bare', id: `${ID}/bare/1.0` })
    class Bare {}
    expect(toReferenceMarkdown(Bare)).toBe(
      '# bare\n\n## Schema\n\nThe considered APS type looks as follows:\n\n```json\n' +
        JSON.stringify({ name: 'bare', id: `${ID}/bare/1.0`, apsVersion: '2.0' }, null, 2) +
        '\n```\n',
    );
  });
});
