// The image-classification task family, training side: the MoE image classifier of model-core
// (ImageMoeModel: an MLP with residual MoE layers, any registered router) on a prepared
// Fashion-MNIST split. base-model builds a fresh model (the sizes and router from
// `configOverrides`, the image size and classes from the data's images.json; `preset` and
// `vocabSize` do not apply); train loads it, gives every MoE layer a fresh router of the
// configured type (experts, input and head weights kept, so every router starts from the same
// weights), trains, and writes config.json + model.safetensors (model-core image-moe-io.ts) plus
// routing-steps.arrow and routing-epochs.arrow (routing-record.ts).
import { ImageMoeModel, assignImageWeights, imageConfigJson, imageSafetensors, imageStateDict, loadImageMoeModel, parseImageMoeConfig } from '@switchyard/model-core';
import { preparedSplits, readImageSplit, readImageTaskInfo } from '@switchyard/data-prep';
import type { TrainFamily } from '../../task-registry.js';
import { RoutingRecorder } from './routing-record.js';
import { ImageBatchSource, PROBE_MAX, imageTrainTask, scaledPixels, snapshot, type ImageBatch, type ImageTrainModel } from './image-task.js';

const seedFrom = (rng: { int(n: number): number }) => rng.int(0x7fffffff);

export const imageClassificationTrainFamily: TrainFamily<ImageTrainModel, ImageBatch> = {
  name: 'image-classification',
  createModel(a) {
    const info = readImageTaskInfo(a.dataDir);
    const cfg = parseImageMoeConfig({ inputSize: info.rows * info.cols, numClasses: info.numClasses, ...a.configOverrides }, 'base-model configOverrides (image model)');
    return { net: new ImageMoeModel(cfg, seedFrom(a.rng)), recorder: new RoutingRecorder() };
  },
  loadModel: async (dir) => ({ net: loadImageMoeModel(dir), recorder: new RoutingRecorder() }),
  replaceRouters(model, router, rng, freeze) {
    if (freeze.length) throw new Error(`image-classification: "freeze" is not supported by the image model (got ${freeze.join(', ')}); leave it empty`);
    const old = model.net;
    const net = new ImageMoeModel({ ...old.config, router: { ...router } }, seedFrom(rng));
    try {
      const missing = assignImageWeights(net, imageStateDict(old), 'base model', (name) => name.includes('.router.'));
      if (missing.length) throw new Error(`base model lacks ${missing.slice(0, 5).join(', ')}`);
    } catch (e) { net.dispose(); throw e; }
    old.dispose();
    model.net = net;
    model.recorder = new RoutingRecorder();
  },
  trainTask: (model) => imageTrainTask(model),
  batchSource(model, dataDir, split, loop, purpose) {
    if (purpose === 'held-out' && !preparedSplits(dataDir).includes(split)) return undefined;
    const data = readImageSplit(dataDir, split);
    if (data.pixelsPerImage !== model.net.config.inputSize) {
      throw new Error(`${dataDir}/${split}.arrow: images have ${data.pixelsPerImage} pixels, the model expects inputSize ${model.net.config.inputSize}`);
    }
    if (purpose === 'held-out') {
      if (data.count === 0) return undefined;
      const n = Math.min(PROBE_MAX, data.count);
      model.probe = { x: scaledPixels(data, Int32Array.from({ length: n }, (_, i) => i)), n, split };
    } else {
      if (data.count === 0) throw new Error(`${dataDir}/${split}.arrow: no images to train on`);
      model.recorder.setGeometry(data.count, loop.batchSize, loop.optimizer.gradAccumSteps);
    }
    return new ImageBatchSource(data);
  },
  modelFiles(model) {
    return {
      'config.json': imageConfigJson(model.net),
      'model.safetensors': () => imageSafetensors(model.net),
      'routing-steps.arrow': () => model.recorder.stepsArrow(),
      'routing-epochs.arrow': () => {
        const due = model.recorder.lastStepDue();
        if (due) snapshot(model, due.kind, due.step);
        return model.recorder.epochsArrow();
      },
    };
  },
  describe: (model) => ({ vocabSize: 0, sparseLayers: model.net.layers.length }),
  dispose: (model) => model.net.dispose(),
};
