// Lint rules that hold the architecture in place (see the house style): commands stay thin and never reach
// for transport, storage or rendering libraries; providers never reach for the CLI framework or the terminal.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layerRule = (paths, message) => ({
  'no-restricted-imports': ['error', { paths: paths.map((name) => ({ name, message })) }],
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'oclif.manifest.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/commands/**/*.ts'],
    rules: layerRule(
      ['undici', 'conf', 'cli-table3', 'chalk'],
      'Commands stay thin: HTTP, config, tables and colour belong to their own layers.',
    ),
  },
  {
    files: ['src/providers/**/*.ts'],
    rules: layerRule(
      ['@oclif/core', 'chalk', 'cli-table3', '@inquirer/prompts'],
      'Providers know nothing of the CLI framework or the terminal.',
    ),
  },
  {
    files: ['bin/**/*.js', 'bench/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
