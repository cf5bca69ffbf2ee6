// Data preparation of the image-classification task: Fashion-MNIST's IDX files (the embedded
// subset, FASHION_MNIST_DIR, Debian's folder or a path) → train/validation/test Arrow splits
// (pixels uint8 [N, 784] as a fixed-size list, label, source_index) + images.json.
// Validation is carved from the train file deterministically: image i goes to validation when
// i mod validationEvery = validationEvery − 1, else to train (file order kept in both).
// No random draws.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeArrowFile } from '@switchyard/runtime';
import type { DataPrepConfig } from '../../config.js';
import { DataPrepError } from '../../errors.js';
import type { PrepareHooks } from '../../task-registry.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_DEBIAN_DIR, fashionMnistFiles, resolveFashionMnist, type FashionMnistSource } from '../../loaders/idx-fashion-mnist.js';
import { loadIdxImageSet, type IdxImageSet } from '../../loaders/idx-image-set.js';
import { IMAGE_DATA_DEFAULTS, type ImageSourceSpec } from './config.js';
import { IMAGES_FILE, imageSplitTable, type ImageTaskInfo } from './prepared.js';

/** The folder of `spec`; "full" refuses the embedded subset. */
export function resolveImageSource(spec: ImageSourceSpec, env: NodeJS.ProcessEnv = process.env, debianDir = FASHION_MNIST_DEBIAN_DIR): FashionMnistSource {
  if (spec === 'embedded') return resolveFashionMnist('embedded', env, debianDir);
  if (typeof spec === 'object') return resolveFashionMnist(spec.path, env, debianDir);
  const s = resolveFashionMnist(undefined, env, debianDir);
  if (spec === 'full' && s.via === 'embedded') {
    throw new DataPrepError(`image.source "full" needs the full Fashion-MNIST: set FASHION_MNIST_DIR to a folder with the four IDX files, or install Debian's dataset-fashion-mnist (${debianDir}); use "embedded" or "auto" for the subset`);
  }
  return s;
}

/** Indices [0, n) split by the validation rule. */
export function carveValidation(n: number, every: number): { train: Int32Array; validation: Int32Array } {
  const train: number[] = [], validation: number[] = [];
  for (let i = 0; i < n; i++) (every > 0 && i % every === every - 1 ? validation : train).push(i);
  return { train: Int32Array.from(train), validation: Int32Array.from(validation) };
}

function take(set: IdxImageSet, idx: Int32Array, limit: number | undefined) {
  const n = Math.min(idx.length, limit ?? Infinity);
  const p = set.rows * set.cols;
  const pixels = new Uint8Array(n * p), labels = new Int32Array(n), sourceIndex = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = idx[i]!;
    pixels.set(set.images.subarray(s * p, (s + 1) * p), i * p);
    labels[i] = set.labels[s]!;
    sourceIndex[i] = s;
  }
  return { pixels, labels, sourceIndex, p };
}

export async function prepareImages(cfg: DataPrepConfig, outDir: string, hooks: PrepareHooks): Promise<ImageTaskInfo> {
  const spec = cfg.image?.source ?? IMAGE_DATA_DEFAULTS.source;
  const every = cfg.image?.validationEvery ?? IMAGE_DATA_DEFAULTS.validationEvery;
  const source = resolveImageSource(spec, hooks.env ?? process.env);
  hooks.log(source.notice);
  // `via` names the dataset too: the report and the summary line treat a bare "embedded" as the synthetic SAMSum corpus.
  const via = `fashion-mnist:${source.via === 'embedded' ? 'embedded-subset' : source.via}`;
  const label = source.via === 'embedded' ? 'embedded Fashion-MNIST subset (real images, 600 train + 100 test per class)' : `Fashion-MNIST via ${source.via}`;
  hooks.record('source', [{ via, path: source.dir, notice: source.notice, label }]);
  const load = (split: 'train' | 'test') => {
    const f = fashionMnistFiles(source.dir, split);
    return loadIdxImageSet(f.images, f.labels, { numClasses: FASHION_MNIST_CLASSES.length });
  };
  const train = load('train');
  const test = load('test');
  if (test.rows !== train.rows || test.cols !== train.cols) throw new DataPrepError(`test images are ${test.rows}×${test.cols}, train images ${train.rows}×${train.cols}`, { file: test.files.images });
  const carved = carveValidation(train.count, every);
  const parts: [string, IdxImageSet, Int32Array][] = [['train', train, carved.train], ['test', test, Int32Array.from({ length: test.count }, (_, i) => i)]];
  if (every > 0) parts.splice(1, 0, ['validation', train, carved.validation]);
  const counts: Record<string, number> = {};
  for (const [split, set, idx] of parts) {
    const t = take(set, idx, cfg.maxRows?.[split as 'train']);
    if (t.labels.length === 0) throw new DataPrepError(`split ${split} would be empty (${idx.length} images before maxRows)`, { file: set.files.images });
    writeArrowFile(join(outDir, `${split}.arrow`), imageSplitTable(t.pixels, t.labels, t.sourceIndex, t.p));
    counts[split] = t.labels.length;
    hooks.log(`${split}: ${t.labels.length} images`);
  }
  const info: ImageTaskInfo = {
    dataset: 'fashion-mnist', rows: train.rows, cols: train.cols, numClasses: FASHION_MNIST_CLASSES.length, classes: [...FASHION_MNIST_CLASSES],
    splits: counts, source: { via: source.via, dir: source.dir, notice: source.notice },
    validation: every > 0 ? `train-file images with index mod ${every} = ${every - 1} (${carved.validation.length} of ${train.count}); train keeps the rest, file order` : 'none (validationEvery 0)',
  };
  writeFileSync(join(outDir, IMAGES_FILE), `${JSON.stringify(info, null, 2)}\n`);
  hooks.record('images', { splits: counts, validation: info.validation });
  return info;
}
