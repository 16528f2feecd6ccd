/**
 * The `apskit/package-boundaries` lint rule, run by ESLint with the repository's own configuration
 * (eslint.config.mjs) on code given as the text of a file at a path: each line that must never be
 * crossed is reported, and what is allowed is not. ESLint loads its configuration as an ES module,
 * which jest's CommonJS runtime cannot, so the linting runs in a child Node process.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

const SCRIPT = `
import { ESLint } from 'eslint';
let text = '';
for await (const chunk of process.stdin) text += chunk;
const eslint = new ESLint({ cwd: process.cwd() });
const out = [];
for (const { filePath, code } of JSON.parse(text)) {
  const [result] = await eslint.lintText(code, { filePath });
  out.push(result.messages.filter((m) => m.ruleId === 'apskit/package-boundaries').map((m) => m.message));
}
process.stdout.write(JSON.stringify(out));
`;

interface Case {
  readonly filePath: string;
  readonly code: string;
}

/** The rule's messages for each case, in order. */
function lint(cases: readonly Case[]): string[][] {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    cwd: ROOT,
    input: JSON.stringify(cases.map((c) => ({ ...c, filePath: resolve(ROOT, c.filePath) }))),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`eslint failed to run: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[][];
}

const REPORTED: Array<[string, Case, string[]]> = [
  [
    'core importing express',
    { filePath: 'packages/core/src/probe.ts', code: "import { createEndpoint } from '@apskit/express';\n" },
    [
      '@apskit/core may not import @apskit/express: the lines never crossed (shared/ARCHITECTURE.md).',
      '@apskit/core imports "@apskit/express" without declaring it: add it to the dependencies of packages/core/package.json, so that the package installs and builds alone.',
    ],
  ],
  [
    'core requiring the controller, importing the client lazily, naming a webhooks type',
    {
      filePath: 'packages/core/src/probe.ts',
      code:
        "// eslint-disable-next-line @typescript-eslint/no-require-imports\nconst c = require('@apskit/controller');\n" +
        "export const client = () => import('@apskit/client');\n" +
        "export type W = import('@apskit/webhooks').RunningProvisioner;\nexport { c };\n",
    },
    ['@apskit/controller', '@apskit/client', '@apskit/webhooks'].flatMap((name) => [
      `@apskit/core may not import ${name}: the lines never crossed (shared/ARCHITECTURE.md).`,
      `@apskit/core imports "${name}" without declaring it: add it to the dependencies of packages/core/package.json, so that the package installs and builds alone.`,
    ]),
  ],
  [
    'express importing the controller',
    { filePath: 'packages/express/src/probe.ts', code: "export { Controller } from '@apskit/controller';\n" },
    [
      '@apskit/express may not import @apskit/controller: the lines never crossed (shared/ARCHITECTURE.md).',
      '@apskit/express imports "@apskit/controller" without declaring it: add it to the dependencies of packages/express/package.json, so that the package installs and builds alone.',
    ],
  ],
  [
    "a package's src reaching another's by path",
    { filePath: 'packages/express/src/routes/probe.ts', code: "export * from '../../../core/src/index';\n" },
    [
      '"../../../core/src/index" leaves @apskit/express by a relative path into @apskit/core: import another package by its name, as its users do.',
    ],
  ],
  [
    "another package's src or dist by name",
    {
      filePath: 'packages/cli/src/probe.ts',
      code: "import { a } from '@apskit/core/src/index';\nimport { b } from '@apskit/express/dist/index';\nexport { a, b };\n",
    },
    [
      '"@apskit/core/src/index" reaches inside @apskit/core: import "@apskit/core" (or a subpath its package.json exports), not its files.',
      '"@apskit/express/dist/index" reaches inside @apskit/express: import "@apskit/express" (or a subpath its package.json exports), not its files.',
    ],
  ],
  [
    'a subpath that an exports map does not open',
    {
      filePath: 'packages/store-postgres/test/probe.test.ts',
      code: "export * from '@apskit/store/src/records';\nexport * from '@apskit/store/records';\n",
    },
    [
      '"@apskit/store/src/records" reaches inside @apskit/store: import "@apskit/store" (or a subpath its package.json exports), not its files.',
      '"@apskit/store/records" reaches inside @apskit/store: import "@apskit/store" (or a subpath its package.json exports), not its files.',
    ],
  ],
  [
    'a test of express using the controller: the layers hold for tests too',
    {
      filePath: 'packages/express/test/probe.test.ts',
      code: "export { startController } from '@apskit/controller';\n",
    },
    ['@apskit/express may not import @apskit/controller: the lines never crossed (shared/ARCHITECTURE.md).'],
  ],
  [
    "a test reaching another package's test helper, and mocking one of its files",
    {
      filePath: 'packages/cli/test/probe.test.ts',
      code: "import { validateOpenApi } from '../../core/test/helpers/openapi-validator';\njest.mock('../../../packages/express/src/server/logger');\nexport { validateOpenApi };\n",
    },
    [
      '"../../core/test/helpers/openapi-validator" leaves @apskit/cli by a relative path into @apskit/core: import another package by its name, as its users do.',
      '"../../../packages/express/src/server/logger" leaves @apskit/cli by a relative path into @apskit/express: import another package by its name, as its users do.',
    ],
  ],
  [
    "a test importing an example's sources",
    {
      filePath: 'packages/core/test/probe.test.ts',
      code: "import { Globals } from '../../../examples/async-provisioning/src';\nexport { Globals };\n",
    },
    [
      '"../../../examples/async-provisioning/src" leaves @apskit/core by a relative path into @apskit/example-async-provisioning: import another package by its name, as its users do.',
    ],
  ],
  [
    'a benchmark reaching into a package by path',
    { filePath: 'bench/probe.ts', code: "export * from '../packages/controller/src';\n" },
    [
      '"../packages/controller/src" reaches into @apskit/controller by a relative path: import it by its name, "@apskit/controller".',
    ],
  ],
  [
    'an example importing what its package.json does not declare',
    { filePath: 'examples/sync-workflow/src/probe.ts', code: "export { Controller } from '@apskit/controller';\n" },
    [
      '@apskit/example-sync-workflow imports "@apskit/controller" without declaring it: add it to the dependencies of examples/sync-workflow/package.json, so that the package installs and builds alone.',
    ],
  ],
];

const ALLOWED: Array<[string, Case]> = [
  [
    'core importing node, its own files and its declared dependencies',
    {
      filePath: 'packages/core/src/model/probe.ts',
      code: "import { readFileSync } from 'node:fs';\nimport { join } from 'path';\nimport Ajv from 'ajv';\nimport type { Class } from '../metadata/records';\nexport { readFileSync, join, Ajv, type Class };\n",
    },
  ],
  [
    'a test importing its own src by path and other packages by name',
    {
      filePath: 'packages/express/test/probe.test.ts',
      code: "import { createEndpoint } from '../src/create-endpoint';\nimport { ApsType } from '@apskit/core';\nimport { listen } from '@apskit/express';\nexport { createEndpoint, ApsType, listen };\n",
    },
  ],
  [
    'a subpath that the package exports: the store contract tests',
    { filePath: 'packages/store-postgres/test/probe.test.ts', code: "export * from '@apskit/store/testing';\n" },
  ],
  [
    'an example test importing its own src',
    { filePath: 'examples/pa-subscription/test/probe.test.ts', code: "export { services } from '../src';\n" },
  ],
  [
    'the controller importing the layers below it',
    {
      filePath: 'packages/controller/src/probe.ts',
      code: "export { createEndpoint } from '@apskit/express';\nexport { ApsType } from '@apskit/core';\n",
    },
  ],
];

describe('the package-boundaries lint rule', () => {
  const results = lint([...REPORTED.map(([, c]) => c), ...ALLOWED.map(([, c]) => c)]);

  it.each(REPORTED.map(([name, , messages], i) => [name, messages, i] as const))('reports %s', (_name, messages, i) => {
    expect(results[i]).toEqual(messages);
  });

  it.each(ALLOWED.map(([name], i) => [name, REPORTED.length + i] as const))('allows %s', (_name, i) => {
    expect(results[i]).toEqual([]);
  });
});
