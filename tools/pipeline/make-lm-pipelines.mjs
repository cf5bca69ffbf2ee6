#!/usr/bin/env node
// Writes the language-modelling pipelines (the CompeteSMoE pretraining suite in its CPU protocol)
// and the lm-sweep from one template, so the files differ only in the corpus, the architecture and
// the router of the `train` stage (and stay byte-identical on re-generation).
// Run: node tools/pipeline/make-lm-pipelines.mjs
//
// CPU protocol ("cpu-mini", model-core lm-presets.ts): 4 layers, d 128, 8 experts top-2, block 128,
// span 256; 8 rows × 128 tokens per step, 300 steps (307,200 tokens seen, about a third of the
// embedded slice's train stream); Adam lr 7e-4 after a 30-step linear warmup (the reference's
// 3000 of 60k, 5 %), constant, no clipping, no weight decay (the reference's settings).
// Pretraining from scratch runs in `train` (no `base` input: `preset` + `configOverrides` build a
// fresh DecoderLM), so the router sits in the train config where the report reads it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
export const LM_STEPS = 300;

/** Method → [description, router, extra LM config]. */
export const LM_METHODS = {
  smoe: ['SMoE (Shazeer et al. 2017): linear router, top-2 (TK-B), no noise, no balance loss (the CompeteSMoE baseline).', { type: 'smoe', topK: 2 }, {}],
  'smoe-dropout': ['SMoE-Dropout (Chen et al. 2023): frozen random router, k grows from E/2 to E over the run; also evaluated at k = 1, 2, 4, all (stage eval-k).', { type: 'smoe-dropout', totalSteps: LM_STEPS }, {}],
  xmoe: ['X-MoE (Chi et al. 2022), CompeteSMoE\'s variant: low-rank cosine router (dim 8), top-2.', { type: 'xmoe', variant: 'competesmoe', topK: 2 }, {}],
  stablemoe: ['StableMoE (Dai et al. 2022), two stages: stage 1 learns the routing and distils it into a token-id router, frozen from update 100 on.', { type: 'stablemoe', twoStageUpdates: 100 }, {}],
  competesmoe: ['CompeteSMoE (Pham et al. 2024): on competition steps (probability λ(t) = 2/(2+√(t+1)), t = ⌊step/30⌋, drawn once per 30-step iteration per layer) every expert runs and the router is trained toward the top-2 by output norm.', { type: 'competesmoe', topK: 2, freqType: 'function', iterationSteps: 30 }, { routerIterationSteps: 30 }],
};

const CORPUS = {
  enwik8: { lm: { corpus: 'enwik8' }, note: 'enwik8 (ENWIK8_DIR, else the embedded first 10^6 bytes; BPC)' },
  text8: { lm: { corpus: 'text8' }, note: 'text8 (TEXT8_DIR; BPC)' },
  wikitext: { lm: { corpus: 'wikitext-2' }, note: 'WikiText-2 (WIKITEXT_DIR; PPL)' },
};

export function lmPipeline(corpus, architecture, description, router, extra) {
  const c = CORPUS[corpus];
  const stages = {
    'data-prep': { package: '@switchyard/data-prep', stage: 'data-prep', config: { task: 'language-modelling', lm: c.lm } },
    train: {
      package: '@switchyard/train', stage: 'train', inputs: { data: 'data-prep' },
      config: {
        preset: 'cpu-mini', configOverrides: { architecture, ...extra }, router, steps: LM_STEPS, batchSize: 8,
        optimizer: { type: 'adamw', lr: 7e-4, schedule: 'constant', warmupSteps: 30, clipNorm: 0, weightDecay: 0 },
        logEvery: 25, checkpointEvery: 100, heldOutSplit: 'validation', heldOutSize: 8,
      },
    },
    eval: { package: '@switchyard/eval-rouge', stage: 'eval', inputs: { data: 'data-prep', checkpoint: 'train' }, config: { split: 'test', lm: { batchSize: 8 } } },
  };
  if (router.type === 'smoe-dropout') {
    // Self-slimmable inference as its own stage, so the report's eval (shared by every method of a sweep) measures one set of metrics.
    stages['eval-k'] = { package: '@switchyard/eval-rouge', stage: 'eval', inputs: { data: 'data-prep', checkpoint: 'train' }, config: { split: 'test', lm: { batchSize: 8, evalK: [1, 2, 4, 'all'] } } };
  }
  stages.report = { package: '@switchyard/report', stage: 'report', inputs: { data: 'data-prep', model: 'train', eval: 'eval' }, config: { title: `${c.note.split(' (')[0]} language modelling (${architecture === 'glam' ? 'GLaM' : 'Transformer'}, cpu-mini)` } };
  return {
    $schema: '../tools/pipeline/pipeline.schema.json',
    description: `${description} ${architecture === 'glam' ? 'GLaM (MoE every other layer)' : 'Transformer (MoE in every layer)'}, cpu-mini, on ${c.note}. data-prep → train (from scratch) → eval → report.`,
    seed: 1,
    stages,
  };
}

export function lmPipelines() {
  const out = {};
  for (const [m, [d, r, x]] of Object.entries(LM_METHODS)) {
    out[`enwik8-${m}`] = lmPipeline('enwik8', 'transformer', d, r, x);
    out[`enwik8-glam-${m}`] = lmPipeline('enwik8', 'glam', d, r, x);
    out[`text8-${m}`] = lmPipeline('text8', 'transformer', d, r, x);
    out[`wikitext-${m}`] = lmPipeline('wikitext', 'transformer', d, r, x);
  }
  out['enwik8-dense'] = lmPipeline('enwik8', 'transformer', 'Dense reference: one expert per layer (top-1 over 1 = the dense FFN, d_ff 128) at the same budget.', { type: 'smoe', topK: 1 }, { numExperts: 1 });
  return out;
}

export function lmSweep() {
  return {
    $schema: '../../tools/pipeline/sweep.schema.json',
    description: `The five methods × {Transformer, GLaM} on enwik8 (cpu-mini, ${LM_STEPS} steps of 8×128 tokens), seeds 1–3, with the dense one-expert model at the same budget. data-prep is shared by every run.`,
    pipelines: [...Object.keys(LM_METHODS).flatMap((m) => [`enwik8-${m}`, `enwik8-glam-${m}`]), 'enwik8-dense'],
    seeds: [1, 2, 3],
    seededStages: ['train', 'eval', 'eval-k'],
    report: { package: '@switchyard/report', stage: 'report', config: { title: 'enwik8 language-modelling sweep (cpu-mini)' } },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, p] of Object.entries(lmPipelines())) writeFileSync(join(root, 'pipelines', `${name}.json`), `${JSON.stringify(p, null, 2)}\n`);
  writeFileSync(join(root, 'pipelines', 'sweeps', 'lm-sweep.json'), `${JSON.stringify(lmSweep(), null, 2)}\n`);
  process.stdout.write(`wrote ${Object.keys(lmPipelines()).length} LM pipelines and pipelines/sweeps/lm-sweep.json\n`);
}
