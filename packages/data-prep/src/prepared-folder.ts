// Readers of a data-prep output folder that hold for every task: the task it was prepared for,
// the tokenizer, the statistics and which splits exist.
import { existsSync } from 'node:fs';
import { readJsonFile } from './text-file.js';
import { join } from 'node:path';
import type { PreparedStats } from './tasks/summarisation/prepare.js';
import { loadTokenizer } from './tokenizer/load.js';
import type { Tokenizer } from './tokenizer/types.js';
import { DataPrepError } from './errors.js';

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

export const TASK_FILE = 'task.json';

/** The task a folder was prepared for (task.json; folders prepared before it existed are summarisation). */
export function readPreparedTask(dir: string): string {
  const file = join(dir, TASK_FILE);
  if (!existsSync(file)) return 'summarisation';
  const t = readJsonFile<{ task?: unknown }>(file, 'the task.json object data-prep writes').task;
  if (typeof t !== 'string' || !t) throw new DataPrepError('expected {"task": "<name>"}', { file, field: 'task' });
  return t;
}
