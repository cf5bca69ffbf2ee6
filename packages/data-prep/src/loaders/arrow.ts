// Arrow IPC files and streams: Hugging Face `datasets` writes the *stream* format (cache files
// `samsum-train.arrow`, `save_to_disk` shards `data-00000-of-00001.arrow`); tableFromIPC reads
// both. Every configured field must be a utf8 (or large utf8) column.
import { tableFromIPC, Utf8, LargeUtf8, type Table } from 'apache-arrow';
import type { RawRecord } from '../types.js';
import { DataPrepError } from '../errors.js';
import { readBytes } from '../text-file.js';

export function readArrowRecords(file: string, columns: string[]): RawRecord[] {
  const bytes = readBytes(file);
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (e) {
    throw new DataPrepError(`not a readable Arrow IPC file or stream (${(e as Error).message})`, { file });
  }
  const names = table.schema.fields.map((f) => f.name);
  const vectors = columns.map((c) => {
    const f = table.schema.fields.find((x) => x.name === c);
    if (!f) throw new DataPrepError(`Arrow schema has no column "${c}" (columns: ${names.join(', ')})`, { file, field: c });
    if (!(f.type instanceof Utf8) && !(f.type instanceof LargeUtf8)) {
      throw new DataPrepError(`Arrow column "${c}" is ${String(f.type)}, expected utf8`, { file, field: c });
    }
    return table.getChild(c)!;
  });
  const out: RawRecord[] = new Array(table.numRows);
  for (let row = 0; row < table.numRows; row++) {
    const values: Record<string, unknown> = {};
    columns.forEach((c, k) => { values[c] = vectors[k]!.get(row); });
    out[row] = { place: { file, row }, values };
  }
  return out;
}
