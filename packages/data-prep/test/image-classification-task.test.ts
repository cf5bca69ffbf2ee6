// The image-classification data task: the validation rule, the source resolution ("full" never
// falls back to the embedded subset), and the split files' reader (fixed-size-list pixels) on
// hand-built tables and bad columns.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTable, writeArrowFile } from '@switchyard/runtime';
import { carveValidation, imageSplitTable, readImageSplit, resolveImageSource, resolveConfig } from '@switchyard/data-prep';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'image-data-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('carves every N-th train image (index mod N = N − 1) into validation, file order kept', () => {
  expect(carveValidation(7, 3)).toEqual({ train: Int32Array.from([0, 1, 3, 4, 6]), validation: Int32Array.from([2, 5]) });
  expect(carveValidation(4, 0)).toEqual({ train: Int32Array.from([0, 1, 2, 3]), validation: Int32Array.from([]) });
  expect(carveValidation(10, 1).train.length).toBe(0);
});

it('"full" refuses the embedded subset; "auto" falls back to it; FASHION_MNIST_DIR must be complete', () => {
  const nowhere = join(dir, 'no-debian');
  expect(() => resolveImageSource('full', {}, nowhere)).toThrow(/needs the full Fashion-MNIST: set FASHION_MNIST_DIR/);
  expect(resolveImageSource('auto', {}, nowhere).via).toBe('embedded');
  expect(() => resolveImageSource('full', { FASHION_MNIST_DIR: dir }, nowhere)).toThrow(/FASHION_MNIST_DIR does not hold the four Fashion-MNIST IDX files/);
  expect(resolveImageSource('embedded', { FASHION_MNIST_DIR: dir }, nowhere).via).toBe('embedded');
});

it('the config: image keys checked, unknown ones named', () => {
  expect(resolveConfig({ task: 'image-classification', image: { source: 'full' } }).image).toEqual({ source: 'full', validationEvery: 10 });
  expect(() => resolveConfig({ task: 'image-classification', image: { valdationEvery: 5 } })).toThrow(/\/image: unknown key "valdationEvery"/);
  expect(resolveConfig({}).image).toBeUndefined();
});

it('reads back the pixels of a written split (several record batches too) and names a wrong column', () => {
  const px = Uint8Array.from({ length: 3 * 4 }, (_, i) => i * 7);
  const t = imageSplitTable(px, Int32Array.from([1, 0, 2]), Int32Array.from([5, 6, 9]), 4);
  writeArrowFile(join(dir, 'train.arrow'), t.concat(imageSplitTable(Uint8Array.from([1, 2, 3, 4]), Int32Array.from([7]), Int32Array.from([11]), 4)));
  const s = readImageSplit(dir, 'train');
  expect(s.count).toBe(4);
  expect(s.pixelsPerImage).toBe(4);
  expect(Array.from(s.pixels)).toEqual([...Array.from(px), 1, 2, 3, 4]);
  expect(Array.from(s.labels)).toEqual([1, 0, 2, 7]);
  expect(Array.from(s.sourceIndex)).toEqual([5, 6, 9, 11]);
  writeArrowFile(join(dir, 'test.arrow'), makeTable({ pixels: { kind: 'list<int32>', values: [[1, 2]] }, label: { kind: 'int32', values: [0] }, source_index: { kind: 'int32', values: [0] } }));
  expect(() => readImageSplit(dir, 'test')).toThrow(/test\.arrow.*column "pixels" must be FixedSizeList<uint8>/s);
  writeFileSync(join(dir, 'validation.arrow'), 'not arrow');
  expect(() => readImageSplit(dir, 'validation')).toThrow(/not a readable Arrow IPC file/);
  expect(() => readImageSplit(dir, 'nope')).toThrow(/no nope split/);
});
