// The summarisation task family, training side: a Switch Transformer encoder-decoder (model-core)
// trained on collated seq2seq batches of a prepared dialogue → summary split, saved as an HF
// checkpoint (config.json + model.safetensors).
import { SwitchTransformer, loadCheckpoint, presetConfig, replaceRouters, type ParameterGroup } from '@switchyard/model-core';
import { preparedSplits, readPreparedSplit, readPreparedStats } from '@switchyard/data-prep';
import type { TrainFamily } from '../../task-registry.js';
import type { Seq2SeqBatch } from './batching.js';
import { SwitchTask, PreparedSource } from './switch-task.js';
import { hfFiles } from '../../run-training.js';
import { copyModelText } from './model-text.js';

export const summarisationTrainFamily: TrainFamily<SwitchTransformer, Seq2SeqBatch> = {
  name: 'summarisation',
  createModel(a) {
    const vocab = a.vocabSize !== 'tokenizer' ? a.vocabSize : readPreparedStats(a.dataDir).tokenizer.vocabSize;
    return new SwitchTransformer(presetConfig(a.preset, { ...a.configOverrides, vocab_size: vocab }), a.rng);
  },
  loadModel: (dir, o) => loadCheckpoint(dir, o),
  replaceRouters(model, router, rng, freeze) {
    replaceRouters(model, router, rng, { freeze: freeze as ParameterGroup[] });
  },
  trainTask: (model) => new SwitchTask(model),
  batchSource(model, dataDir, split, loop, purpose) {
    if (purpose === 'held-out' && !preparedSplits(dataDir).includes(split)) return undefined;
    const rows = readPreparedSplit(dataDir, split);
    if (purpose === 'held-out' && rows.rows === 0) return undefined;
    const source = new PreparedSource(rows, { maxSourceLength: loop.maxSourceLength, maxTargetLength: loop.maxTargetLength });
    if (purpose === 'train') {
      const vocab = model.config.vocab_size;
      const maxId = source.maxTokenId();
      if (maxId >= vocab) throw new Error(`token id ${maxId} in the training split is outside the model's vocabulary (vocab_size ${vocab}); the tokenizer and the model do not match`);
    }
    return source;
  },
  modelFiles: hfFiles,
  copyDataFiles: copyModelText, // tokenizer.json + input prefix: the folder summarises text on its own
  describe: (model) => ({ vocabSize: model.config.vocab_size, sparseLayers: model.sparseLayers().length }),
  dispose: (model) => model.dispose(),
};
