// Parquet via hyparquet (+ hyparquet-compressors for snappy, zstd, gzip, brotli, lz4). Byte
// arrays are read raw (`utf8: false`) and decoded strictly here, so invalid UTF-8 is reported
// rather than replaced. The schema is checked first: every configured field must be a string
// (BYTE_ARRAY, unannotated or UTF8/STRING) column.
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { RawRecord } from '../types.js';
import { DataPrepError } from '../errors.js';
import { readBytes } from '../text-file.js';

const strict = new TextDecoder('utf-8', { fatal: true });

export async function readParquet(file: string, columns: string[]): Promise<RawRecord[]> {
  const bytes = readBytes(file);
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let metadata;
  try {
    metadata = parquetMetadata(buf);
  } catch (e) {
    throw new DataPrepError(`not a readable Parquet file (${(e as Error).message})`, { file });
  }
  // schema[0] is the root; its direct children are the top-level columns.
  const top: (typeof metadata.schema)[number][] = [];
  for (let i = 1; i < metadata.schema.length; i = skip(metadata.schema, i)) top.push(metadata.schema[i]!);
  const names = top.map((s) => s.name);
  for (const c of columns) {
    const el = top.find((s) => s.name === c);
    if (!el) throw new DataPrepError(`Parquet schema has no column "${c}" (columns: ${names.join(', ')})`, { file, field: c });
    const ann = el.logical_type?.type ?? el.converted_type;
    if (el.type !== 'BYTE_ARRAY' || (ann !== undefined && ann !== 'STRING' && ann !== 'UTF8')) {
      throw new DataPrepError(`Parquet column "${c}" is ${el.type ?? 'a group'}${ann ? ` (${ann})` : ''}, expected a UTF-8 string column`, { file, field: c });
    }
  }
  let rows: Record<string, unknown>[];
  try {
    // Keep strings as bytes (hyparquet's own decoder is lenient) and decode strictly below.
    rows = await parquetReadObjects({ file: buf, metadata, columns, compressors, utf8: false, parsers: { stringFromBytes: (b: Uint8Array) => b as unknown as string } });
  } catch (e) {
    throw new DataPrepError(`cannot read Parquet data (${(e as Error).message})`, { file });
  }
  return rows.map((r, row): RawRecord => {
    const values: Record<string, unknown> = {};
    for (const c of columns) {
      const v = r[c];
      if (v instanceof Uint8Array) {
        try { values[c] = strict.decode(v); } catch { return { place: { file, row }, problem: { reason: 'invalid UTF-8', field: c } }; }
      } else values[c] = v;
    }
    return { place: { file, row }, values };
  });
}

/** Index just past element i and all its descendants (the schema is a flattened tree). */
function skip(schema: readonly { num_children?: number }[], i: number): number {
  const n = schema[i]!.num_children ?? 0;
  let j = i + 1;
  for (let k = 0; k < n; k++) j = skip(schema, j);
  return j;
}
