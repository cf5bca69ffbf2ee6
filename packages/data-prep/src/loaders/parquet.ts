// Parquet via hyparquet (+ hyparquet-compressors for snappy, zstd, gzip, brotli, lz4). Byte
// arrays are read raw (`utf8: false`) and decoded strictly here, so invalid UTF-8 is reported
// rather than replaced. The schema is checked first: every configured field must be a string
// (BYTE_ARRAY, unannotated or UTF8/STRING) column.
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { RawRecord } from '../types.js';
import { DataPrepError } from '../errors.js';
import { readBytes } from '../text-file.js';
import { checkColumnNames } from './columns.js';

const strict = new TextDecoder('utf-8', { fatal: true });

export async function readParquet(file: string, columns: string[]): Promise<RawRecord[]> {
  const bytes = readBytes(file);
  checkParquetFrame(bytes, file);
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
  checkColumnNames(file, columns, names, 'the Parquet schema has no column');
  for (const c of columns) {
    const el = top.find((s) => s.name === c)!;
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

/**
 * A Parquet file is "PAR1", the data, the footer, its 4-byte length, "PAR1". Check that frame
 * first, so a cut-off or foreign file is named as such (hyparquet would say "too short" or
 * misread the footer length).
 */
function checkParquetFrame(b: Uint8Array, file: string): void {
  const magicAt = (at: number) => b[at] === 0x50 && b[at + 1] === 0x41 && b[at + 2] === 0x52 && b[at + 3] === 0x31;
  if (b.length < 12) throw new DataPrepError(`not a Parquet file: ${b.length} bytes, shorter than the 12-byte minimum ("PAR1", footer length, "PAR1")`, { file });
  if (!magicAt(0)) throw new DataPrepError('not a Parquet file: it does not start with "PAR1"', { file });
  if (!magicAt(b.length - 4)) throw new DataPrepError(`truncated Parquet file: it starts with "PAR1" but does not end with it (${b.length} bytes; re-copy or re-export the file)`, { file });
  const footer = new DataView(b.buffer, b.byteOffset + b.length - 8, 4).getUint32(0, true);
  if (footer + 12 > b.length) throw new DataPrepError(`corrupt Parquet file: footer length ${footer} is more than the file's ${b.length} bytes allow`, { file });
}

/** Index just past element i and all its descendants (the schema is a flattened tree). */
function skip(schema: readonly { num_children?: number }[], i: number): number {
  const n = schema[i]!.num_children ?? 0;
  let j = i + 1;
  for (let k = 0; k < n; k++) j = skip(schema, j);
  return j;
}
