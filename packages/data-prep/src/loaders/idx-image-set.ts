// An image classification set stored as two IDX files (MNIST layout): images uint8 [count, rows,
// cols] and labels uint8 [count]. Checks the pair agrees (dtype, rank, count, label range).
import { DataPrepError } from '../errors.js';
import { readIdxFile, type IdxArray } from './idx.js';

export interface IdxImageSet {
  /** Pixels 0..255, row-major. [count, rows, cols] */
  images: Uint8Array;
  /** Class ids. [count] */
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
  files: { images: string; labels: string };
}

export interface ImageSetOptions {
  /** Labels must be < numClasses when given. */
  numClasses?: number;
}

function expectUint8(a: IdxArray, file: string, rank: number, what: string): void {
  if (a.dtype !== 'uint8') throw new DataPrepError(`byte 2: ${what} must be uint8 (0x08), found ${a.dtype}`, { file });
  if (a.dims.length !== rank) {
    throw new DataPrepError(`byte 3: ${what} must have ${rank} dimension${rank > 1 ? 's' : ''}, found ${a.dims.length} ([${a.dims.join(', ')}])${a.dims.length === 1 && rank === 3 ? '; is this the labels file?' : a.dims.length === 3 && rank === 1 ? '; is this the images file?' : ''}`, { file });
  }
}

/** Read and cross-check an images file and its labels file (each raw or gzip). */
export function loadIdxImageSet(imagesFile: string, labelsFile: string, opts: ImageSetOptions = {}): IdxImageSet {
  const img = readIdxFile(imagesFile);
  expectUint8(img, imagesFile, 3, 'images');
  const lab = readIdxFile(labelsFile);
  expectUint8(lab, labelsFile, 1, 'labels');
  const [count, rows, cols] = img.dims as [number, number, number];
  if (lab.dims[0] !== count) {
    throw new DataPrepError(`byte 4: ${lab.dims[0]} labels, but ${imagesFile} has ${count} images`, { file: labelsFile });
  }
  const labels = lab.data as Uint8Array;
  if (opts.numClasses !== undefined) {
    for (let i = 0; i < count; i++) {
      if (labels[i]! >= opts.numClasses) {
        throw new DataPrepError(`byte ${8 + i} (label ${i}): class ${labels[i]} is out of range; expected 0..${opts.numClasses - 1}`, { file: labelsFile });
      }
    }
  }
  return { images: img.data as Uint8Array, labels, count, rows, cols, files: { images: imagesFile, labels: labelsFile } };
}
