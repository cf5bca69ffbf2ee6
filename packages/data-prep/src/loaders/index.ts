// Format detection and dispatch: a split is one file or several shards of one format.
import { extname } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import type { FileFormat, RawRecord } from '../types.js';
import { DataPrepError, emptyFileError } from '../errors.js';
import { readTextFile } from '../text-file.js';
import { parseJsonArray } from './json.js';
import { parseJsonLines } from './jsonl.js';
import { parseCsv } from './csv.js';
import { readParquet } from './parquet.js';
import { readArrowRecords } from './arrow.js';

const BY_EXT: Record<string, FileFormat> = {
  '.json': 'json', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.csv': 'csv', '.parquet': 'parquet', '.arrow': 'arrow',
};

/** What a file of each format should hold, for "empty file" messages. */
const EXPECTED: Record<FileFormat, string> = {
  json: 'a JSON array of records (or JSON Lines)',
  jsonl: 'JSON Lines (one JSON object per line)',
  csv: 'CSV with a header row (e.g. id,dialogue,summary) and one record per row',
  parquet: 'a Parquet file (it starts and ends with "PAR1")',
  arrow: 'an Arrow IPC file or stream (a schema, then record batches)',
};

export function formatOf(path: string): FileFormat | undefined {
  const lower = path.toLowerCase();
  // `train.json.gz`: a gzip-compressed text format (readTextFile decompresses it).
  const inner = lower.endsWith('.gz') ? lower.slice(0, -3) : lower;
  const f = BY_EXT[extname(inner)];
  return lower.endsWith('.gz') && (f === 'parquet' || f === 'arrow') ? undefined : f;
}

/** Read one file's records; `columns` are the source column names the caller needs. */
export async function readRecords(file: string, columns: string[], format?: FileFormat): Promise<RawRecord[]> {
  const f = format ?? formatOf(file);
  if (f && existsSync(file) && statSync(file).isFile() && statSync(file).size === 0) throw emptyFileError(file, 0, EXPECTED[f]);
  switch (f) {
    case 'json': return parseJsonArray(readTextFile(file), file, columns);
    case 'jsonl': return parseJsonLines(readTextFile(file), file, columns);
    case 'csv': return parseCsv(readTextFile(file), file, columns);
    case 'parquet': return readParquet(file, columns);
    case 'arrow': return readArrowRecords(file, columns);
    default: throw new DataPrepError(`unknown file format (expected .json, .jsonl, .csv, .parquet or .arrow)`, { file });
  }
}
