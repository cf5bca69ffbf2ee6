// A small reader for the standard LM corpus zips (enwik8.zip, text8.zip, wikitext-*-v1.zip):
// the end-of-central-directory record, the central directory, and each member's local header;
// members stored (method 0) or deflated (method 8, node:zlib inflateRaw), checked against the
// declared size and CRC-32. No zip64, no encryption, no multi-disk archives — none of these
// corpora need them, and each is refused with a message saying so.
import { inflateRawSync } from 'node:zlib';
import * as zlib from 'node:zlib';
import { DataPrepError } from '../errors.js';

export interface ZipMember {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50, CENTRAL = 0x02014b50, LOCAL = 0x04034b50;

/** The members of a zip held in memory (`file` names it in errors). */
export function zipMembers(bytes: Uint8Array, file: string): ZipMember[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === EOCD) { eocd = i; break; }
  }
  if (eocd < 0) throw new DataPrepError('not a zip archive (no end-of-central-directory record; truncated download?)', { file });
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (view.getUint16(eocd + 4, true) !== 0 || view.getUint16(eocd + 6, true) !== 0) throw new DataPrepError('multi-disk zip archives are not supported', { file });
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) throw new DataPrepError('zip64 archives are not supported; unzip it and pass the extracted file', { file });
  if (cdOffset + cdSize > eocd) throw new DataPrepError(`central directory [${cdOffset}, ${cdOffset + cdSize}) runs past its end record at ${eocd} (truncated or corrupt archive)`, { file });
  const out: ZipMember[] = [];
  let p = cdOffset;
  const dec = new TextDecoder();
  for (let k = 0; k < count; k++) {
    if (p + 46 > eocd || view.getUint32(p, true) !== CENTRAL) throw new DataPrepError(`central directory entry ${k} at byte ${p} is malformed`, { file });
    const nameLen = view.getUint16(p + 28, true), extraLen = view.getUint16(p + 30, true), commentLen = view.getUint16(p + 32, true);
    const m: ZipMember = {
      method: view.getUint16(p + 10, true),
      crc32: view.getUint32(p + 16, true),
      compressedSize: view.getUint32(p + 20, true),
      size: view.getUint32(p + 24, true),
      localHeaderOffset: view.getUint32(p + 42, true),
      name: dec.decode(bytes.subarray(p + 46, p + 46 + nameLen)),
    };
    if (view.getUint16(p + 8, true) & 1) throw new DataPrepError(`member "${m.name}" is encrypted`, { file });
    if (m.size === 0xffffffff || m.compressedSize === 0xffffffff || m.localHeaderOffset === 0xffffffff) throw new DataPrepError(`member "${m.name}" needs zip64, which is not supported; unzip it and pass the extracted file`, { file });
    out.push(m);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** The uncompressed bytes of one member. */
export function readZipMember(bytes: Uint8Array, member: ZipMember, file: string): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = member.localHeaderOffset;
  const where = { file, field: member.name };
  if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL) throw new DataPrepError(`no local header at byte ${at}`, where);
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const end = start + member.compressedSize;
  if (end > bytes.length) throw new DataPrepError(`data [${start}, ${end}) runs past the end of the archive (${bytes.length} bytes; truncated download?)`, where);
  const raw = bytes.subarray(start, end);
  let data: Uint8Array;
  if (member.method === 0) data = raw;
  else if (member.method === 8) {
    try { data = inflateRawSync(raw); } catch (e) { throw new DataPrepError(`deflate data is corrupt (${(e as Error).message})`, where); }
  } else throw new DataPrepError(`compression method ${member.method} is not supported (only stored and deflate)`, where);
  if (data.length !== member.size) throw new DataPrepError(`inflated to ${data.length} bytes, the archive declares ${member.size}`, where);
  const crc = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
  if (crc && (crc(data) >>> 0) !== member.crc32) throw new DataPrepError(`CRC-32 mismatch (corrupt archive)`, where);
  return data;
}
