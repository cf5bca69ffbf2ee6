// Atomic folder writes (design.md §3): build under a temporary name, fsync every file and the
// folder, rename into place, fsync the parent. A reader never sees a half-written folder, and a
// killed writer leaves only a `.tmp-*` folder that readers ignore and the next writer removes.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const TMP_PREFIX = '.tmp-';

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

/** File content, or a function producing it when its turn comes (so only one large file is in memory at a time). */
export type FileContent = Uint8Array | string | (() => Uint8Array | string);

/** Write `files` (name → content, in key order) as folder `target`, atomically. Replaces an existing folder. */
export function writeDirAtomic(target: string, files: Record<string, FileContent>): void {
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `${TMP_PREFIX}${basename(target)}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  for (const [name, content] of Object.entries(files)) {
    const path = join(tmp, name);
    writeFileSync(path, typeof content === 'function' ? content() : content);
    fsyncPath(path);
  }
  fsyncPath(tmp);
  rmSync(target, { recursive: true, force: true });
  renameSync(tmp, target);
  fsyncPath(parent);
}

/** Write one file atomically (tmp file + fsync + rename). */
export function writeFileAtomic(path: string, content: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `${TMP_PREFIX}${basename(path)}-${process.pid}`);
  writeFileSync(tmp, content);
  fsyncPath(tmp);
  renameSync(tmp, path);
  fsyncPath(dirname(path));
}

/** Remove leftovers of interrupted atomic writes in `dir`. */
export function removeStaleTemps(dir: string): void {
  let names: string[];
  try { names = readdirSync(dir); } catch { return; }
  for (const n of names) if (n.startsWith(TMP_PREFIX)) rmSync(join(dir, n), { recursive: true, force: true });
}
