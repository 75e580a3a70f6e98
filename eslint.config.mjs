import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const CDK = ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'];
const AWS = ['@aws-sdk/*', '@aws-lambda-powertools/*'];
const FS = ['fs', 'fs/*', 'node:fs', 'node:fs/*'];

/** `no-restricted-imports` for `files`: no package of `packages`, no relative import into a folder of `folders`. */
function layer(files, packages, folders, message) {
  const relative = folders.flatMap((f) => [`**/${f}`, `**/${f}/**`]);
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: [...packages.flat(), ...relative], message }] }],
    },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.sandbox/', 'coverage/', 'dist/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  // Layers (docs/layers.md): contracts ← snowflake ← lambda ← lib ← bin; each imports only the layers to its left.
  layer(
    ['contracts/**/*.ts'],
    [AWS, CDK],
    ['lib', 'lambda', 'snowflake', 'bin', 'test', 'bench'],
    'contracts/ imports no other layer',
  ),
  layer(
    ['snowflake/**/*.ts'],
    [AWS, CDK, FS],
    ['lib', 'lambda', 'bin', 'test', 'bench'],
    'snowflake/ is pure: no AWS, no I/O',
  ),
  layer(['lambda/**/*.ts'], [CDK], ['lib', 'bin', 'test', 'bench'], 'No CDK imports in runtime code'),
  layer(['lib/**/*.ts'], [], ['bin', 'test', 'bench'], 'lib/ never imports the tools or the tests'),
  layer(['bin/**/*.ts'], [], ['test', 'bench'], 'a tool never imports test/'),
);
