// The language-modelling task family, training side: a decoder-only MoE LM (model-core
// decoder-lm.ts; Transformer or GLaM, any registered router) trained from scratch on the
// consecutive blocks of a token stream (lm-stream.ts) with the cache carried.
// Pretraining from scratch is this family's whole training, and it runs in the `train` stage
// (no `base` input): the stage's `preset` + `configOverrides` (an LM preset of model-core
// lm-presets.ts, e.g. cpu-mini) give the architecture, `router` the router of every MoE layer —
// so the router is in the train config, as for every family, and the report reads it there.
// With a `base` input (an LM checkpoint) `train` re-routes and continues it instead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@switchyard/tensor-engine';
import { DecoderLM, lmPresetConfig, lmStateDict, loadLmCheckpoint, parseLmConfig, writeSafetensors } from '@switchyard/model-core';
import { preparedSplits, readLmSplit, readLmVocab } from '@switchyard/data-prep';
import type { TrainFamily } from '../../task-registry.js';
import { LmTrainTask, type LmModel } from './lm-train-task.js';
import { LmHeldOutSource, LmTrainStream, type LmBatch } from './lm-stream.js';

export { LmTrainTask, type LmModel } from './lm-train-task.js';
export { LmTrainStream, LmHeldOutSource, passOffset, blocksInPass, type LmBatch } from './lm-stream.js';

export const languageModellingTrainFamily: TrainFamily<LmModel, LmBatch> = {
  name: 'language-modelling',
  createModel(a) {
    const vocabSize = a.vocabSize === 'tokenizer' ? readLmVocab(a.dataDir).vocab.length : a.vocabSize;
    // Built with the run's router when known (a preset's default router may not fit, e.g. top-2 with one expert).
    return { lm: new DecoderLM(lmPresetConfig(a.preset, { ...a.configOverrides, vocabSize, ...(a.router ? { router: a.router } : {}) }), a.rng) };
  },
  async loadModel(dir, o) {
    if (o.configOverrides && Object.keys(o.configOverrides).length) throw new Error(`language-modelling: configOverrides are not applied to a loaded LM (${join(dir, 'config.json')}); build a fresh model with preset + configOverrides instead`);
    return { lm: loadLmCheckpoint(dir, new Rng(o.seed).fork('lm/load')) };
  },
  /** Every MoE layer gets a fresh router of `router` (routerByLayer cleared); every other weight is kept. */
  replaceRouters(model, router, rng, freeze) {
    if (freeze.length) throw new Error(`language-modelling: "freeze" groups (${freeze.join(', ')}) are Switch Transformer groups; the LM has none`);
    const old = model.lm;
    const fresh = new DecoderLM(parseLmConfig({ ...structuredClone(old.config), router: structuredClone(router), routerByLayer: {} }, 'train router'), rng);
    const kept = new Map(old.parameters().filter((p) => !/\.moe\.router\./.test(p.name)).map((p) => [p.name, p.variable]));
    for (const p of fresh.parameters()) {
      const src = kept.get(p.name);
      if (src) p.variable.assign(src);
    }
    old.dispose();
    model.lm = fresh;
  },
  trainTask: (model) => new LmTrainTask(model),
  batchSource(model, dataDir, split, loop, purpose) {
    if (purpose === 'held-out') {
      if (!preparedSplits(dataDir).includes(split)) return undefined;
      const src = new LmHeldOutSource(model.lm, readLmSplit(dataDir, split), loop.batchSize);
      return src.numExamples > 0 ? src : undefined;
    }
    if (loop.epochs !== undefined) throw new Error('language-modelling: training length is "steps" (blocks per row); "epochs" is not used');
    if (loop.optimizer.gradAccumSteps !== 1) throw new Error('language-modelling: gradAccumSteps must be 1 (each step reads the next block of every row; use more rows instead)');
    for (const layer of model.lm.moeLayers()) {
      const t = layer.router.options.totalSteps;
      if (t !== undefined && t !== loop.steps) throw new Error(`language-modelling: the ${layer.router.type} router of ${layer.name} schedules over totalSteps ${String(t)} but the run has steps ${loop.steps}; set "totalSteps": ${loop.steps} in the router config (or configOverrides.totalSteps) so its schedule spans the run`);
    }
    const tokens = readLmSplit(dataDir, split);
    const v = model.lm.config.vocabSize;
    for (let i = 0; i < tokens.length; i++) if (tokens[i]! >= v) throw new Error(`language-modelling: token ${i} of the ${split} split is ${tokens[i]}, outside the model's vocabulary (vocabSize ${v}); the data and the model do not match`);
    model.stream?.dispose();
    model.stream = new LmTrainStream(model.lm, tokens, loop.batchSize);
    return model.stream;
  },
  modelFiles: (model) => ({
    'config.json': JSON.stringify(model.lm.config, null, 2) + '\n',
    'model.safetensors': () => writeSafetensors(lmStateDict(model.lm), { format: 'pt' }),
  }),
  describe: (model) => ({ vocabSize: model.lm.config.vocabSize, sparseLayers: model.lm.moeLayers().length }),
  dispose(model) {
    model.stream?.dispose();
    model.stream = undefined;
    model.lm.dispose();
  },
};

/** The LM config of a saved folder (what eval and the report read). */
export function readLmModelConfig(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
}
