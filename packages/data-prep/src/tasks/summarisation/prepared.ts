// Reader of a prepared summarisation split for downstream stages (schema checked, file and
// column named on mismatch).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readArrowFile, columnValues } from '@switchyard/runtime';
import { PREPARED_SCHEMA } from './prepare.js';
import { DataPrepError } from '../../errors.js';

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
