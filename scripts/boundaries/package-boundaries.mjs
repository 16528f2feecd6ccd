// @ts-check
/**
 * The ESLint rule `apskit/package-boundaries`: the lines between packages that
 * shared/ARCHITECTURE.md says are never crossed, checked on every import of every file (sources,
 * tests, examples, benchmarks, scripts):
 *
 * - a package forbidden by the `layers` option is not imported (core imports no express, …);
 * - a relative path never leaves its package: another package is imported by its name, so a test of
 *   package A reaches its own sources by path and every other package as its users do;
 * - no `@apskit/x/src/…`, `@apskit/x/dist/…`, `@apskit/x/test/…`, nor, for a package with an
 *   `exports` map, a subpath the map does not open (`@apskit/store/testing` is one it opens);
 * - a file outside every package (bench/, scripts/, docs/) imports packages by name too;
 * - a package's `src` imports only what its package.json declares (dependencies, peer or optional),
 *   so that each package, and each example, builds and installs alone.
 *
 * Imports are `import`/`export … from`, `import()`, `require()`, `require.resolve()`, jest's module
 * functions (`jest.mock`, `jest.requireActual`, …), `import x = require()` and `import('…')` types.
 */
import { builtinModules } from 'node:module';
import { dirname, resolve, sep } from 'node:path';
import { packageOf, readWorkspace } from '../workspace-packages.mjs';

/** @typedef {import('../workspace-packages.mjs').WorkspacePackage} WorkspacePackage */
/** @typedef {import('eslint').Rule.RuleModule} RuleModule */
/** @typedef {import('eslint').Rule.RuleContext} RuleContext */

const BUILTINS = new Set(builtinModules);
/** Folders of a package that are never its API, whatever its package.json says. */
const PRIVATE_FOLDERS = new Set(['src', 'dist', 'test']);
const JEST_MODULE_FUNCTIONS = new Set([
  'mock',
  'doMock',
  'unmock',
  'dontMock',
  'setMock',
  'requireActual',
  'requireMock',
  'createMockFromModule',
]);

/**
 * `@scope/name/rest` or `name/rest` split into the package name and what follows it.
 * @param {string} specifier
 * @returns {{ name: string, subpath: string }}
 */
function splitSpecifier(specifier) {
  const parts = specifier.split('/');
  const length = specifier.startsWith('@') ? 2 : 1;
  return { name: parts.slice(0, length).join('/'), subpath: parts.slice(length).join('/') };
}

/**
 * @param {string} name
 * @returns {boolean}
 */
function isBuiltin(name) {
  return name.startsWith('node:') || BUILTINS.has(name);
}

/**
 * @param {WorkspacePackage} pkg
 * @param {string} name
 * @returns {boolean}
 */
function declares(pkg, name) {
  return (
    name in pkg.dependencies || name in pkg.peerDependencies || name in pkg.optionalDependencies || pkg.name === name
  );
}

/**
 * The string a module reference names, when it is a literal one can read without running the code.
 * @param {unknown} node
 * @returns {string | undefined}
 */
function literalText(node) {
  if (node === null || typeof node !== 'object') return undefined;
  const n =
    /** @type {{ type?: string, value?: unknown, quasis?: Array<{ value: { cooked: string | null } }>, expressions?: unknown[], literal?: unknown }} */ (
      node
    );
  if (n.type === 'Literal' && typeof n.value === 'string') return n.value;
  if (n.type === 'TemplateLiteral' && n.expressions?.length === 0) return n.quasis?.[0]?.value.cooked ?? undefined;
  // typescript-eslint's `import('x')` type wraps its string in a literal type.
  if (n.type === 'TSLiteralType') return literalText(n.literal);
  return undefined;
}

/**
 * The rule for the workspace whose root package.json is in `root`.
 * @param {string} root
 * @returns {RuleModule}
 */
export function packageBoundariesRule(root) {
  /** @type {WorkspacePackage[] | undefined} */
  let packages;
  return {
    meta: {
      type: 'problem',
      docs: { description: 'Keep packages to their own files and to the layers of shared/ARCHITECTURE.md' },
      schema: [
        {
          type: 'object',
          properties: {
            layers: {
              type: 'object',
              description: 'package name → the workspace packages it may not import',
              additionalProperties: { type: 'array', items: { type: 'string' } },
            },
          },
          additionalProperties: false,
        },
      ],
      messages: {
        layer: '{{owner}} may not import {{name}}: the lines never crossed (shared/ARCHITECTURE.md).',
        leavesPackage:
          '"{{specifier}}" leaves {{owner}} by a relative path{{into}}: import another package by its name, as its users do.',
        intoPackage: '"{{specifier}}" reaches into {{target}} by a relative path: import it by its name, "{{target}}".',
        deepImport:
          '"{{specifier}}" reaches inside {{name}}: import "{{name}}" (or a subpath its package.json exports), not its files.',
        undeclared:
          '{{owner}} imports "{{name}}" without declaring it: add it to the dependencies of {{manifest}}, so that the package installs and builds alone.',
      },
    },
    create(context) {
      packages ??= readWorkspace(root);
      const all = packages;
      const file = context.filename;
      const inRepo = file.startsWith(resolve(root) + sep);
      if (!inRepo) return {};
      const owner = packageOf(all, file);
      const isSource = owner !== undefined && file.startsWith(`${owner.dir}${sep}src${sep}`);
      const options = /** @type {{ layers?: Record<string, string[]> } | undefined} */ (context.options[0]);
      const forbidden = new Set(owner ? (options?.layers?.[owner.name] ?? []) : []);
      const byName = new Map(all.map((p) => [p.name, p]));

      /**
       * @param {import('estree').Node} node
       * @param {string} specifier
       */
      function check(node, specifier) {
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          const reached = packageOf(all, target);
          if (owner && reached !== owner) {
            const into = reached ? ` into ${reached.name}` : '';
            context.report({ node, messageId: 'leavesPackage', data: { specifier, owner: owner.name, into } });
          } else if (!owner && reached) {
            context.report({ node, messageId: 'intoPackage', data: { specifier, target: reached.name } });
          }
          return;
        }
        if (specifier.startsWith('/') || isBuiltin(specifier)) return;
        const { name, subpath } = splitSpecifier(specifier);
        const target = byName.get(name);
        if (target && subpath !== '') {
          const hidden = target.exports.length > 0 && !target.exports.includes(`./${subpath}`);
          if (hidden || PRIVATE_FOLDERS.has(subpath.split('/')[0]))
            context.report({ node, messageId: 'deepImport', data: { specifier, name } });
        }
        if (owner && forbidden.has(name)) {
          context.report({ node, messageId: 'layer', data: { owner: owner.name, name } });
        }
        if (owner && isSource && !declares(owner, name)) {
          context.report({
            node,
            messageId: 'undeclared',
            data: { owner: owner.name, name, manifest: `${owner.path}/package.json` },
          });
        }
      }

      /**
       * @param {import('estree').Node} node
       * @param {unknown} source
       */
      function checkSource(node, source) {
        const text = literalText(source);
        if (text !== undefined) check(node, text);
      }

      return {
        ImportDeclaration: (node) => checkSource(node, node.source),
        ExportNamedDeclaration: (node) => checkSource(node, node.source),
        ExportAllDeclaration: (node) => checkSource(node, node.source),
        ImportExpression: (node) => checkSource(node, node.source),
        CallExpression(node) {
          const { callee } = node;
          const isRequire = callee.type === 'Identifier' && callee.name === 'require';
          const isMember =
            callee.type === 'MemberExpression' &&
            callee.object.type === 'Identifier' &&
            callee.property.type === 'Identifier' &&
            ((callee.object.name === 'require' && callee.property.name === 'resolve') ||
              (callee.object.name === 'jest' && JEST_MODULE_FUNCTIONS.has(callee.property.name)));
          if ((isRequire || isMember) && node.arguments.length > 0) checkSource(node, node.arguments[0]);
        },
        // typescript-eslint nodes, which ESLint's own types do not list.
        /** @param {import('estree').Node & { argument?: unknown }} node */
        TSImportType: (node) => checkSource(node, node.argument),
        /** @param {import('estree').Node & { expression?: unknown }} node */
        TSExternalModuleReference: (node) => checkSource(node, node.expression),
      };
    },
  };
}

/**
 * The plugin that carries the rule, for eslint.config.mjs.
 * @param {string} root
 */
export function boundariesPlugin(root) {
  return { meta: { name: 'apskit-boundaries' }, rules: { 'package-boundaries': packageBoundariesRule(root) } };
}
