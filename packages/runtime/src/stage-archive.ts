// One stage output folder as one blob, for the remote stage cache (stage-cache.ts):
//   gzip( "switchyard-stage-archive/1\n" + JSON header {files: [{path, bytes}]} + "\n" + file bytes… )
// Files in header order, paths relative and POSIX. Unpacking refuses absolute paths, `..`,
// sizes that do not add up and trailing bytes; the unpacked folder must still pass
// verifyStageOutput before anyone uses it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { listFiles } from './stage-output.js';

const MAGIC = 'switchyard-stage-archive/1\n';

export class StageArchiveError extends Error {}

export function packStageDir(dir: string): Buffer {
  const files = listFiles(dir);
  const bodies = files.map((f) => readFileSync(join(dir, f)));
  const header = JSON.stringify({ files: files.map((path, i) => ({ path, bytes: bodies[i]!.length })) });
  return gzipSync(Buffer.concat([Buffer.from(MAGIC + header + '\n'), ...bodies]), { level: 1 });
}

/** Unpack `blob` into the (new or empty) folder `dir`. `what` names the blob in errors. */
export function unpackStageDir(blob: Uint8Array, dir: string, what: string): void {
  let raw: Buffer;
  try { raw = gunzipSync(blob); } catch (e) { throw new StageArchiveError(`${what}: not a gzip stream (${(e as Error).message})`); }
  if (raw.subarray(0, MAGIC.length).toString() !== MAGIC) throw new StageArchiveError(`${what}: not a Switchyard stage archive (expected it to start with ${JSON.stringify(MAGIC.trim())})`);
  const nl = raw.indexOf(0x0a, MAGIC.length);
  if (nl < 0) throw new StageArchiveError(`${what}: archive header is not terminated`);
  let header: { files: { path: string; bytes: number }[] };
  try { header = JSON.parse(raw.subarray(MAGIC.length, nl).toString()); } catch (e) { throw new StageArchiveError(`${what}: archive header is not JSON (${(e as Error).message})`); }
  let at = nl + 1;
  mkdirSync(dir, { recursive: true });
  for (const f of header.files ?? []) {
    if (typeof f.path !== 'string' || f.path.startsWith('/') || f.path.split('/').some((p) => p === '..' || p === '') || !Number.isInteger(f.bytes) || f.bytes < 0) {
      throw new StageArchiveError(`${what}: bad archive entry ${JSON.stringify(f)}`);
    }
    if (at + f.bytes > raw.length) throw new StageArchiveError(`${what}: ${f.path} is cut short (${raw.length - at} of ${f.bytes} bytes)`);
    const p = join(dir, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, raw.subarray(at, at + f.bytes));
    at += f.bytes;
  }
  if (at !== raw.length) throw new StageArchiveError(`${what}: ${raw.length - at} bytes after the last file`);
}
