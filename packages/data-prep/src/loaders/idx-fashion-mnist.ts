// Fashion-MNIST (Xiao, Rasul, Vollgraf 2017, arXiv 1708.07747; MIT, Zalando SE) from its four
// IDX files, upstream names, each raw or `.gz`:
//   train-images-idx3-ubyte  train-labels-idx1-ubyte  t10k-images-idx3-ubyte  t10k-labels-idx1-ubyte
// Where the files come from, in order, when no folder is given:
//   FASHION_MNIST_DIR → /usr/share/datasets/fashion-mnist (Debian's `dataset-fashion-mnist`)
//   → datasets/embedded-fashion-mnist (a class-balanced subset committed with the repository).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataPrepError } from '../errors.js';
import { embeddedDatasetDir } from '../embedded-datasets.js';
import { loadIdxImageSet, type IdxImageSet } from './idx-image-set.js';

export type FashionMnistSplit = 'train' | 'test';

/** Where Debian's `dataset-fashion-mnist` package installs the files (`dpkg -L dataset-fashion-mnist`). */
export const FASHION_MNIST_DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

const STEM: Record<FashionMnistSplit, string> = { train: 'train', test: 't10k' };

export interface FashionMnistSource {
  dir: string;
  via: 'path' | 'FASHION_MNIST_DIR' | 'debian' | 'embedded';
  /** One line saying which files are used. */
  notice: string;
}

/** `<dir>/<split>-{images-idx3,labels-idx1}-ubyte[.gz]`; the `.gz` wins when both exist. */
export function fashionMnistFiles(dir: string, split: FashionMnistSplit): { images: string; labels: string } {
  const pick = (base: string): string => {
    const p = join(dir, base);
    if (existsSync(`${p}.gz`)) return `${p}.gz`;
    if (existsSync(p)) return p;
    throw new DataPrepError(`no ${base} or ${base}.gz (Fashion-MNIST ${split} split)`, { file: dir });
  };
  return { images: pick(`${STEM[split]}-images-idx3-ubyte`), labels: pick(`${STEM[split]}-labels-idx1-ubyte`) };
}

function complete(dir: string): boolean {
  try {
    fashionMnistFiles(dir, 'train'); fashionMnistFiles(dir, 'test');
    return true;
  } catch { return false; }
}

/** datasets/embedded-fashion-mnist, found from this file (src/ and dist/ sit at the same depth). */
export function embeddedFashionMnistDir(): string {
  return embeddedDatasetDir('embedded-fashion-mnist', 'README.md');
}

/**
 * Pick the folder: an explicit `dir`, `'embedded'`, or (undefined) FASHION_MNIST_DIR, then the
 * Debian package's folder, then the embedded subset.
 */
export function resolveFashionMnist(dir?: string | 'embedded', env: NodeJS.ProcessEnv = process.env, debianDir = FASHION_MNIST_DEBIAN_DIR): FashionMnistSource {
  if (dir === 'embedded') {
    const d = embeddedFashionMnistDir();
    return { dir: d, via: 'embedded', notice: `data source: embedded Fashion-MNIST subset ${d}` };
  }
  if (dir !== undefined) {
    const d = resolve(dir);
    if (!existsSync(d)) throw new DataPrepError('Fashion-MNIST folder does not exist', { file: d });
    return { dir: d, via: 'path', notice: `data source: Fashion-MNIST ${d}` };
  }
  if (env.FASHION_MNIST_DIR) {
    const d = resolve(env.FASHION_MNIST_DIR);
    if (!complete(d)) throw new DataPrepError('FASHION_MNIST_DIR does not hold the four Fashion-MNIST IDX files (train-/t10k-, images-idx3/labels-idx1, -ubyte[.gz])', { file: d });
    return { dir: d, via: 'FASHION_MNIST_DIR', notice: `data source: Fashion-MNIST ${d} (FASHION_MNIST_DIR)` };
  }
  if (complete(debianDir)) return { dir: debianDir, via: 'debian', notice: `data source: Fashion-MNIST ${debianDir} (Debian dataset-fashion-mnist)` };
  const d = embeddedFashionMnistDir();
  return {
    dir: d, via: 'embedded',
    notice: `data source: embedded Fashion-MNIST subset ${d} (no FASHION_MNIST_DIR, no ${debianDir}; a subset, not the full set)`,
  };
}

/** Load one split (10 classes checked). */
export function loadFashionMnist(split: FashionMnistSplit, dir?: string | 'embedded'): IdxImageSet & { source: FashionMnistSource } {
  const source = resolveFashionMnist(dir);
  const f = fashionMnistFiles(source.dir, split);
  return { ...loadIdxImageSet(f.images, f.labels, { numClasses: FASHION_MNIST_CLASSES.length }), source };
}
