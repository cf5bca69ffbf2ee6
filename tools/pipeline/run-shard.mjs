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

const require = createRequire(import.meta.url);
const { loadSweep } = require('./pipeline-model.cjs');
const root = resolve(new URL('../..', import.meta.url).pathname);

const args = process.argv.slice(2);
const sweep = args.find((a) => !a.startsWith('--'));
const shardArg = args.find((a) => a.startsWith('--shard='))?.slice('--shard='.length) ?? args[args.indexOf('--shard') + 1];
const m = /^(\d+)\/(\d+)$/.exec(shardArg ?? '');
const usage = 'usage: nx run pipeline:<sweep>-shard --shard=I/N   (1 ≤ I ≤ N, e.g. --shard=1/2)';
if (!sweep || !m) { process.stderr.write(`${usage}\n`); process.exit(2); }
const [i, n] = [Number(m[1]), Number(m[2])];
if (n < 1 || i < 1 || i > n) { process.stderr.write(`--shard=${shardArg}: I must be between 1 and N\n${usage}\n`); process.exit(2); }

const sw = loadSweep(join(root, 'pipelines', 'sweeps', `${sweep}.json`), root);
const mine = sw.runs.filter((_, k) => k % n === i - 1);
const projects = [...new Set(mine.flatMap((r) => r.resolved.stages.map((s) => `stage-${s.key}`)))];
process.stderr.write(`switchyard: sweep ${sweep} shard ${i}/${n}: ${mine.length} of ${sw.runs.length} runs (${mine.map((r) => `${r.pipeline}/seed-${r.seed}`).join(', ') || 'none'}), ${projects.length} stages\n`);
if (!projects.length) process.exit(0);
const passOn = args.filter((a) => a.startsWith('--') && !a.startsWith('--shard'));
const r = spawnSync('npx', ['nx', 'run-many', '-t', 'run', `--projects=${projects.join(',')}`, ...passOn], { cwd: root, stdio: 'inherit' });
if (r.status === 0) process.stderr.write(`switchyard: shard ${i}/${n} of ${sweep} done; when every shard is done, \`npx nx run pipeline:${sweep}\` builds the report from the cache\n`);
process.exit(r.status ?? 1);
