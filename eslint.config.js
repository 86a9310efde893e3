// One lint configuration for the whole workspace (ESLint finds it from any package).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/src/generated/**',
      '**/*.generated.ts',
      '**/.turbo/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { ignoreRestSiblings: true, varsIgnorePattern: '^_' },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through the package env module (env.ts).',
        },
      ],
    },
  },
  {
    // The modules that own configuration, and the scripts that hand it to child processes.
    files: [
      '**/env.ts',
      'scripts/**',
      '**/test/**',
      'packages/testing/src/**',
      '**/migrations/generate.ts',
      '**/vitest.config.ts',
      'bench/**',
      'examples/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // vitest's asymmetric matchers (expect.any, …) are typed `any`.
    files: ['**/test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@chronicle/testing',
              importNames: ['waitFor'],
              message: 'Use vi.waitFor: this waitFor is for the bench, which runs outside vitest.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
