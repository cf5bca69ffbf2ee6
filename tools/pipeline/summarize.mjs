#!/usr/bin/env node
// Final lines of `nx run pipeline:<name>` (or of a sweep, with --sweep): each stage, whether it
// ran in this invocation or came from the cache, and its folder; then the headline — per strategy
// the main metric with its interval, the base model's, active experts and FLOPs per token — and
// where the report is; last, one line with the backend and data source.
// "Ran" = the stage's manifest was written after the outermost nx process of this invocation
// started (Nx passes its pid to every task); a stage restored from the cache or left in place
// keeps the finish time of the run that computed it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { verifyStageOutput } from '@switchyard/runtime';
import { MAIN_METRIC, runHeadline } from './headline-metrics.mjs';

const require = createRequire(import.meta.url);
const { loadPipeline, loadSweep } = require('./pipeline-model.cjs');
const root = resolve(new URL('../..', import.meta.url).pathname);
const args = process.argv.slice(2);
const isSweep = args[0] === '--sweep';
const name = isSweep ? args[1] : args[0];

/** Start time (ms) of the outermost nx process of this invocation, or null outside nx. */
function invocationStart() {
  const pid = Number((process.env.NX_INVOCATION_ANCESTOR_PIDS ?? '').split(',')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    const elapsed = Number(execFileSync('ps', ['-o', 'etimes=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isFinite(elapsed) ? Date.now() - (elapsed + 1) * 1000 : null; // etimes is whole seconds, floored
  } catch { return null; }
}
const started = invocationStart();
// Nx runs the task of the project you ran (this one) in a pseudo-terminal while the real terminal
// is in raw mode, and re-emits its lines with a bare LF (a carriage return is dropped), so they
// would step right like a staircase. On a terminal each line therefore ends with ESC[G (cursor to
// column 1) before the LF; in a log (no terminal, no pseudo-terminal) lines end with LF alone.
const EOL = process.stdout.isTTY ? '\x1b[G\n' : '\n';
let first = true;
const write = (text) => {
  // The first line follows Nx's command header, which also ends with a bare LF.
  process.stdout.write(`${first && process.stdout.isTTY ? '\x1b[G' : ''}${text.replace(/\n/g, EOL)}`);
  first = false;
};

const stagesDir = join(root, 'artifacts', 'stages');
const manifests = new Map();
const backends = new Set();
const sources = new Set();
function manifestOf(s) {
  if (!manifests.has(s.key)) {
    const m = verifyStageOutput(join(stagesDir, s.key));
    if (m.backend) backends.add(`${m.backend.name} ${m.backend.threads} thr${m.backend.native ? ` + native ${m.backend.native.library}` : ''}`);
    // data-prep records the source of every split it read: [{ via, path, notice, label? }] (label: what the
    // data is, when not SAMSum; a task other than summarisation otherwise names its own corpus in `via`)
    const task = m.config?.task ?? 'summarisation';
    for (const src of [m.extra?.source ?? []].flat()) if (src && src.via) sources.add(`${src.label ?? (task !== 'summarisation' ? `${task} via ${src.via}` : src.via === 'embedded' ? 'embedded synthetic corpus' : `SAMSum via ${src.via}`)} (${src.path})`);
    manifests.set(s.key, m);
  }
  return manifests.get(s.key);
}
const dirOf = (s) => join(stagesDir, s.key);
const ranNow = (m) => (started === null ? null : Date.parse(m.finishedAt) >= started);

const out = [];
const ran = new Set();
const cached = new Set();
function stageLine(label, s) {
  const m = manifestOf(s);
  const now = ranNow(m);
  (now === false ? cached : ran).add(s.key);
  const how = now === null ? '' : now ? 'ran   ' : 'cached';
  out.push(`  ${label.padEnd(30)} ${how} ${m.wallTimeSeconds.toFixed(1).padStart(7)} s  ${relative(root, dirOf(s))}`);
}

const f2 = (x) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(2));
const sci = (x) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toExponential(2).replace('e+', 'e'));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));
const present = (xs) => xs.filter((x) => x !== null && x !== undefined && Number.isFinite(x));

/** "56.40 [54.10, 58.70]" for one run; "56.40 ± 1.10 (3 seeds)" over several. */
function metricCell(values) {
  const v = values.filter(Boolean);
  if (v.length === 0) return 'n/a';
  if (v.length === 1) return v[0].low !== null ? `${f2(v[0].value)} [${f2(v[0].low)}, ${f2(v[0].high)}]` : f2(v[0].value);
  const mids = v.map((x) => x.value);
  return `${f2(mean(mids))} ± ${f2(std(mids))} (${v.length} seeds)`;
}

/** The headline metric's name: the metric record's label (ROUGE-L F ×100 for an eval folder without one). */
function metricName(rows) {
  const m = rows.flatMap((r) => r.runs.map((x) => x.metric)).find((x) => x);
  return m?.label ?? `${MAIN_METRIC.name} ${MAIN_METRIC.unit}`;
}
const metricSplit = (rows) => rows.flatMap((r) => r.runs.map((x) => x.metric)).find((x) => x)?.split ?? 'test';

/** rows: [{ strategy, runs: [runHeadline…] }] → headline table lines. */
function headline(rows) {
  const name = metricName(rows);
  const head = ['strategy', name, `base ${name}`, 'active experts/token', 'fwd FLOPs/token'];
  const body = rows.map(({ strategy, runs }) => {
    const ae = present(runs.map((r) => r.activeExperts));
    const fl = present(runs.map((r) => r.flopsPerToken));
    return [strategy, metricCell(runs.map((r) => r.metric)), metricCell(runs.map((r) => r.base)), ae.length ? f2(mean(ae)) : 'n/a', fl.length ? sci(mean(fl)) : 'n/a'];
  });
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => `  ${cells.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd()}`;
  return [line(head), ...body.map(line)];
}

let report = null;
let rows;
if (isSweep) {
  const sw = loadSweep(join(root, 'pipelines', 'sweeps', `${name}.json`), root);
  // The sweep target runs what its report reads and their upstreams only (e.g. not a pipeline's
  // own eval when the report reads its eval-k): list those.
  const byKey = new Map(sw.runs.flatMap((r) => r.resolved.stages.map((s) => [s.key, s])));
  const needed = new Set();
  const visit = (key) => { if (needed.has(key)) return; needed.add(key); for (const k of Object.values(byKey.get(key)?.inputs ?? {})) visit(k); };
  for (const k of Object.values(sw.report.inputs)) visit(k);
  const seen = new Set();
  for (const r of sw.runs) for (const s of r.resolved.stages) {
    if (seen.has(s.key) || !needed.has(s.key)) continue; // a stage shared by several runs is listed once
    seen.add(s.key);
    stageLine(`${r.pipeline}/seed-${r.seed}/${s.name}`, s);
  }
  stageLine('report', sw.report);
  report = join('artifacts', name, 'report');
  const by = new Map();
  for (const r of sw.runs) {
    if (!by.has(r.pipeline)) by.set(r.pipeline, []);
    by.get(r.pipeline).push(runHeadline(r.resolved.stages.filter((s) => needed.has(s.key)), manifestOf, dirOf));
  }
  rows = [...by].map(([strategy, runs]) => ({ strategy, runs }));
} else {
  const p = loadPipeline(join(root, 'pipelines', `${name}.json`), root);
  for (const s of p.stages) {
    stageLine(s.name, s);
    if (s.stage === 'report') report = join('artifacts', p.name, s.name);
  }
  const h = runHeadline(p.stages, manifestOf, dirOf);
  if (h.metric || h.activeExperts !== undefined) {
    // The report's label (top-2 and top-3 differ); the report package is built when the pipeline has a report stage.
    const label = await import('@switchyard/report').then((m) => m.strategyLabel, () => (r) => r?.type ?? 'unknown-router');
    rows = [{ strategy: label(h.router ?? undefined), runs: [h] }];
  } else rows = [];
}

write(`${out.join('\n')}\n`);
if (started !== null) write(`stages: ${ran.size} ran, ${cached.size} from the cache\n`);
if (rows.length) {
  write(`\n${isSweep ? `sweep ${name}` : `pipeline ${name}`}: ${metricName(rows)} on the ${metricSplit(rows)} split (${isSweep ? 'mean ± std over seeds' : 'value [95% interval where the eval computes one]'})\n`);
  write(`${headline(rows).join('\n')}\n`);
}
const reportFiles = report ? ['report.md', 'report.html'].filter((f) => existsSync(join(root, report, f))).map((f) => join(report, f)) : [];
if (reportFiles.length) write(`report: ${reportFiles.join(', ')}\n`);
write(`switchyard: ${isSweep ? 'sweep' : 'pipeline'} ${name} done | backend ${[...backends].join(', ') || 'none'} | data ${[...sources].join(', ') || 'n/a'} | report ${report ?? 'none'} | outputs artifacts/${name}/\n`);
