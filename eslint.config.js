// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.cache/', 'bench/results/', 'coverage/', 'dist/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // process.env is read in one place only, so every setting is validated at the boundary.
    files: ['lib/**/*.ts'],
    ignores: ['lib/config/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read settings through lib/config/.' }],
    },
  },
  {
    // What production runs never leans on a test double: devtools/ (simulator, receivers, generators) is reached
    // from lib/ only by the commands that exist to start them.
    files: ['lib/**/*.ts'],
    ignores: ['lib/cli/demo-command.ts', 'lib/cli/simulator-command.ts', 'lib/cli/receiver-command.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/devtools/**'], message: 'lib/ must not import test doubles from devtools/.' }] }],
    },
  },
  {
    // The dependency goes sinks -> net and sources -> net: lib/net is the HTTP, TLS and retry layer both build on.
    files: ['lib/net/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/devtools/**'], message: 'lib/ must not import test doubles from devtools/.' },
            { group: ['**/sinks/**', '**/sources/**'], message: 'lib/net must not import lib/sinks or lib/sources: they build on it.' },
          ],
        },
      ],
    },
  },
);
