// Arrow IPC files and streams: Hugging Face `datasets` writes the *stream* format (cache files
// `samsum-train.arrow`, `save_to_disk` shards `data-00000-of-00001.arrow`); tableFromIPC reads
// both. Every configured field must be a utf8 (or large utf8) column. A file that is not Arrow,
// is cut short, or holds no schema is named as such before any column is looked up.
import { tableFromIPC, Utf8, LargeUtf8, type Table } from 'apache-arrow';
import type { RawRecord } from '../types.js';
import { DataPrepError } from '../errors.js';
import { readBytes } from '../text-file.js';
import { checkColumnNames } from './columns.js';

const MAGIC = 'ARROW1';

function startsWithMagic(b: Uint8Array, at: number): boolean {
  if (at < 0 || at + MAGIC.length > b.length) return false;
  for (let i = 0; i < MAGIC.length; i++) if (b[at + i] !== MAGIC.charCodeAt(i)) return false;
  return true;
}

export function readArrowRecords(file: string, columns: string[]): RawRecord[] {
  const bytes = readBytes(file);
  // The IPC *file* format starts and ends with "ARROW1"; a missing trailer means a cut-off copy.
  if (startsWithMagic(bytes, 0) && !startsWithMagic(bytes, bytes.length - MAGIC.length)) {
    throw new DataPrepError(`truncated Arrow IPC file: it starts with "${MAGIC}" but does not end with it (${bytes.length} bytes; re-copy or re-export the file)`, { file });
  }
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (e) {
    throw new DataPrepError(`not a readable Arrow IPC file or stream, or cut short (${bytes.length} bytes): ${(e as Error).message}`, { file });
  }
  if (table.schema.fields.length === 0) {
    throw new DataPrepError(`no Arrow schema in the file (${bytes.length} bytes, no columns); expected an Arrow IPC file or stream with columns ${columns.map((c) => `"${c}"`).join(', ')}`, { file });
  }
  const names = table.schema.fields.map((f) => f.name);
  checkColumnNames(file, columns, names, 'the Arrow schema has no column');
  const vectors = columns.map((c) => {
    const f = table.schema.fields.find((x) => x.name === c)!;
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
