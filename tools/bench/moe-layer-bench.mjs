#!/usr/bin/env node
// One MoE FFN layer, forward and forward+backward, per routing: synthetic top-k masks over E
// experts (sparse gather dispatch), routers of @switchyard/routers (untrained, routed on every
// run), and the dense layer that runs all E experts on every token. Writes a markdown table
// with the machine noted (nproc, CPU model, backend, threads).
//
//   npx tsc -b packages/tsconfig.build.json
//   node tools/bench/moe-layer-bench.mjs [--tokens 1024] [--d 256] [--ff 1024] [--experts 8]
//        [--k 1,2,4,8] [--routers linear-softmax-topk:2,linear-sparsemax,switch-top1|none]
//        [--warmup 1] [--repeats 7] [--backend wasm] [--seed 0]
//        [--out packages/flops-profiler/bench-results/moe-layer-bench.md]
import { register } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

// Workspace packages resolve to their compiled dist/ even where npm has not linked them.
const hook = `
const root = ${JSON.stringify(new URL('../../packages/', import.meta.url).href)};
export async function resolve(specifier, context, next) {
  const m = /^@switchyard\\/([a-z-]+)$/.exec(specifier);
  return m ? next(root + m[1] + '/dist/index.js', context) : next(specifier, context);
}`;
register('data:text/javascript,' + encodeURIComponent(hook));

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const N = Number(opt('tokens', '1024'));
const D = Number(opt('d', '256'));
const F = Number(opt('ff', '1024'));
const E = Number(opt('experts', '8'));
const ks = opt('k', '1,2,4,8').split(',').map(Number);
const routerSpecs = opt('routers', 'linear-softmax-topk:2,linear-sparsemax,switch-top1');
const warmup = Number(opt('warmup', '1'));
const repeats = Number(opt("repeats", "7"));
const seed = Number(opt('seed', '0'));
const out = path.resolve(root, opt('out', 'packages/flops-profiler/bench-results/moe-layer-bench.md'));

const tf = await import('@tensorflow/tfjs');
const runtime = await import('@switchyard/tensor-engine');
const fp = await import('@switchyard/flops-profiler');
const info = await runtime.initBackend(opt('backend', undefined), { quiet: true });

function cpuModel() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    return line ? line.split(':')[1].trim() : os.cpus()[0]?.model ?? 'unknown';
  } catch { return os.cpus()[0]?.model ?? 'unknown'; }
}

const rng = new runtime.Rng(seed);
const experts = fp.createExperts(rng.fork('experts'), E, D, F);
const x = rng.normalTensor([N, D]);
const g = rng.normalTensor([N, D]);
const log = (t, how) => process.stderr.write(`${t.label.padEnd(28)} ${t.meanActive.toFixed(2)} active  fwd ${t.forwardMs.toFixed(1)} ms  fwd+bwd ${t.forwardBackwardMs.toFixed(1)} ms  (${how})\n`);

// Arms are interleaved round by round (one sample of each per round) so that load from other
// processes drifting over the run hits every arm alike; each arm's median over the rounds is kept.
const arms = [];
const all = fp.syntheticTopK(N, E, E, rng.fork('dense'));
const wAll = tf.tensor2d(all.weights, [N, E]);
arms.push({ how: 'dense matmuls, no dispatch', run: (o) => fp.timeDenseLayer(`dense all-${E}`, x, wAll, experts, g, o) });
for (const k of ks) {
  const r = fp.syntheticTopK(N, E, k, rng.fork(`top-${k}`));
  const w = tf.tensor2d(r.weights, [N, E]);
  const plan = fp.planFromMask(r.mask, N, E);
  arms.push({ how: 'synthetic top-k mask, gather dispatch', run: (o) => fp.timeSparseLayer(`top-${k} of ${E}`, x, w, plan, experts, g, o), dispose: () => w.dispose() });
}
if (routerSpecs !== 'none') {
  const routers = await import('@switchyard/routers');
  for (const spec of routerSpecs.split(',')) {
    const [type, k] = spec.split(':');
    if (!routers.routerTypes().includes(type)) { process.stderr.write(`skipping router ${type}: not registered\n`); continue; }
    const router = routers.createRouter(k ? { type, topK: Number(k) } : { type }, { dModel: D, numExperts: E, rng: rng.fork(`${spec}:init`) });
    const routeRng = rng.fork(`${spec}:route`);
    arms.push({ how: 'untrained router, routed every run, gather dispatch', run: (o) => fp.timeRouterLayer(`${type}${k ? ` (k=${k})` : ''}`, router, x, experts, g, routeRng, o), dispose: () => router.dispose() });
  }
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const loadBefore = os.loadavg()[0];
for (let i = 0; i < warmup; i++) for (const a of arms) a.run({ warmup: 0, repeats: 1, backward: true });
const samples = arms.map(() => []);
// Order is shuffled every round (seeded) and each sample follows one untimed run of the same arm,
// so no arm always pays for the clean-up of the one before it (the dense arm's large buffers).
const orderRng = rng.fork('order');
for (let r = 0; r < repeats; r++) {
  for (const i of orderRng.permutation(arms.length)) samples[i].push(arms[i].run({ warmup: 1, repeats: 1, backward: true }));
  process.stderr.write(`round ${r + 1}/${repeats} done\n`);
}
const loadAfter = os.loadavg()[0];
const results = arms.map((a, i) => {
  const s = samples[i];
  const forwardMs = median(s.map((t) => t.forwardMs));
  const forwardBackwardMs = median(s.map((t) => t.forwardBackwardMs));
  const t = { ...s[0], forwardMs, forwardBackwardMs, forwardUsPerToken: (1000 * forwardMs) / N, forwardBackwardUsPerToken: (1000 * forwardBackwardMs) / N,
    meanActive: median(s.map((t) => t.meanActive)) };
  log(t, a.how);
  return { t, how: a.how };
});
const dense = results[0].t;
wAll.dispose();
for (const a of arms) a.dispose?.();
tf.dispose([x, g]);
experts.dispose();

const f1 = (v) => v.toFixed(1);
const f2 = (v) => v.toFixed(2);
const f3 = (v) => v.toFixed(3);
const lines = [
  '# One MoE layer: time per token by routing',
  '',
  `Machine: ${os.cpus().length} logical CPUs (nproc), ${cpuModel()}; backend ${info.name} (tfjs ${info.tfjsBackend} ${info.tfjsVersion}), ${info.threads} thread${info.threads === 1 ? '' : 's'}; Node ${process.version}; ${new Date().toISOString().slice(0, 16)}Z.`,
  `Load average (1 min) ${loadBefore.toFixed(2)} at the start, ${loadAfter.toFixed(2)} at the end (other processes share the CPUs).`,
  `Layer: N=${N} tokens, d=${D}, d_ff=${F}, E=${E} ReLU experts; median over ${repeats} rounds (arms in a shuffled order each round, each timed run preceded by an untimed one) after ${warmup} warm-up round${warmup === 1 ? '' : 's'}; forward in eval mode, forward+backward = gradients of every expert and router weight.`,
  'Sparse rows: per expert gather the routed rows, FFN, weight, scatter-add (tf.unsortedSegmentSum); the dense row runs all E experts on every token.',
  '',
  '| layer | dispatch | mean active experts | forward ms | forward µs/token | fwd+bwd ms | fwd+bwd µs/token | forward time / dense | fwd+bwd time / dense | FLOPs / dense (active/E) |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map(({ t, how }) => `| ${t.label} | ${how} | ${f2(t.meanActive)} | ${f1(t.forwardMs)} | ${f2(t.forwardUsPerToken)} | ${f1(t.forwardBackwardMs)} | ${f2(t.forwardBackwardUsPerToken)} | ${f3(t.forwardMs / dense.forwardMs)} | ${f3(t.forwardBackwardMs / dense.forwardBackwardMs)} | ${f3(t.meanActive / E)} |`),
  '',
];
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, lines.join('\n'));
process.stdout.write(lines.join('\n'));
process.stderr.write(`wrote ${path.relative(root, out)}\n`);
