import jest from 'eslint-plugin-jest';
import tseslint from 'typescript-eslint';
import honesty from './scripts/lint/test-honesty.js';

/**
 * The test-honesty check (issue 22): only rules about checks that cannot fail, over test/ only.
 * Style is not its business. No type information, so it parses and nothing more.
 */
export default [
  {
    files: ['test/**/*.ts'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2024, sourceType: 'module', globals: jest.environments.globals.globals },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { jest, honesty },
    rules: {
      'jest/valid-expect': ['error', { alwaysAwait: true }],
      'jest/valid-expect-in-promise': 'error',
      'jest/no-standalone-expect': 'error',
      'jest/no-conditional-expect': 'off',
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*', '**.expect*'] }],
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      'honesty/guarded-expect': 'error',
      'honesty/awaited-wait': 'error',
      'honesty/no-default-figure': 'error',
      'honesty/disable-needs-reason': 'error',
    },
  },
];
