// @switchyard/runtime/testing: helpers for tests, kept out of the public entry.
// `commitStageOutput` finishes a folder the way the runner does (manifest with every file's
// sha256, atomic rename), so a test can fabricate upstream stage outputs without running stages.
export { commitStageOutput } from './stage-output.js';
