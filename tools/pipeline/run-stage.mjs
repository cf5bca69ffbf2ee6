#!/usr/bin/env node
// Nx target command of a content-keyed stage: decode the spec and run it under the stage
// contract (packages/runtime/src/run-stage.ts). Exit 1 with the error's message on failure.
// The Nx plugin passes the spec in SWITCHYARD_STAGE_SPEC, so the command Nx prints stays short
// (`run-stage.mjs --key <key>`); `--spec` on the command line works too.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { runStage } from '@switchyard/runtime';

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
try {
  await runStage(decodeSpec(encoded), { artifactsDir: resolve(root, 'artifacts'), backend: b >= 0 ? args[b + 1] : undefined });
} catch (e) {
  process.stderr.write(`switchyard: ${e instanceof Error ? e.message : String(e)}\n`);
  if (process.env.SWITCHYARD_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
}
