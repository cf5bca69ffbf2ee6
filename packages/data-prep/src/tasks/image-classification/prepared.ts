// Readers of an image-classification prepared folder: the split files (pixels as an Arrow
// FixedSizeList<uint8>[rows·cols] column, label int32, source_index int32) and images.json.
// Dims: N images, P = rows·cols pixels.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FixedSizeList, Field, Uint8, Int32, makeData, makeVector, Table, tableFromIPC, DataType, type Vector } from 'apache-arrow';
import { DataPrepError } from '../../errors.js';
import { readJsonFile } from '../../text-file.js';

export const IMAGES_FILE = 'images.json';

/** images.json: what the splits hold. */
export interface ImageTaskInfo {
  dataset: 'fashion-mnist';
  rows: number;
  cols: number;
  numClasses: number;
  classes: string[];
  /** Images per split written. */
  splits: Record<string, number>;
  source: { via: string; dir: string; notice: string };
  /** How validation was carved from the source's train file. */
  validation: string;
}

export interface ImageSplit {
  /** Pixels 0..255, row-major. [N, P] */
  pixels: Uint8Array;
  /** [N] */
  labels: Int32Array;
  /** Position of each image in its source IDX file. [N] */
  sourceIndex: Int32Array;
  count: number;
  pixelsPerImage: number;
}

/** Arrow table of one split. */
export function imageSplitTable(pixels: Uint8Array, labels: Int32Array, sourceIndex: Int32Array, pixelsPerImage: number): Table {
  const n = labels.length;
  if (pixels.length !== n * pixelsPerImage) throw new DataPrepError(`imageSplitTable: ${pixels.length} pixels for ${n} images of ${pixelsPerImage}`);
  const type = new FixedSizeList(pixelsPerImage, new Field('pixel', new Uint8(), false));
  const child = makeData({ type: new Uint8(), length: pixels.length, nullCount: 0, data: pixels });
  const data = makeData({ type, length: n, nullCount: 0, child });
  return new Table({ pixels: makeVector(data), label: makeVector(labels), source_index: makeVector(sourceIndex) });
}

function concatChunks<T extends Uint8Array | Int32Array>(v: Vector, make: (n: number) => T, values: (d: Vector['data'][number]) => T, per: number): T {
  const out = make(v.length * per);
  let at = 0;
  for (const d of v.data) {
    const src = values(d);
    const start = d.offset * per;
    out.set(src.subarray(start, start + d.length * per) as never, at);
    at += d.length * per;
  }
  return out;
}

/** Read `<dir>/<split>.arrow` of an image-classification folder, checking its columns. */
export function readImageSplit(dir: string, split: string): ImageSplit {
  const file = join(dir, `${split}.arrow`);
  if (!existsSync(file)) throw new DataPrepError(`no ${split} split in this prepared folder`, { file });
  let table: Table;
  try { table = tableFromIPC(readFileSync(file)); } catch (e) { throw new DataPrepError(`not a readable Arrow IPC file (${(e as Error).message})`, { file }); }
  const px = table.getChild('pixels');
  const lb = table.getChild('label');
  const si = table.getChild('source_index');
  const has = table.schema.fields.map((f) => f.name).join(', ');
  if (!px || !DataType.isFixedSizeList(px.type) || !DataType.isInt(px.type.children[0]!.type) || (px.type.children[0]!.type as Uint8).bitWidth !== 8) {
    throw new DataPrepError(`column "pixels" must be FixedSizeList<uint8> (has ${has}${px ? `; pixels is ${String(px.type)}` : ''})`, { file, field: 'pixels' });
  }
  if (!lb || !DataType.isInt(lb.type) || (lb.type as Int32).bitWidth !== 32) throw new DataPrepError(`column "label" must be int32 (has ${has})`, { file, field: 'label' });
  if (!si || !DataType.isInt(si.type) || (si.type as Int32).bitWidth !== 32) throw new DataPrepError(`column "source_index" must be int32 (has ${has})`, { file, field: 'source_index' });
  const per = (px.type as FixedSizeList).listSize;
  const pixels = concatChunks(px, (n) => new Uint8Array(n), (d) => d.children[0]!.values as Uint8Array, per);
  const labels = concatChunks(lb, (n) => new Int32Array(n), (d) => d.values as Int32Array, 1);
  const sourceIndex = concatChunks(si, (n) => new Int32Array(n), (d) => d.values as Int32Array, 1);
  return { pixels, labels, sourceIndex, count: labels.length, pixelsPerImage: per };
}

export function readImageTaskInfo(dir: string): ImageTaskInfo {
  const file = join(dir, IMAGES_FILE);
  if (!existsSync(file)) throw new DataPrepError(`no ${IMAGES_FILE} (not an image-classification prepared folder?)`, { file });
  return readJsonFile<ImageTaskInfo>(file, 'the images.json object data-prep writes');
}
