// The text-classification task family, training side: the decoder-only MoE LM with a
// classification head (model-core lm-classifier.ts), fine-tuned on a prepared text-classification
// split (data-prep tasks/text-classification), saved as config.json + model.safetensors.
// Loading a base folder (options: base-model's configOverrides, train's taskOptions):
//   * a classifier folder (config.json "kind": "lm-classifier") loads with the head, mask, cache
//     and competition options overridden;
//   * an LM checkpoint (model-core lm-checkpoint.ts) is transferred into a fresh classifier sized
//     for the data (its vocabulary and classes): `transfer` "blocks" (default for a word
//     vocabulary: embedding and head re-initialised, every layer copied) or "keep-vocabulary"
//     (default for a bytes vocabulary of the LM's size: the embedding too). The classifier options
//     come from the stage's configOverrides (CLASSIFIER_OPTIONS). The transfer report (exact
//     tensors copied / re-initialised / dropped) is written next to the model as transfer.json.
// Routers: replaceRouters keeps the trained router parameters when the type is unchanged, else a
// fresh router (model-core lm-replace-routers.ts); CompeteSMoE competition stays off unless the
// classifier's `competition` is true.
import { LM_PRESETS, LmClassifier, parseLmClassifierConfig, classifierConfigFromLm, classifierFiles, closestName, fineTuneRouterSlot, isLmClassifierDir, lmPresetConfig, loadLmClassifier, readLmCheckpoint, replaceLmRouters, transferLmToClassifier, type LmTransferMode, type LmTransferReport } from '@switchyard/model-core';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLASSIFICATION_META_FILE, preparedSplits, readClassificationMeta, readClassificationSplit } from '@switchyard/data-prep';
import { Rng } from '@switchyard/tensor-engine';
import type { ClassificationBatch } from '@switchyard/model-core';
import type { TrainFamily } from '../../task-registry.js';
import { ClassifierSource, ClassifierTask } from './classifier-task.js';

/** configOverrides keys this family reads when it builds a classifier. */
export const CLASSIFIER_OPTIONS = ['transfer', 'pooling', 'headDropout', 'compatIgnoreAttentionMask', 'compatCarryCache', 'competition'] as const;

const transfers = new WeakMap<LmClassifier, LmTransferReport>();

function classifierOptions(over: Record<string, unknown>, where: string): { transfer?: LmTransferMode; rest: Record<string, unknown>; lm: Record<string, unknown> } {
  const rest: Record<string, unknown> = {}, lm: Record<string, unknown> = {};
  let transfer: LmTransferMode | undefined;
  for (const [k, v] of Object.entries(over)) {
    if (k === 'transfer') {
      if (v !== 'blocks' && v !== 'keep-vocabulary') throw new Error(`${where}: "transfer" must be "blocks" or "keep-vocabulary", got ${JSON.stringify(v)}`);
      transfer = v;
    } else if ((CLASSIFIER_OPTIONS as readonly string[]).includes(k)) rest[k] = v;
    else if (k.startsWith('lm.')) lm[k.slice(3)] = v;
    else {
      const guess = closestName(k, [...CLASSIFIER_OPTIONS]);
      throw new Error(`${where}: unknown key "${k}"${guess ? ` (did you mean "${guess}"?)` : ''}; the text-classification task reads ${CLASSIFIER_OPTIONS.join(', ')} and "lm.<LmConfig key>"`);
    }
  }
  return { transfer, rest, lm };
}

export const textClassificationTrainFamily: TrainFamily<LmClassifier, ClassificationBatch> = {
  name: 'text-classification',
  createModel(a) {
    if (!LM_PRESETS[a.preset]) throw new Error(`text-classification: preset "${a.preset}" is not an LM preset; known: ${Object.keys(LM_PRESETS).join(', ')}. To fine-tune a pretrained LM, import its checkpoint (base-model source "import")`);
    const meta = readClassificationMeta(a.dataDir);
    const { rest, lm } = classifierOptions(a.configOverrides, 'base-model configOverrides');
    const vocabSize = a.vocabSize === 'tokenizer' ? meta.vocabulary.size : a.vocabSize;
    const cfg = classifierConfigFromLm(lmPresetConfig(a.preset, { ...lm, vocabSize }), { vocabSize, numClasses: meta.labelNames.length, ...rest });
    return new LmClassifier(cfg, a.rng);
  },
  async loadModel(dir, o) {
    if (isLmClassifierDir(dir)) {
      const model = loadLmClassifier(dir, new Rng(o.seed).fork('classifier'));
      // A built classifier takes the head/mask/cache/competition options; transfer and lm.* were fixed when it was built.
      try {
        const { transfer, rest, lm } = classifierOptions(o.configOverrides ?? {}, 'configOverrides');
        if (transfer !== undefined || Object.keys(lm).length) throw new Error(`${dir}: already a classifier; "transfer" and "lm.*" apply only when an LM checkpoint is transferred`);
        const { lm: _same, ...fields } = parseLmClassifierConfig({ ...model.config, ...rest }, 'configOverrides');
        Object.assign(model.config, fields); // model.config.lm stays the wrapped LM's own config object
      } catch (e) { model.dispose(); throw e; }
      return model;
    }
    if (!o.dataDir) throw new Error(`${dir}: an LM checkpoint, not a classifier; transferring it needs the prepared classification data (the stage's "data" input) for the vocabulary and the classes`);
    const meta = readClassificationMeta(o.dataDir);
    const { config, state } = readLmCheckpoint(dir);
    const { transfer, rest, lm } = classifierOptions(o.configOverrides ?? {}, 'configOverrides');
    const mode: LmTransferMode = transfer ?? (meta.vocabulary.kind === 'bytes' && meta.vocabulary.size === config.vocabSize ? 'keep-vocabulary' : 'blocks');
    const cfg = classifierConfigFromLm({ ...config, ...lm } as typeof config, { vocabSize: meta.vocabulary.size, numClasses: meta.labelNames.length, ...rest });
    const model = new LmClassifier(cfg, new Rng(o.seed).fork('classifier-init'));
    try {
      transfers.set(model, transferLmToClassifier(model, config, state, mode, dir));
    } catch (e) { model.dispose(); throw e; }
    return model;
  },
  replaceRouters(model, router, rng, freeze) {
    if (freeze.length) throw new Error(`text-classification: "freeze" is not supported (got ${JSON.stringify(freeze)}); leave it empty`);
    replaceLmRouters(model.lm, fineTuneRouterSlot(router, model.config.competition), rng);
  },
  trainTask: (model) => new ClassifierTask(model),
  batchSource(model, dataDir, split, _loop, purpose) {
    if (purpose === 'held-out') {
      if (!preparedSplits(dataDir).includes(split)) return undefined;
      const meta = readClassificationMeta(dataDir);
      if (!meta.rows[split] || !meta.labelled[split]) return undefined;
    }
    const meta = readClassificationMeta(dataDir);
    const where = `${dataDir} split "${split}"`;
    const source = new ClassifierSource(readClassificationSplit(dataDir, split), { padId: meta.vocabulary.padId, where });
    const v = model.config.lm.vocabSize;
    if (source.maxTokenId() >= v) throw new Error(`${where}: token id ${source.maxTokenId()} is outside the model's vocabulary (vocabSize ${v}); the data's vocabulary and the model do not match`);
    if (source.maxLabel() >= model.config.numClasses) throw new Error(`${where}: label ${source.maxLabel()} but the model has ${model.config.numClasses} classes`);
    return source;
  },
  modelFiles(model) {
    const files: Record<string, string | (() => Uint8Array)> = { ...classifierFiles(model) };
    const t = transfers.get(model);
    if (t) files['transfer.json'] = `${JSON.stringify(t, null, 2)}\n`;
    return files;
  },
  // classification.json (label names, vocabulary kind, lengths) and vocabulary.json: the folder maps text to classes on its own.
  copyDataFiles(dataDir, modelDir) {
    for (const f of [CLASSIFICATION_META_FILE, 'vocabulary.json']) if (existsSync(join(dataDir, f))) copyFileSync(join(dataDir, f), join(modelDir, f));
  },
  describe: (model) => ({ vocabSize: model.config.lm.vocabSize, sparseLayers: model.lm.moeLayers().length }),
  dispose: (model) => model.dispose(),
};
