#!/usr/bin/env node
// One shard of a sweep, for spreading it over machines that share a stage cache:
//   npx nx run pipeline:<sweep>-shard --shard=I/N      (or: node tools/pipeline/run-shard.mjs <sweep> --shard=I/N)
// The sweep's runs (pipeline × seed, in file order) are dealt round-robin: shard I takes runs
// I, I+N, I+2N… (1-based) and runs every stage they need through Nx (`nx run-many -t run`), so each
// stage is cached and, with SWITCHYARD_CACHE_SERVER, uploaded. Stages several runs share
// (data-prep, base-model, eval-base) run on each shard that needs them unless already cached.
// When every shard is done, `npx nx run pipeline:<sweep>` on any machine restores the stages from
// the cache and builds the report.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseShard, shardOf } from './shard.mjs';

const require = createRequire(import.meta.url);
const { loadSweep } = require('./pipeline-model.cjs');
const root = resolve(new URL('../..', import.meta.url).pathname);

const args = process.argv.slice(2);
const sweep = args[0] && !args[0].startsWith('--') ? args[0] : undefined;
const shardArg = args.find((a) => a.startsWith('--shard='))?.slice('--shard='.length) ?? (args.includes('--shard') ? args[args.indexOf('--shard') + 1] : undefined);
const usage = 'usage: npx nx run pipeline:<sweep>-shard --shard=I/N   (1 ≤ I ≤ N, e.g. --shard=1/2)';
const shard = parseShard(shardArg);
if (!sweep || shard instanceof Error) { process.stderr.write(`${shard instanceof Error ? `${shard.message}\n` : ''}${usage}\n`); process.exit(2); }
const { i, n } = shard;

const sw = loadSweep(join(root, 'pipelines', 'sweeps', `${sweep}.json`), root);
const mine = shardOf(sw, i, n);
const projects = mine.keys.map((k) => `stage-${k}`);
process.stderr.write(`switchyard: sweep ${sweep} shard ${i}/${n}: ${mine.runs.length} of ${sw.runs.length} runs (${mine.runs.map((r) => `${r.pipeline}/seed-${r.seed}`).join(', ') || 'none'}), ${projects.length} stages\n`);
if (!projects.length) process.exit(0);
const passOn = args.filter((a) => a.startsWith('--') && !a.startsWith('--shard'));
const r = spawnSync('npx', ['nx', 'run-many', '-t', 'run', `--projects=${projects.join(',')}`, ...passOn], { cwd: root, stdio: 'inherit' });
if (r.status === 0) process.stderr.write(`switchyard: shard ${i}/${n} of ${sweep} done; when every shard is done, \`npx nx run pipeline:${sweep}\` builds the report from the cache\n`);
process.exit(r.status ?? 1);
