// Lint rules: typescript-eslint's recommended set, plus a ban on `any` (APSKit promises no `any`
// in its public API, and the cheapest way to keep that promise is to have none at all).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { boundariesPlugin } from './scripts/boundaries/package-boundaries.mjs';

/**
 * The lines never crossed (shared/ARCHITECTURE.md): what each package may not import. The rule also
 * keeps every relative import inside its own package and every package's files private to it; see
 * scripts/boundaries/package-boundaries.mjs. Package cycles are `npm run check:graph`'s job.
 */
const NOT_FROM_CORE = [
  '@apskit/express',
  '@apskit/controller',
  '@apskit/store',
  '@apskit/store-postgres',
  '@apskit/webhooks',
  '@apskit/client',
];
const LAYERS = {
  '@apskit/core': NOT_FROM_CORE,
  '@apskit/express': ['@apskit/controller', '@apskit/store', '@apskit/store-postgres', '@apskit/webhooks'],
  '@apskit/store': ['@apskit/express', '@apskit/controller', '@apskit/store-postgres', '@apskit/webhooks'],
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'coverage/**',
      '.apskit/**',
      '.doc-samples*/**',
      'docs/reference/**',
      'docs/api/**',
      // git ignores /tmp/ (scratch space, other checkouts); so does the linter.
      'tmp/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-empty-function': 'off',
    },
  },
  {
    plugins: { apskit: boundariesPlugin(import.meta.dirname) },
    rules: { 'apskit/package-boundaries': ['error', { layers: LAYERS }] },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The repository's own tools (scripts/*.mjs) run on Node as ES modules.
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // The console's script runs in a browser as a classic script, not on Node: the browser globals it
    // uses, and none of Node's (the *.js block above gives those). tsc checks the DOM against its types
    // (packages/controller/console/tsconfig.json); this list only keeps `no-undef` honest.
    files: ['packages/controller/console/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: {
        window: 'readonly',
        document: 'readonly',
        fetch: 'readonly',
        EventSource: 'readonly',
        URLSearchParams: 'readonly',
        Node: 'readonly',
        HTMLElement: 'readonly',
        setTimeout: 'readonly',
        require: 'off',
        module: 'off',
        __dirname: 'off',
        process: 'off',
      },
    },
  },
);
