// IDX, the array format of LeCun's MNIST (and Fashion-MNIST): a 4-byte magic
//   byte 0 = 0, byte 1 = 0, byte 2 = element type, byte 3 = number of dimensions (≥ 1),
// then one big-endian uint32 per dimension, then the elements, big-endian, row-major.
// Element types: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64.
// Every check names the file and the byte offset where the input stops matching the format.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataPrepError } from '../errors.js';

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dtype: IdxDtype;
  /** Sizes of the dimensions, outermost first (e.g. [count, rows, cols]). */
  dims: number[];
  /** The elements in native byte order, row-major. */
  data: IdxData;
}

const DTYPES: Record<number, { dtype: IdxDtype; bytes: number }> = {
  0x08: { dtype: 'uint8', bytes: 1 },
  0x09: { dtype: 'int8', bytes: 1 },
  0x0b: { dtype: 'int16', bytes: 2 },
  0x0c: { dtype: 'int32', bytes: 4 },
  0x0d: { dtype: 'float32', bytes: 4 },
  0x0e: { dtype: 'float64', bytes: 8 },
};

function fail(file: string, offset: number, reason: string): never {
  throw new DataPrepError(`byte ${offset}: ${reason}`, { file });
}

const hex = (b: number) => `0x${b.toString(16).padStart(2, '0')}`;

/** Parse the (already decompressed) bytes of one IDX file; `file` names it in errors. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) fail(file, bytes.length, `IDX header truncated: ${bytes.length} bytes, the magic number alone needs 4`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const off = bytes[0] !== 0 ? 0 : 1;
    fail(file, off, `not an IDX file: magic number starts ${hex(bytes[0]!)} ${hex(bytes[1]!)}, expected 0x00 0x00`);
  }
  const type = DTYPES[bytes[2]!];
  if (!type) fail(file, 2, `unknown IDX element type ${hex(bytes[2]!)}; expected one of 0x08 (uint8), 0x09 (int8), 0x0b (int16), 0x0c (int32), 0x0d (float32), 0x0e (float64)`);
  const rank = bytes[3]!;
  if (rank === 0) fail(file, 3, 'IDX rank is 0; expected at least 1 dimension');
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) fail(file, bytes.length, `IDX header truncated: ${rank} dimensions need ${headerBytes} header bytes, the file has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    if (d > 0x7fffffff) fail(file, 4 + 4 * i, `dimension ${i} is ${d}, larger than 2^31 − 1`);
    dims.push(d);
    count *= d;
  }
  const expected = headerBytes + count * type.bytes;
  if (bytes.length < expected) {
    fail(file, bytes.length, `IDX data truncated: dims [${dims.join(', ')}] of ${type.dtype} need ${expected} bytes, the file ends after ${bytes.length}`);
  }
  if (bytes.length > expected) {
    fail(file, expected, `${bytes.length - expected} trailing bytes after the data of dims [${dims.join(', ')}] of ${type.dtype} (expected ${expected} bytes in all)`);
  }
  return { dtype: type.dtype, dims, data: decode(view, headerBytes, count, type.dtype) };
}

function decode(view: DataView, start: number, count: number, dtype: IdxDtype): IdxData {
  switch (dtype) {
    case 'uint8': return new Uint8Array(view.buffer.slice(view.byteOffset + start, view.byteOffset + start + count));
    case 'int8': return new Int8Array(view.buffer.slice(view.byteOffset + start, view.byteOffset + start + count));
    case 'int16': { const a = new Int16Array(count); for (let i = 0; i < count; i++) a[i] = view.getInt16(start + 2 * i, false); return a; }
    case 'int32': { const a = new Int32Array(count); for (let i = 0; i < count; i++) a[i] = view.getInt32(start + 4 * i, false); return a; }
    case 'float32': { const a = new Float32Array(count); for (let i = 0; i < count; i++) a[i] = view.getFloat32(start + 4 * i, false); return a; }
    case 'float64': { const a = new Float64Array(count); for (let i = 0; i < count; i++) a[i] = view.getFloat64(start + 8 * i, false); return a; }
  }
}

/** Decompress gzip input (detected by its 0x1f 0x8b signature), else return the bytes as they are. */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes);
    } catch (err) {
      throw new DataPrepError(`gzip stream is damaged (${(err as Error).message}); the compressed file has ${bytes.length} bytes`, { file });
    }
  }
  return bytes;
}

/** Read an IDX file, raw or gzip-compressed (`.gz` or not: the content decides). */
export function readIdxFile(file: string): IdxArray {
  let raw: Uint8Array;
  try {
    raw = readFileSync(file);
  } catch (err) {
    throw new DataPrepError(`cannot read IDX file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { file });
  }
  const gz = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  return parseIdx(maybeGunzip(raw, file), gz ? `${file} (after gunzip)` : file);
}

/** Encode an array as IDX bytes (uncompressed). The inverse of `parseIdx`. */
export function encodeIdx(a: IdxArray): Uint8Array {
  const code = Number(Object.entries(DTYPES).find(([, v]) => v.dtype === a.dtype)![0]);
  const bytesPer = DTYPES[code]!.bytes;
  const count = a.dims.reduce((p, d) => p * d, 1);
  if (a.data.length !== count) throw new Error(`encodeIdx: ${a.data.length} elements for dims [${a.dims.join(', ')}]`);
  const header = 4 + 4 * a.dims.length;
  const out = new Uint8Array(header + count * bytesPer);
  const view = new DataView(out.buffer);
  out[2] = code; out[3] = a.dims.length;
  a.dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const o = header + i * bytesPer, v = a.data[i]!;
    switch (a.dtype) {
      case 'uint8': view.setUint8(o, v); break;
      case 'int8': view.setInt8(o, v); break;
      case 'int16': view.setInt16(o, v, false); break;
      case 'int32': view.setInt32(o, v, false); break;
      case 'float32': view.setFloat32(o, v, false); break;
      case 'float64': view.setFloat64(o, v, false); break;
    }
  }
  return out;
}
