#!/usr/bin/env node
// Writes the gating-study pipelines (issue 9) from one template, so the eight files differ only
// in the router of the `train` stage (and stay byte-identical on re-generation). The shared
// stages (data-prep, base-model, eval-base) have identical configs in every file, so Nx runs them
// once for all pipelines. Run: node tools/pipeline/make-gating-pipelines.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

/** pipeline name → [description, router config of the train stage] */
export const GATING = {
  // droppedTokens 'hf-v4.36': a token dropped for capacity outputs top1_prob·x as transformers
  // v4.36.2 does (the router's own default is the newer pure-residual rule), so the exported model
  // is one HF v4.36.2 runs exactly (packages/model-core/src/hf-export.ts).
  'samsum-switch-top1': ['Baseline: the native Switch top-1 router with transformers v4.36.2 semantics (dropped tokens output top1_prob·x), re-initialised and fine-tuned like the others.', { type: 'switch-top1', droppedTokens: 'hf-v4.36' }],
  'samsum-linear-softmax-top2': ['Gating study: linear router, softmax, top-2 (TK-A).', { type: 'linear-softmax-topk', topK: 2 }],
  'samsum-linear-softmax-dense': ['Gating study: linear router, softmax over all experts (dense).', { type: 'linear-softmax-dense' }],
  'samsum-sparsemax': ['Gating study: linear router with sparsemax (a data-dependent number of experts).', { type: 'linear-sparsemax' }],
  'samsum-attention-softmax-top2': ['Gating study: attention router, softmax, top-2 (TK-A).', { type: 'attention-softmax-topk', topK: 2 }],
  'samsum-attention-softmax-dense': ['Gating study: attention router, softmax over all experts (dense).', { type: 'attention-softmax-dense' }],
  'samsum-attention-sparsemax': ['Gating study: attention router with sparsemax.', { type: 'attention-sparsemax' }],
  'samsum-entmax15': ['Linear router with entmax-1.5 (sparse, smoother than sparsemax).', { type: 'linear-entmax15' }],
};

/** Cost class of a router for the analytic FLOPs of its measured routing statistics. */
function flopsClass(router) {
  const gate = router.type.startsWith('attention') ? 'attention' : router.type === 'switch-top1' ? 'switch' : 'linear';
  const normaliser = /sparsemax/.test(router.type) ? 'sparsemax' : /entmax/.test(router.type) ? 'entmax15' : 'softmax';
  return { gate, normaliser };
}

/**
 * The stages every gating pipeline shares; only the router (in train and flops-profiler) varies.
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
      'base-model': { package: '@switchyard/train', stage: 'base-model', needs: ['data-prep'], config: { source: 'pretrain', preset: 'tiny' } },
      'eval-base': { package: '@switchyard/eval-rouge', stage: 'eval-rouge', needs: ['data-prep', 'base-model'], config: { checkpointFrom: 'base-model', preset: 'study' } },
      train: { package: '@switchyard/train', stage: 'train', needs: ['data-prep', 'base-model'], config: { router, steps: 150, optimizer: { lr: 1e-3 } } },
      'eval-rouge': { package: '@switchyard/eval-rouge', stage: 'eval-rouge', needs: ['data-prep', 'train'], config: { checkpointFrom: 'train', preset: 'study' } },
      'flops-profiler': {
        package: '@switchyard/flops-profiler', stage: 'flops-profiler', needs: ['train'],
        config: { model: 'input:train', sourceLength: 128, targetLength: 32, routers: [], published: false, statistics: { train: { label: router.type, ...flopsClass(router) } } },
      },
      report: { package: '@switchyard/report', stage: 'report', needs: ['data-prep', 'train', 'eval-rouge', 'eval-base', 'flops-profiler'], config: {} },
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
  p.stages['eval-validation'] = { package: '@switchyard/eval-rouge', stage: 'eval-rouge', needs: ['data-prep', 'train'], config: { split: 'validation', checkpointFrom: 'train', preset: 'study' } };
  return p;
}

export const EXTRA = { 'samsum-sparsemax-real-eval': realEvalPipeline };

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const write = (name, p) => writeFileSync(join(root, 'pipelines', `${name}.json`), `${JSON.stringify(p, null, 2)}\n`);
  for (const [name, [description, router]] of Object.entries(GATING)) write(name, gatingPipeline(description, router));
  for (const [name, make] of Object.entries(EXTRA)) write(name, make());
  process.stdout.write(`wrote ${Object.keys(GATING).length + Object.keys(EXTRA).length} pipelines\n`);
}
