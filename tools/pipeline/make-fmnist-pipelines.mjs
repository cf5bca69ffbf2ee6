#!/usr/bin/env node
// Writes MOESART's comparison pipelines (arXiv 2310.18217: k-sparse routers on images) from one
// template, so the files differ only in the router of `train` (and, for the full set, the data
// source): pipelines/fmnist-<router>[-k<k>].json on the embedded Fashion-MNIST subset,
// pipelines/fmnist-full-<router>[-k<k>].json on the full set (image.source "full":
// FASHION_MNIST_DIR, else Debian's /usr/share/datasets/fashion-mnist, else an error), and the
// sweeps pipelines/sweeps/moesart-sweep.json and moesart-sweep-full.json (routers × k × seeds 1–3).
// Byte-identical on re-generation. Run: node tools/pipeline/make-fmnist-pipelines.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

/**
 * Router families: name → [description, router config for k, the k values the router supports].
 * "k" means experts per example: top-k for the token-choice routers; for Expert Choice, whose
 * experts pick examples, the capacity factor c (each expert takes c·B/E examples of a batch of B,
 * so k = c experts per example on average). X-MoE supports top-1 and top-2 only.
 */
export const ROUTERS = {
  // MOESART's default adjustment "small-random" keeps one sampled expert's logit and needs k ≥ 2; at
  // k = 1 every adjustment gives the single expert weight 1, and "zero" is the one that accepts k = 1.
  moesart: ['MOESART: sampling-based k-sparse routing with adjustments (arXiv 2310.18217)', (k) => (k === 1 ? { type: 'moesart', topK: 1, mode: 'zero' } : { type: 'moesart', topK: k }), [1, 2, 4]],
  topk: ['Top-k softmax router (SMoE, softmax over the k selected logits; Shazeer et al. 2017)', (k) => ({ type: 'smoe', topK: k }), [1, 2, 4]],
  vmoe: ['V-MoE with batch-prioritised routing (noisy top-k, capacity 1.05; arXiv 2106.05974)', (k) => ({ type: 'vmoe', topK: k, batchPriority: true }), [1, 2, 4]],
  'expert-choice': ['Expert Choice routing, capacity factor k (arXiv 2202.09368)', (k) => ({ type: 'expert-choice', capacityFactor: k }), [1, 2, 4]],
  xmoe: ['X-MoE: low-rank cosine routing (arXiv 2204.09179)', (k) => ({ type: 'xmoe', topK: k }), [1, 2]],
};

/** References without a k. */
export const REFERENCES = {
  sparsemax: ['Reference: linear router with sparsemax (data-dependent number of experts)', { type: 'linear-sparsemax' }],
  'dense-softmax': ['Reference: the dense softmax router (every expert, softmax weights)', { type: 'linear-softmax-dense' }],
};

export const DEFAULT_K = 2;
export const SEEDS = [1, 2, 3];

/** The training recipe, the same for every router: ImageMoeModel defaults (D=64, F=128, E=8, 2 MoE layers). */
const TRAIN = { epochs: 5, batchSize: 64, heldOutSize: 1000, logEvery: 85, checkpointEvery: 0, optimizer: { lr: 1e-3, schedule: 'constant' } };

export function fmnistPipeline(description, router, full) {
  const data = full ? 'the full Fashion-MNIST (FASHION_MNIST_DIR, else /usr/share/datasets/fashion-mnist)' : 'the embedded Fashion-MNIST subset (5,400 train / 600 validation / 1,000 test)';
  return {
    $schema: '../tools/pipeline/pipeline.schema.json',
    description: `${description}, on ${data}. data-prep → base-model (the shared initial weights) → train (a fresh router in every MoE layer, ${TRAIN.epochs} epochs) → eval (test accuracy, loss, MOESART's routing measures) → report.`,
    seed: 1,
    stages: {
      'data-prep': { package: '@switchyard/data-prep', stage: 'data-prep', config: { task: 'image-classification', image: { source: full ? 'full' : 'embedded', validationEvery: 10 } } },
      // base-model only initialises: it needs ≥ 1 step, and at lr 1e-9 one AdamW step moves each weight by ≤ 1e-9.
      'base-model': { package: '@switchyard/train', stage: 'base-model', inputs: { data: 'data-prep' }, config: { configOverrides: {}, steps: 1, batchSize: TRAIN.batchSize, checkpointEvery: 0, optimizer: { lr: 1e-9 } } },
      train: { package: '@switchyard/train', stage: 'train', inputs: { data: 'data-prep', base: 'base-model' }, config: { router, ...TRAIN } },
      eval: { package: '@switchyard/eval-rouge', stage: 'eval', inputs: { data: 'data-prep', checkpoint: 'train' }, config: { batchSize: TRAIN.batchSize } },
      report: { package: '@switchyard/report', stage: 'report', inputs: { data: 'data-prep', base: 'base-model', model: 'train', eval: 'eval' }, config: { title: `Fashion-MNIST: ${description}` } },
    },
  };
}

/** Every pipeline: name → file content. */
export function allPipelines() {
  const out = {};
  for (const full of [false, true]) {
    const prefix = full ? 'fmnist-full' : 'fmnist';
    for (const [name, [description, router, ks]] of Object.entries(ROUTERS)) {
      for (const k of ks) out[`${prefix}-${name}${k === DEFAULT_K ? '' : `-k${k}`}`] = fmnistPipeline(`${description}, k = ${k}`, router(k), full);
    }
    for (const [name, [description, router]] of Object.entries(REFERENCES)) out[`${prefix}-${name}`] = fmnistPipeline(description, router, full);
  }
  return out;
}

export function sweep(full) {
  const names = Object.keys(allPipelines()).filter((n) => n.startsWith('fmnist-full-') === full);
  return {
    $schema: '../../tools/pipeline/sweep.schema.json',
    description: `MOESART's comparison on ${full ? 'the full Fashion-MNIST (FASHION_MNIST_DIR or Debian\'s dataset-fashion-mnist)' : 'the embedded Fashion-MNIST subset'}: MOESART, Top-k, V-MoE (BPR), Expert Choice at k = 1, 2, 4 and X-MoE at k = 1, 2, with sparsemax and dense softmax references, seeds 1–3. The seed is set on base-model too, so each seed has its own initial weights, shared by every router.`,
    pipelines: names,
    seeds: SEEDS,
    seededStages: ['base-model', 'train', 'eval'],
    report: { package: '@switchyard/report', stage: 'report', config: { title: `MOESART comparison, Fashion-MNIST${full ? ' (full)' : ' (embedded subset)'}` } },
  };
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const json = (v) => `${JSON.stringify(v, null, 2)}\n`;
  const pipes = allPipelines();
  for (const [name, p] of Object.entries(pipes)) writeFileSync(join(root, 'pipelines', `${name}.json`), json(p));
  writeFileSync(join(root, 'pipelines', 'sweeps', 'moesart-sweep.json'), json(sweep(false)));
  writeFileSync(join(root, 'pipelines', 'sweeps', 'moesart-sweep-full.json'), json(sweep(true)));
  process.stdout.write(`wrote ${Object.keys(pipes).length} pipelines and 2 sweeps\n`);
}
