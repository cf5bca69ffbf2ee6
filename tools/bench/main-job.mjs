#!/usr/bin/env node
// Benchmark of the user's main job on a fresh clone: clone this repository
// into a temporary folder, `npm install`, then time `npx nx run pipeline:samsum-sparsemax` (which
// needs no network: the embedded corpus, no downloads). Appends a row to
// tools/bench/results/main-job.md with the machine noted.
//   node tools/bench/main-job.mjs [--keep]
import { execa } from 'execa';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const keep = process.argv.includes('--keep');
const dir = join(mkdtempSync(join(tmpdir(), 'switchyard-main-job-')), 'clone');
const env = { ...process.env, NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false', NX_NO_CLOUD: 'true' };
delete env.NX_SKIP_NX_CACHE;

const commit = (await execa('git', ['rev-parse', '--short', 'HEAD'], { cwd: root })).stdout;
await execa('git', ['clone', '--quiet', root, dir]);
let t = Date.now();
await execa('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, env });
const installS = (Date.now() - t) / 1000;
t = Date.now();
const run = await execa('npx', ['nx', 'run', 'pipeline:samsum-sparsemax', '--output-style=static'], { cwd: dir, env, all: true, reject: false });
const runS = (Date.now() - t) / 1000;
writeFileSync(join(dir, 'main-job.log'), run.all ?? '');
if (run.exitCode !== 0) { process.stderr.write(run.all ?? ''); process.exit(1); }
const summary = (run.all ?? '').split('\n').find((l) => l.includes('switchyard: pipeline samsum-sparsemax done')) ?? '';
const report = join(dir, 'artifacts', 'samsum-sparsemax', 'report', 'report.md');
const left = ['predictions.arrow', 'scores.arrow'].every((f) => existsSync(join(dir, 'artifacts', 'samsum-sparsemax', 'eval-rouge', f)))
  && existsSync(join(dir, 'artifacts', 'samsum-sparsemax', 'flops-profiler', 'flops.arrow')) && existsSync(report);
const rouge = JSON.parse(readFileSync(join(dir, 'artifacts', 'samsum-sparsemax', 'eval-rouge', 'rouge.json'), 'utf8'));
const r = Object.fromEntries(rouge.percent.map((p) => [p.type, (p.midF ?? p.meanF).toFixed(2)]));
const out = join(root, 'tools', 'bench', 'results', 'main-job.md');
if (!existsSync(out)) {
  writeFileSync(out, '# Main job on a fresh clone\n\n`node tools/bench/main-job.mjs`: `git clone` → `npm install` → `npx nx run pipeline:samsum-sparsemax` (no cache, no network for the run).\n\n'
    + '| date | commit | machine | load avg (1 min) at start | npm install s | pipeline s | ROUGE-1/2/L/Lsum (bootstrap mid, ×100) | outputs present |\n|---|---|---|---|---|---|---|---|\n');
}
const machine = `${cpus().length}× ${cpus()[0]?.model.trim()}, node ${process.version}`;
appendFileSync(out, `| ${new Date().toISOString().slice(0, 16)} | ${commit} | ${machine} | ${loadavg()[0].toFixed(1)} | ${installS.toFixed(0)} | ${runS.toFixed(0)} | ${r.rouge1}/${r.rouge2}/${r.rougeL}/${r.rougeLsum} | ${left ? 'yes' : 'NO'} |\n`);
process.stdout.write(`${summary}\ninstall ${installS.toFixed(0)} s, pipeline ${runS.toFixed(0)} s → ${out}\n`);
if (!keep) rmSync(dir, { recursive: true, force: true });
else process.stdout.write(`clone kept at ${dir}\n`);
