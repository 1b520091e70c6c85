import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const PACKAGE_SRC =
  "Import the package by name (@sightline/<name>, its package.json's exports), not a file of its src/.";

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test() and describe() return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // A package is used through its package.json's exports (its name), never a file of its src/:
    // what a package exports is all a copier may rely on (test/config/imports.layout.test.ts
    // checks the same, and that no two folders import each other).
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/packages/*/src',
                '**/packages/*/src/**',
                '@sightline/*/src',
                '@sightline/*/src/**',
              ],
              message: PACKAGE_SRC,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../../*/src', '../../*/src/**', '@sightline/*/src', '@sightline/*/src/**'],
              message: PACKAGE_SRC,
            },
          ],
        },
      ],
    },
  },
  { files: ['eslint.config.js'], extends: [tseslint.configs.disableTypeChecked] },
  {
    files: ['**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } },
  },
);
