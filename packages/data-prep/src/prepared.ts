// Readers for downstream stages: a prepared split (schema checked, file and column named on
// mismatch), the tokenizer and the statistics of a data-prep output folder.
import { existsSync } from 'node:fs';
import { readJsonFile } from './text-file.js';
import { join } from 'node:path';
import { readArrowFile, columnValues } from '@switchyard/runtime';
import { PREPARED_SCHEMA, type PreparedStats } from './prepare.js';
import { loadTokenizer } from './tokenizer/load.js';
import type { Tokenizer } from './tokenizer/types.js';
import { DataPrepError } from './errors.js';

export interface PreparedSplit {
  rows: number;
  id: string[];
  dialogue: string[];
  summary: string[];
  /** [rows][≤ maxSourceLength], each ending in eos. */
  inputIds: number[][];
  /** [rows][≤ maxTargetLength], each ending in eos. */
  labels: number[][];
}

export function readPreparedSplit(dir: string, split: string): PreparedSplit {
  const file = join(dir, `${split}.arrow`);
  if (!existsSync(file)) throw new DataPrepError(`no prepared "${split}" split`, { file });
  const t = readArrowFile(file, { ...PREPARED_SCHEMA });
  return {
    rows: t.numRows,
    id: columnValues<string>(t, 'id'),
    dialogue: columnValues<string>(t, 'dialogue'),
    summary: columnValues<string>(t, 'summary'),
    inputIds: columnValues<number[]>(t, 'input_ids'),
    labels: columnValues<number[]>(t, 'labels'),
  };
}

export function readPreparedTokenizer(dir: string): Tokenizer {
  return loadTokenizer(join(dir, 'tokenizer.json'));
}

export function readPreparedStats(dir: string): PreparedStats {
  const file = join(dir, 'stats.json');
  if (!existsSync(file)) throw new DataPrepError('no stats.json (not a data-prep output folder?)', { file });
  return readJsonFile<PreparedStats>(file, 'the stats.json object data-prep writes');
}

/** Splits present in a data-prep output folder. */
export function preparedSplits(dir: string): string[] {
  return ['train', 'validation', 'test'].filter((s) => existsSync(join(dir, `${s}.arrow`)));
}
