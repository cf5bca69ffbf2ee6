// Format detection and dispatch: a split is one file or several shards of one format.
import { extname } from 'node:path';
import type { FileFormat, RawRecord } from '../types.js';
import { DataPrepError } from '../errors.js';
import { readTextFile } from '../text-file.js';
import { parseJsonArray } from './json.js';
import { parseJsonLines } from './jsonl.js';
import { parseCsv } from './csv.js';
import { readParquet } from './parquet.js';
import { readArrowRecords } from './arrow.js';

const BY_EXT: Record<string, FileFormat> = {
  '.json': 'json', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.csv': 'csv', '.parquet': 'parquet', '.arrow': 'arrow',
};

export function formatOf(path: string): FileFormat | undefined {
  return BY_EXT[extname(path).toLowerCase()];
}

/** Read one file's records; `columns` are the source column names the caller needs. */
export async function readRecords(file: string, columns: string[], format?: FileFormat): Promise<RawRecord[]> {
  const f = format ?? formatOf(file);
  switch (f) {
    case 'json': return parseJsonArray(readTextFile(file), file);
    case 'jsonl': return parseJsonLines(readTextFile(file), file);
    case 'csv': return parseCsv(readTextFile(file), file);
    case 'parquet': return readParquet(file, columns);
    case 'arrow': return readArrowRecords(file, columns);
    default: throw new DataPrepError(`unknown file format (expected .json, .jsonl, .csv, .parquet or .arrow)`, { file });
  }
}
