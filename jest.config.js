// One Jest run over every package. TypeScript is compiled by SWC, modules stay native ESM
// (npm test sets --experimental-vm-modules). Workspace imports resolve to the packages' sources,
// so unit tests need no build; the pipeline tests build first (npm test does).
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/tools'],
  testMatch: ['**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  moduleNameMapper: {
    '^@switchyard/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    // Subpath entries (`@switchyard/runtime/testing`, `@switchyard/eval-rouge/scoring`) are src/<name>.ts.
    '^@switchyard/([a-z-]+)/([a-z-]+)$': '<rootDir>/packages/$1/src/$2.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 120000,
  maxWorkers: 2,
};
