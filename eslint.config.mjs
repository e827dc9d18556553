// ESLint 9 flat config: typescript-eslint's recommended rules, type-aware, for the TypeScript sources and
// tests; ESLint's recommended rules for the plain JavaScript (CommonJS, Node). Formatting is prettier's:
// eslint-config-prettier, last, turns off every rule that would disagree with it.
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Unused names are errors, except those that say they are unused with a leading underscore. */
const unusedVars = ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true, varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }];

export default defineConfig(
  { ignores: ['**/node_modules/', '**/dist/', 'coverage/', '**/.mesh/', 'patches/'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    // Exactly the files of tsconfig.test.json, which type-checks them as one program (sources and tests).
    files: ['packages/*/src/**/*.ts', 'packages/*/test/**/*.ts', 'test/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: fileURLToPath(new URL('.', import.meta.url)) },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': unusedVars,
      // Off: the code writes `xs[i]!` on purpose where an index is known to be in range. Without
      // noUncheckedIndexedAccess the rule calls every such `!` unnecessary (some 300 of them), and removing
      // them would only have to be undone the day that option is turned on.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Off: an async function without an await is how this code implements a Promise-returning interface
      // (stores, handlers, fakes in tests) and keeps a throw a rejection; it is no bug.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { 'no-unused-vars': unusedVars },
  },
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module', globals: globals.node },
    rules: { 'no-unused-vars': unusedVars },
  },
  {
    // The console's front end: ES modules run by the browser.
    files: ['packages/cli/console/**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: globals.browser },
  },
  prettier,
);
