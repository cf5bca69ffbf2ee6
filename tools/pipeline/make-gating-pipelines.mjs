#!/usr/bin/env node
// Writes the gating-study pipelines from one template, so the eight files differ only
// in the router of the `train` stage (and stay byte-identical on re-generation). The shared
// stages (data-prep, base-model, eval-base) have identical configs in every file, so Nx runs them
// once for all pipelines. Run: node tools/pipeline/make-gating-pipelines.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

/** pipeline name → [description, router config of the train stage] */
export const GATING = {
  'samsum-switch-top1': ['Baseline: the native Switch top-1 router, re-initialised and fine-tuned like the others.', { type: 'switch-top1' }],
  'samsum-linear-softmax-top2': ['Gating study: linear router, softmax, top-2 (TK-A).', { type: 'linear-softmax-topk', topK: 2 }],
  'samsum-linear-softmax-dense': ['Gating study: linear router, softmax over all experts (dense).', { type: 'linear-softmax-dense' }],
  'samsum-sparsemax': ['Gating study: linear router with sparsemax (a data-dependent number of experts).', { type: 'linear-sparsemax' }],
  'samsum-attention-softmax-top2': ['Gating study: attention router, softmax, top-2 (TK-A).', { type: 'attention-softmax-topk', topK: 2 }],
  'samsum-attention-softmax-dense': ['Gating study: attention router, softmax over all experts (dense).', { type: 'attention-softmax-dense' }],
  'samsum-attention-sparsemax': ['Gating study: attention router with sparsemax.', { type: 'attention-sparsemax' }],
  'samsum-entmax15': ['Linear router with entmax-1.5 (sparse, smoother than sparsemax).', { type: 'linear-entmax15' }],
};

/**
 * The stages every gating pipeline shares; only the router of `train` varies (flops-profiler reads
 * it, and so its cost, from the trained model's config.json).
 * Fine-tuning uses lr 1e-3 for 150 steps, not the study's 5e-5 over 18k steps: a from-scratch tiny
 * model on 2 CPU cores has a budget of minutes, and at 5e-5 a fresh router never recovers in it.
 */
export function gatingPipeline(description, router) {
  return {
    $schema: '../tools/pipeline/pipeline.schema.json',
    description: `${description} data-prep → base-model → train → eval-rouge (+ eval-base, the untuned base model) + flops-profiler → report.`,
    seed: 42,
    stages: {
      'data-prep': { package: '@switchyard/data-prep', stage: 'data-prep', config: { source: 'samsum' } },
      'base-model': { package: '@switchyard/train', stage: 'base-model', inputs: { data: 'data-prep' }, config: { source: 'pretrain', preset: 'tiny' } },
      'eval-base': { package: '@switchyard/eval-rouge', stage: 'eval-rouge', inputs: { data: 'data-prep', checkpoint: 'base-model' }, config: { preset: 'study' } },
      train: { package: '@switchyard/train', stage: 'train', inputs: { data: 'data-prep', base: 'base-model' }, config: { router, steps: 150, optimizer: { lr: 1e-3 } } },
      'eval-rouge': { package: '@switchyard/eval-rouge', stage: 'eval-rouge', inputs: { data: 'data-prep', checkpoint: 'train' }, config: { preset: 'study' } },
      'flops-profiler': {
        package: '@switchyard/flops-profiler', stage: 'flops-profiler', inputs: { model: 'train' },
        config: { model: 'input:model', sourceLength: 128, targetLength: 32, routers: [], published: false },
      },
      report: {
        package: '@switchyard/report', stage: 'report',
        inputs: { data: 'data-prep', base: 'base-model', model: 'train', eval: 'eval-rouge', baseline: 'eval-base', cost: 'flops-profiler' },
        config: {},
      },
    },
  };
}

/**
 * Real SAMSum evaluation when the local copy has no train split (like the validation/test-only
 * research copy): train on the embedded corpus, evaluate on SAMSum's validation and test splits.
 * Without SAMSUM_DIR (or an HF cache) every split falls back to the embedded corpus.
 */
export function realEvalPipeline() {
  const p = gatingPipeline('Sparsemax model evaluated on real SAMSum validation and test (train split from the embedded corpus).', { type: 'linear-sparsemax' });
  p.stages['data-prep'].config = { source: 'samsum', splits: { train: { from: 'embedded' }, validation: 'validation', test: 'test' } };
  p.stages['eval-validation'] = { package: '@switchyard/eval-rouge', stage: 'eval-rouge', inputs: { data: 'data-prep', checkpoint: 'train' }, config: { split: 'validation', preset: 'study' } };
  // the validation eval is a report input too (its own column), not computed and left out
  p.stages.report.inputs = { ...p.stages.report.inputs, validation: 'eval-validation' };
  return p;
}

export const EXTRA = { 'samsum-sparsemax-real-eval': realEvalPipeline };

/**
 * The real-corpus study: every split from SAMSUM_DIR (SAMSum's train.json.gz / val.json /
 * test.json), a tiny Switch pretrained on the real train split, then each router fine-tuned and
 * evaluated on the whole real test and validation splits. Sizes, measured on the 2-core machine
 * under load from other jobs (rough; see pipelines/samsum-real.md):
 *   - lengths under the data-prep tokenizer (4,000-piece unigram trained on SAMSum train; eos
 *     included): reference summaries p50 27, p90 54, p95 65, p99 81, max 116 tokens (train;
 *     validation 27/54/64/82/96, test 27/52/63/77/114); dialogues p50 103, p90 268 tokens. The
 *     study's 19-token cap would cut about 70% of the references, so generation is greedy with
 *     at most 64 new tokens (95% of validation references fit, eos included), labels are cut at
 *     64 and dialogues at 256 tokens (89% fit) for training.
 *   - pretraining: 16,000 steps × 16 dialogues (about 17 epochs, about 39M real tokens), measured
 *     0.39–0.49 s per step → about 2 h.
 *   - fine-tuning: 600 steps × 16 dialogues (0.65 epoch, about 1.45M real tokens), then greedy
 *     decoding of 819 test and 818 validation dialogues → about 10 min per strategy and seed.
 * Without SAMSUM_DIR (or SAMSum in the HF datasets cache) data-prep falls back to the embedded
 * synthetic corpus; the report then labels every split synthetic.
 */
export const REAL = {
  lengths: { maxSourceLength: 256, maxTargetLength: 64 },
  pretrain: { steps: 16000, batchSize: 16, optimizer: { lr: 1e-3, warmupSteps: 500 }, logEvery: 100, checkpointEvery: 1000 },
  finetune: { steps: 600, batchSize: 16, optimizer: { lr: 5e-4, warmupSteps: 50 }, logEvery: 25, checkpointEvery: 0 },
  generation: { preset: 'greedy', maxNewTokens: 64 },
};

export function realPipeline(description, router, real = REAL) {
  const p = gatingPipeline(description, router);
  const s = p.stages;
  p.description = `${description} Real SAMSum (every split from SAMSUM_DIR): data-prep → base-model (tiny Switch pretrained on the real train split) → train → eval-rouge on the whole test split and eval-validation on the whole validation split (+ eval-base, the untuned base model) + flops-profiler → report.`;
  s['data-prep'].config = { source: 'samsum', onInvalid: 'skip' };
  s['base-model'].config = { source: 'pretrain', preset: 'tiny', ...real.lengths, ...real.pretrain };
  s.train.config = { router, ...real.lengths, ...real.finetune };
  s['eval-base'].config = { ...real.generation };
  s['eval-rouge'].config = { ...real.generation };
  s['eval-validation'] = { package: '@switchyard/eval-rouge', stage: 'eval-rouge', inputs: { data: 'data-prep', checkpoint: 'train' }, config: { split: 'validation', ...real.generation } };
  s.report.inputs = { ...s.report.inputs, validation: 'eval-validation' };
  s.report.config = { sweepHint: 'npx nx run pipeline:samsum-real-sweep' };
  // key order as in the other files: report last
  const { report, ...rest } = s;
  p.stages = { ...rest, report };
  return p;
}

/** samsum-<x> → samsum-real-<x> (samsum-sparsemax → samsum-real-sparsemax). */
export const realName = (name) => name.replace(/^samsum-/, 'samsum-real-');

export function realSweep() {
  return {
    $schema: '../../tools/pipeline/sweep.schema.json',
    description: 'The eight gating strategies over seeds 1, 2, 3 on real SAMSum (SAMSUM_DIR): one tiny Switch pretrained on the real train split (shared), each router fine-tuned per seed and evaluated on the whole test and validation splits, compared in one report with paired differences against switch-top1.',
    pipelines: Object.keys(GATING).map(realName),
    seeds: [1, 2, 3],
    seededStages: ['train', 'eval-rouge', 'eval-validation', 'flops-profiler'],
    report: { package: '@switchyard/report', stage: 'report', config: { title: 'SAMSum gating sweep (real corpus)' } },
  };
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const write = (name, p) => writeFileSync(join(root, 'pipelines', `${name}.json`), `${JSON.stringify(p, null, 2)}\n`);
  for (const [name, [description, router]] of Object.entries(GATING)) write(name, gatingPipeline(description, router));
  for (const [name, make] of Object.entries(EXTRA)) write(name, make());
  for (const [name, [description, router]] of Object.entries(GATING)) write(realName(name), realPipeline(description, router));
  writeFileSync(join(root, 'pipelines', 'sweeps', 'samsum-real-sweep.json'), `${JSON.stringify(realSweep(), null, 2)}\n`);
  process.stdout.write(`wrote ${2 * Object.keys(GATING).length + Object.keys(EXTRA).length} pipelines and 1 sweep\n`);
}
