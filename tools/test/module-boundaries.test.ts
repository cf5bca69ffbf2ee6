// The layering, checked on every `npm test` (tools/boundaries/check-boundaries.mjs): the
// repository has no violation, and each rule catches a violation planted in a scratch workspace.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from './nx-env.js';
// @ts-expect-error plain ESM module without types
import { findViolations, formatViolation } from '../boundaries/check-boundaries.mjs';

type Violation = { file: string; line: number; spec: string; rule: string };
const check = (root: string): Violation[] => findViolations(root);

it('finds no violation in the repository', () => {
  expect(check(repoRoot).map(formatViolation)).toEqual([]);
});

function scratch(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-boundaries-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}
const manifest = (name: string, dependencies: Record<string, string> = {}, devDependencies: Record<string, string> = {}) =>
  JSON.stringify({ name, version: '0.1.0', dependencies, devDependencies });

it('catches each planted violation at its file and line, and nothing else', () => {
  const root = scratch({
    'packages/runtime/package.json': manifest('@switchyard/runtime', { ajv: '^8', '@tensorflow/tfjs': '4.22.0', '@switchyard/tensor-engine': '0.1.0' }),
    'packages/runtime/src/ok.ts': "// import * as tf from '@tensorflow/tfjs' in a comment is no import\nimport Ajv from 'ajv';\nimport { join } from 'node:path';\nexport const s = 'come from \"fields\"';\n",
    'packages/runtime/src/bad-tf.ts': "import { x } from './ok.js';\nimport * as tf from '@tensorflow/tfjs';\n",
    'packages/runtime/src/bad-engine.ts': "const e = await import('@switchyard/tensor-engine');\n",
    'packages/routers/package.json': manifest('@switchyard/routers', { '@switchyard/model-core': '0.1.0' }),
    'packages/routers/src/bad.ts': "import {\n  SwitchTransformer,\n} from '@switchyard/model-core';\n",
    'packages/model-core/package.json': manifest('@switchyard/model-core', { '@switchyard/train': '0.1.0', '@switchyard/eval-rouge': '0.1.0' }),
    'packages/model-core/src/bad.ts': "import { train } from '@switchyard/train';\nexport { score } from '@switchyard/eval-rouge';\n",
    'packages/train/package.json': manifest('@switchyard/train', { '@switchyard/runtime': '0.1.0' }),
    'packages/train/src/bad-dist.ts': "import { runStage } from '@switchyard/runtime/dist/run-stage.js';\n",
    'packages/train/src/bad-path.ts': "import { runStage } from '../../runtime/src/run-stage.js';\n",
    'packages/train/src/bad-undeclared.ts': "import { x } from 'vega';\n",
    'packages/train/test/dev-only.test.ts': "import { y } from '@swc/core';\n",
    'packages/train/src/bad-testing.ts': "import { commitStageOutput } from '@switchyard/runtime/testing';\n",
    'packages/train/test/ok-testing.test.ts': "import { commitStageOutput } from '@switchyard/runtime/testing';\n",
    'tools/nx-plugin/bad.cjs': "const tf = require('@tensorflow/tfjs');\n",
    'tools/pipeline/bad.mjs': "import '@switchyard/tensor-engine';\n",
  });
  const found = check(root).map((v) => `${v.file}:${v.line} ${v.spec}`).sort();
  expect(found).toEqual([
    'packages/model-core/src/bad.ts:1 @switchyard/train',
    'packages/model-core/src/bad.ts:2 @switchyard/eval-rouge',
    'packages/routers/src/bad.ts:3 @switchyard/model-core',
    'packages/runtime/src/bad-engine.ts:1 @switchyard/tensor-engine',
    'packages/runtime/src/bad-tf.ts:2 @tensorflow/tfjs',
    'packages/train/src/bad-dist.ts:1 @switchyard/runtime/dist/run-stage.js',
    'packages/train/src/bad-path.ts:1 ../../runtime/src/run-stage.js',
    'packages/train/src/bad-testing.ts:1 @switchyard/runtime/testing',
    'packages/train/src/bad-undeclared.ts:1 vega',
    'packages/train/test/dev-only.test.ts:1 @swc/core',
    'tools/nx-plugin/bad.cjs:1 @tensorflow/tfjs',
    'tools/pipeline/bad.mjs:1 @switchyard/tensor-engine',
  ]);
  // Messages say what is wrong.
  const messages = check(root).map(formatViolation).join('\n');
  expect(messages).toContain('packages/runtime/src/bad-tf.ts:2: imports \'@tensorflow/tfjs\': the stage contract must not depend on tensors');
  expect(messages).toContain('reaches into packages/runtime/src/ by path; import @switchyard/runtime instead');
  expect(messages).toContain('bad-testing.ts:1: imports \'@switchyard/runtime/testing\': test helpers (a /testing entry) are for tests only');
  expect(messages).toContain('vega is imported but not declared in packages/train/package.json (dependencies)');
});
