// SST-2 as GLUE distributes it: `train.tsv` (here possibly gzip'd as `train.tsv.gz`) and
// `dev.tsv` with the header `sentence<TAB>label`, label 0 (negative) or 1 (positive), no quoting,
// `\n` line ends; `test.tsv` (`index<TAB>sentence`) has no labels (GLUE hides them), so it is
// not a labelled split: the loader counts its sentences and says so. GLUE ends every train/dev
// sentence with one space before the tab; the text is trimmed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataPrepError } from '../errors.js';
import { readBytes, decodeUtf8 } from '../text-file.js';
import type { LabelledText } from '../text-classification/types.js';

export const SST2_LABEL_NAMES = ['negative', 'positive'];

export interface Sst2Data {
  train: LabelledText[];
  dev: LabelledText[];
  /** Sentences in test.tsv (unlabelled), when the file is there. */
  unlabelledTest?: number;
  files: { train: string; dev: string; test?: string };
}

/** Bytes of a file, gunzipped when its name ends in `.gz`. */
export function readMaybeGzip(file: string): Uint8Array {
  const bytes = readBytes(file);
  if (!file.endsWith('.gz')) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new DataPrepError(`not a readable gzip file (${(e as Error).message})`, { file });
  }
}

/** The lines of a tab-separated file with a fixed header; `\r\n` is accepted. */
function tsvLines(file: string, header: string): { fields: string[]; line: number }[] {
  const bytes = readMaybeGzip(file);
  if (bytes.length === 0) throw new DataPrepError(`empty file (expected a header "${header.replace('\t', '\\t')}")`, { file });
  const lines = decodeUtf8(bytes, file).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const head = lines[0]!.replace(/\r$/, '');
  if (head !== header) throw new DataPrepError(`header is ${JSON.stringify(head)}, expected ${JSON.stringify(header)}`, { file, line: 1 });
  const out: { fields: string[]; line: number }[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    const text = lines[i]!.replace(/\r$/, '');
    if (text.trim() === '') throw new DataPrepError('blank line', { file, line });
    const fields = text.split('\t');
    if (fields.length !== 2) throw new DataPrepError(`line has ${fields.length} tab-separated fields, expected 2 (${header.replace('\t', ', ')})`, { file, line });
    out.push({ fields, line });
  }
  if (out.length === 0) throw new DataPrepError('no rows after the header', { file });
  return out;
}

/** One labelled GLUE SST-2 file (train or dev). */
export function readSst2Tsv(file: string): LabelledText[] {
  return tsvLines(file, 'sentence\tlabel').map(({ fields, line }) => {
    const [sentence, label] = fields as [string, string];
    const text = sentence.trim();
    if (text === '') throw new DataPrepError('empty sentence', { file, line, field: 'sentence' });
    if (label !== '0' && label !== '1') throw new DataPrepError(`label is ${JSON.stringify(label)}, expected 0 or 1`, { file, line, field: 'label' });
    return { text, label: Number(label) };
  });
}

/** GLUE's unlabelled SST-2 test file: `index<TAB>sentence`. */
export function readSst2TestTsv(file: string): { index: number; text: string }[] {
  return tsvLines(file, 'index\tsentence').map(({ fields, line }) => {
    const [index, sentence] = fields as [string, string];
    if (!/^\d+$/.test(index)) throw new DataPrepError(`index is ${JSON.stringify(index)}, expected a non-negative integer`, { file, line, field: 'index' });
    const text = sentence.trim();
    if (text === '') throw new DataPrepError('empty sentence', { file, line, field: 'sentence' });
    return { index: Number(index), text };
  });
}

/** `<dir>/<name>.tsv` or `<dir>/<name>.tsv.gz` (exactly one of them). */
function splitFile(dir: string, name: string, required: boolean): string | undefined {
  const plain = join(dir, `${name}.tsv`), gz = `${plain}.gz`;
  const hasPlain = existsSync(plain), hasGz = existsSync(gz);
  if (hasPlain && hasGz) throw new DataPrepError(`both ${name}.tsv and ${name}.tsv.gz are here; keep one`, { file: dir });
  if (hasPlain || hasGz) return hasPlain ? plain : gz;
  if (required) throw new DataPrepError(`no ${name}.tsv or ${name}.tsv.gz (expected GLUE's SST-2 files train.tsv, dev.tsv, test.tsv)`, { file: dir });
  return undefined;
}

/** SST-2 from a GLUE `SST-2/` folder. */
export function loadSst2(dir: string): Sst2Data {
  const train = splitFile(dir, 'train', true)!;
  const dev = splitFile(dir, 'dev', true)!;
  const test = splitFile(dir, 'test', false);
  return {
    train: readSst2Tsv(train), dev: readSst2Tsv(dev),
    unlabelledTest: test ? readSst2TestTsv(test).length : undefined,
    files: { train, dev, ...(test ? { test } : {}) },
  };
}
