#!/usr/bin/env node
// Makes artifacts/<pipeline>/<stage> point at the content-keyed output artifacts/stages/<key>,
// so a pipeline's results can be browsed by name while identical stages stay shared. It first
// verifies that output (manifest and the sha256 of every file): a copy Nx restored from its cache
// that does not verify is recomputed, never linked — single-stage targets included. With
// SWITCHYARD_CACHE_SERVER set it also uploads what earlier runs computed while the stage cache
// was unavailable.
import { lstatSync, mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runStage, stageCacheFromEnv, verifyStageOutput } from '@switchyard/runtime';
import { findStageSpec } from './stage-specs.mjs';

const [pipeline, stage, key] = process.argv.slice(2);
if (!pipeline || !stage || !key) { process.stderr.write('usage: link-stage.mjs PIPELINE STAGE KEY\n'); process.exit(2); }
const root = resolve(new URL('../..', import.meta.url).pathname);
const artifactsDir = join(root, 'artifacts');
const log = (line) => process.stderr.write(`${line}\n`);

try {
  verifyStageOutput(join(artifactsDir, 'stages', key));
} catch (e) {
  log(`switchyard: warning: ${e.message}\n  recomputing ${pipeline}/${stage}; if Nx restored this copy from its local cache, \`npx nx reset\` drops it there too`);
  const spec = findStageSpec(root, key);
  try {
    if (!spec) throw new Error(`no pipeline file defines stage ${key} any more`);
    rmSync(join(artifactsDir, 'stages', key), { recursive: true, force: true });
    await runStage({ ...spec, pipeline }, { artifactsDir, log });
  } catch (e2) {
    log(`switchyard: ${e2.message}`);
    process.exit(1);
  }
}

const cache = stageCacheFromEnv(artifactsDir, log);
if (cache) {
  const n = await cache.push(join(artifactsDir, 'stages'));
  if (n.uploaded) log(`switchyard: uploaded ${n.uploaded} stage(s) computed while the stage cache was unavailable`);
}

const dir = join(artifactsDir, pipeline);
mkdirSync(dir, { recursive: true });
const link = join(dir, stage);
const tmp = `${link}.tmp-${process.pid}`;
rmSync(tmp, { force: true });
symlinkSync(join('..', 'stages', key), tmp);
try { if (lstatSync(link).isDirectory() && !lstatSync(link).isSymbolicLink()) rmSync(link, { recursive: true }); } catch { /* absent */ }
renameSync(tmp, link);
