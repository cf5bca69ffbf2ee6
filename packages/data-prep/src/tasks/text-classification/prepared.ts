// Readers of a `text-classification` prepared folder: classification.json (labels, vocabulary,
// lengths, rows) and one Arrow file per split with columns ids list<int32> and label int32 (−1 = no label).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { columnValues, readArrowFile } from '@switchyard/runtime';
import { readJsonFile } from '../../text-file.js';
import { DataPrepError } from '../../errors.js';

export const CLASSIFICATION_META_FILE = 'classification.json';
export const CLASSIFICATION_SCHEMA = { ids: 'list<int32>', label: 'int32' } as const;
export const NO_LABEL = -1;

export interface ClassificationMeta {
  dataset: string;
  description: string;
  labelNames: string[];
  vocabulary: { kind: 'word' | 'bytes'; size: number; padId: number; unkId: number | null };
  maxLength: number;
  rows: Record<string, number>;
  /** Whether every example of the split has a label. */
  labelled: Record<string, boolean>;
}

export function readClassificationMeta(dir: string): ClassificationMeta {
  const file = join(dir, CLASSIFICATION_META_FILE);
  if (!existsSync(file)) throw new DataPrepError(`no ${CLASSIFICATION_META_FILE} (not a text-classification data-prep output?)`, { file });
  const m = readJsonFile<ClassificationMeta>(file, 'the classification.json object data-prep writes');
  if (!Array.isArray(m.labelNames) || m.labelNames.length < 2) throw new DataPrepError('"labelNames" must list at least 2 classes', { file, field: 'labelNames' });
  if (!m.vocabulary || !Number.isInteger(m.vocabulary.size)) throw new DataPrepError('"vocabulary.size" must be an integer', { file, field: 'vocabulary.size' });
  return m;
}

export interface PreparedClassificationSplit {
  ids: number[][];
  /** Class index, or NO_LABEL (−1). */
  labels: number[];
}

export function readClassificationSplit(dir: string, split: string): PreparedClassificationSplit {
  const file = join(dir, `${split}.arrow`);
  if (!existsSync(file)) throw new DataPrepError(`no split "${split}" here; splits: ${['train', 'validation', 'test'].filter((s) => existsSync(join(dir, `${s}.arrow`))).join(', ')}`, { file });
  const table = readArrowFile(file, CLASSIFICATION_SCHEMA);
  return { ids: columnValues<number[]>(table, 'ids'), labels: columnValues<number>(table, 'label') };
}
