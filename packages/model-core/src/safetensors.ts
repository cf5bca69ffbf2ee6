// Safetensors reader and writer (https://github.com/huggingface/safetensors, format section).
// Layout: 8-byte little-endian u64 header length N, N bytes of UTF-8 JSON
// `{"__metadata__": {...}, "<key>": {"dtype", "shape", "data_offsets": [begin, end]}}`, then the
// raw little-endian tensor bytes; offsets are relative to the first byte after the header.
// The header comes from files we did not write, so parsing is bounded and every field is
// validated before any byte is read: a hostile header gives a SafetensorsError naming the file
// and the key, never an out-of-range read or a huge allocation. Files are read by byte range
// (`openSafetensors`), so checkpoints above Node's 2 GiB single-read limit load too.
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { parseJsonLocated } from '@switchyard/runtime';

/** Largest header accepted (the reference implementation uses 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';
const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };

export class SafetensorsError extends Error {
  constructor(readonly file: string, message: string, readonly key?: string) {
    super(`${file}${key !== undefined ? ` [${key}]` : ''}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

export interface TensorEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range relative to the start of the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  /** File name used in error messages. */
  file: string;
  metadata: Record<string, string>;
  entries: Map<string, TensorEntry>;
  /** Bytes [begin, end) of the data section (bounds already validated). */
  readRange(begin: number, end: number): Uint8Array;
  /** Release the file handle (no-op for in-memory files). */
  close(): void;
}

/** A decoded tensor: values widened to float32, row-major. */
export interface FloatTensor { shape: number[]; values: Float32Array }

function isSafeCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Validate the 8-byte length prefix against the file size; returns the header length. */
function headerLength(prefix: Uint8Array, fileSize: number, file: string): number {
  if (fileSize === 0) throw new SafetensorsError(file, 'empty file (0 bytes); expected a safetensors file (8-byte header length, JSON header, tensor data)');
  if (fileSize < 8) throw new SafetensorsError(file, `file is ${fileSize} bytes, shorter than the 8-byte header length (truncated?)`);
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new SafetensorsError(file, `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte cap`);
  const headerLen = Number(n);
  if (8 + headerLen > fileSize) throw new SafetensorsError(file, `header length ${headerLen} runs past the end of the file (${fileSize} bytes; truncated, or not a safetensors file)`);
  return headerLen;
}

/** Parse and validate an in-memory file; does not decode tensor data. */
export function parseSafetensors(bytes: Uint8Array, file: string): SafetensorsFile {
  const headerLen = headerLength(bytes, bytes.byteLength, file);
  const data = bytes.subarray(8 + headerLen);
  return parseHeader(bytes.subarray(8, 8 + headerLen), data.byteLength, file, (b, e) => data.subarray(b, e), () => {});
}

/** Open a safetensors file on disk: header read and validated now, tensors read on demand. */
export function openSafetensors(file: string): SafetensorsFile {
  let fd: number;
  try {
    fd = openSync(file, 'r');
    if (!fstatSync(fd).isFile()) { closeSync(fd); throw Object.assign(new Error('not a file'), { code: 'EISDIR' }); }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SafetensorsError(file, code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, expected a safetensors file' : `cannot open (${(e as Error).message})`);
  }
  try {
    const size = fstatSync(fd).size;
    const prefix = new Uint8Array(8);
    if (size >= 8) readSync(fd, prefix, 0, 8, 0);
    const headerLen = headerLength(prefix, size, file);
    const header = new Uint8Array(headerLen);
    readSync(fd, header, 0, headerLen, 8);
    const base = 8 + headerLen;
    const read = (b: number, e: number): Uint8Array => {
      const out = new Uint8Array(e - b);
      let done = 0;
      while (done < out.length) {
        const got = readSync(fd, out, done, out.length - done, base + b + done);
        if (got <= 0) throw new SafetensorsError(file, `file ended while reading bytes [${b}, ${e}) of the data section`);
        done += got;
      }
      return out;
    };
    let open = true;
    return parseHeader(header, size - base, file, read, () => { if (open) { open = false; closeSync(fd); } });
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function parseHeader(headerBytes: Uint8Array, dataLength: number, file: string, readRange: (b: number, e: number) => Uint8Array, close: () => void): SafetensorsFile {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError(file, 'header is not valid UTF-8 JSON (invalid UTF-8 bytes)');
  }
  const header = parseJsonLocated(text, (e) => new SafetensorsError(file, `header is not valid UTF-8 JSON (${e.problem}, at header character ${e.offset + 1}${e.line > 1 ? `, line ${e.line} column ${e.column}` : ''}; header length ${headerBytes.length} bytes)`));
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new SafetensorsError(file, 'header is not a JSON object');
  }
  const metadata: Record<string, string> = {};
  const entries = new Map<string, TensorEntry>();
  for (const [key, raw] of Object.entries(header as Record<string, unknown>)) {
    if (key === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new SafetensorsError(file, '__metadata__ is not an object', key);
      for (const [mk, mv] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof mv !== 'string') throw new SafetensorsError(file, `metadata value of "${mk}" is not a string`, key);
        metadata[mk] = mv;
      }
      continue;
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new SafetensorsError(file, 'tensor entry is not an object', key);
    const { dtype, shape, data_offsets: offs } = raw as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
      throw new SafetensorsError(file, `unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(DTYPE_BYTES).join(', ')})`, key);
    }
    if (!Array.isArray(shape) || shape.length > 8 || !shape.every(isSafeCount)) {
      throw new SafetensorsError(file, `shape ${JSON.stringify(shape)} is not a list of non-negative integers`, key);
    }
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isSafeCount)) {
      throw new SafetensorsError(file, `data_offsets ${JSON.stringify(offs)} is not a pair of non-negative integers`, key);
    }
    const [begin, end] = offs as [number, number];
    if (begin > end) throw new SafetensorsError(file, `data_offsets [${begin}, ${end}] out of range (begin after end)`, key);
    if (end > dataLength) {
      throw new SafetensorsError(file, `data_offsets [${begin}, ${end}] out of range (data section is ${dataLength} bytes): the file is at least ${end - dataLength} bytes short (truncated copy?)`, key);
    }
    const count = (shape as number[]).reduce((a, d) => a * d, 1);
    const expected = count * DTYPE_BYTES[dtype as SafetensorsDtype];
    if (end - begin !== expected) {
      throw new SafetensorsError(file, `shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${expected} bytes but data_offsets span ${end - begin}`, key);
    }
    entries.set(key, { dtype: dtype as SafetensorsDtype, shape: shape as number[], begin, end });
  }
  // Byte ranges must not overlap (a crafted file could alias two tensors).
  const sorted = [...entries.entries()].sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
  for (let i = 1; i < sorted.length; i++) {
    const [pk, p] = sorted[i - 1]!;
    const [ck, c] = sorted[i]!;
    if (c.begin < p.end) throw new SafetensorsError(file, `data_offsets [${c.begin}, ${c.end}] overlap those of "${pk}" [${p.begin}, ${p.end}]`, ck);
  }
  return { file, metadata, entries, readRange, close };
}

// IEEE half → float: exponent 0 is subnormal, 31 is inf/NaN.
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Decode one tensor to float32 (F16 and BF16 widened exactly). */
export function readTensor(st: SafetensorsFile, key: string): FloatTensor {
  const e = st.entries.get(key);
  if (!e) throw new SafetensorsError(st.file, 'tensor not found', key);
  const count = e.shape.reduce((a, d) => a * d, 1);
  const out = new Float32Array(count);
  const bytes = st.readRange(e.begin, e.end);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (e.dtype === 'F32') {
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  } else if (e.dtype === 'F16') {
    for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
  } else {
    // bfloat16 is the top half of a float32.
    const u = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) u[i] = view.getUint16(i * 2, true) << 16;
  }
  return { shape: [...e.shape], values: out };
}

/** A tensor to write: its shape and a producer of its float32 values (called once, in key order). */
export interface LazyTensor { shape: number[]; values: () => Float32Array }

/** Header bytes (length prefix included) and data size for tensors in sorted key order. */
function headerFor(tensors: Map<string, { shape: number[] }>, metadata: Record<string, string>): { prefix: Uint8Array; keys: string[]; dataBytes: number } {
  const keys = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const k of keys) {
    const shape = tensors.get(k)!.shape;
    const bytes = shape.reduce((a, d) => a * d, 1) * 4;
    header[k] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const enc = new TextEncoder();
  let json = JSON.stringify(header);
  const pad = (8 - (enc.encode(json).byteLength % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = enc.encode(json);
  const prefix = new Uint8Array(8 + headerBytes.byteLength);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  prefix.set(headerBytes, 8);
  return { prefix, keys, dataBytes: offset };
}

function littleEndianBytes(v: Float32Array): Uint8Array {
  const out = new Uint8Array(v.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) view.setFloat32(i * 4, v[i]!, true);
  return out;
}

function checkCount(k: string, shape: number[], v: Float32Array): void {
  const count = shape.reduce((a, d) => a * d, 1);
  if (count !== v.length) throw new Error(`writeSafetensors: "${k}" has ${v.length} values for shape [${shape.join(', ')}]`);
}

/**
 * Serialise float32 tensors. Keys are written in sorted order (as the reference writer does),
 * the header padded with spaces to a multiple of 8 so the data section is aligned.
 */
export function writeSafetensors(tensors: Map<string, FloatTensor>, metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const { prefix, keys, dataBytes } = headerFor(tensors, metadata);
  const out = new Uint8Array(prefix.byteLength + dataBytes);
  out.set(prefix, 0);
  let pos = prefix.byteLength;
  for (const k of keys) {
    const t = tensors.get(k)!;
    checkCount(k, t.shape, t.values);
    out.set(littleEndianBytes(t.values), pos);
    pos += t.values.length * 4;
  }
  return out;
}

/** Stream tensors to `file` one at a time, so a large model needs no second full copy in memory. */
export function writeSafetensorsFile(file: string, tensors: Map<string, LazyTensor>, metadata: Record<string, string> = { format: 'pt' }): void {
  const { prefix, keys } = headerFor(tensors, metadata);
  const fd = openSync(file, 'w');
  try {
    writeAll(fd, prefix);
    for (const k of keys) {
      const t = tensors.get(k)!;
      const v = t.values();
      checkCount(k, t.shape, v);
      writeAll(fd, littleEndianBytes(v));
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done);
}
