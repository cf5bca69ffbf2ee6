#!/usr/bin/env node
// Nx target command of a content-keyed stage: decode the spec and run it under the stage
// contract (packages/runtime/src/run-stage.ts). Nx's task hash (NX_TASK_HASH) identifies the
// work folder a killed run leaves for the next one to resume, and keys the remote stage cache
// when SWITCHYARD_CACHE_SERVER is set (packages/runtime/src/stage-cache.ts). Exit 1 with the
// error's message on failure.
// The Nx plugin passes the spec in SWITCHYARD_STAGE_SPEC, so the command Nx prints stays short
// (`run-stage.mjs --key <key>`); `--spec` on the command line works too.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { runStage, stageCacheFromEnv } from '@switchyard/runtime';
import { findStageSpec } from './stage-specs.mjs';

const require = createRequire(import.meta.url);
const { decodeSpec } = require('./pipeline-model.cjs');

const args = process.argv.slice(2);
const i = args.indexOf('--spec');
const encoded = i >= 0 ? args[i + 1] : process.env.SWITCHYARD_STAGE_SPEC;
if (!encoded) {
  process.stderr.write('usage: run-stage.mjs --spec <base64url spec> [--backend NAME] (or the spec in SWITCHYARD_STAGE_SPEC)\n');
  process.exit(2);
}
const b = args.indexOf('--backend');
const root = resolve(new URL('../..', import.meta.url).pathname);
const artifactsDir = resolve(root, 'artifacts');
const log = (line) => process.stderr.write(`${line}\n`);
// An upstream output that does not verify is recomputed from its spec (found in the pipeline files).
async function repairInput(key) {
  const spec = findStageSpec(root, key);
  if (!spec) throw new Error(`upstream stage ${key} does not verify and no pipeline file defines it any more`);
  await runStage(spec, { artifactsDir, log, repairInput });
}
try {
  await runStage(decodeSpec(encoded), {
    artifactsDir, backend: b >= 0 ? args[b + 1] : undefined, log,
    taskHash: process.env.NX_TASK_HASH || undefined, cache: stageCacheFromEnv(artifactsDir, log), repairInput,
  });
} catch (e) {
  process.stderr.write(`switchyard: ${e instanceof Error ? e.message : String(e)}\n`);
  if (process.env.SWITCHYARD_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
}
