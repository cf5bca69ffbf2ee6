// Reads text files as strict UTF-8: an invalid byte sequence is an error naming the line, never
// a silent U+FFFD (TextDecoder with fatal: true).
import { readFileSync, existsSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataPrepError, emptyFileError } from './errors.js';
import { parseJsonLocated } from '@switchyard/runtime';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function readBytes(path: string): Uint8Array {
  if (!existsSync(path)) throw new DataPrepError('file not found', { file: path });
  if (!statSync(path).isFile()) throw new DataPrepError('not a file', { file: path });
  return readFileSync(path);
}

/** Decode strictly; on failure name the line and byte offset of the first bad sequence. */
export function decodeUtf8(bytes: Uint8Array, file: string, lineBase = 1): string {
  try {
    return strict.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = lineBase;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
    throw new DataPrepError(`invalid UTF-8 at byte ${at}`, { file, line });
  }
}

/** Read a text file as strict UTF-8; gzip content (0x1f 0x8b, e.g. `train.json.gz`) is decompressed first. */
export function readTextFile(path: string): string {
  const raw = readBytes(path);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    let bytes: Uint8Array;
    try { bytes = gunzipSync(raw); } catch (err) { throw new DataPrepError(`gzip stream is damaged (${(err as Error).message}); the compressed file has ${raw.length} bytes`, { file: path }); }
    return decodeUtf8(bytes, `${path} (after gunzip)`);
  }
  return decodeUtf8(raw, path);
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n: number, lo = 0x80, hi = 0xbf;
    if (c < 0x80) { i++; continue; }
    else if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) { n = 2; if (c === 0xe0) lo = 0xa0; if (c === 0xed) hi = 0x9f; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; if (c === 0xf0) lo = 0x90; if (c === 0xf4) hi = 0x8f; }
    else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined) return i;
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return i;
    }
    i += n + 1;
  }
  return b.length;
}


/**
 * Read a JSON file (strict UTF-8): an empty file is called empty, a syntax error is given as
 * `file:line:column`. `expected` says what the file should hold, e.g. "a tokenizer.json object".
 */
export function readJsonFile<T = unknown>(path: string, expected: string): T {
  const text = readTextFile(path);
  if (text.replace(/^\uFEFF/, '').trim() === '') throw emptyFileError(path, text.length, expected);
  return parseJsonLocated<T>(text, (e) => new DataPrepError(`malformed JSON: ${e.problem}`, { file: path, line: e.line, column: e.column }));
}
