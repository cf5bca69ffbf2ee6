// The one atomic writer: a folder (or a single file) is built under a temporary sibling name,
// every file and the folder are fsynced, an existing target is moved aside and removed, the
// temporary is renamed into place and the parent fsynced. A reader never sees a half-written
// folder; a killed writer leaves only `.tmp-*` / `.trash-*` siblings that readers ignore and
// `removeStaleTemps` (or the next write of the same target) clears. Used for stage outputs
// (stage-output.ts), checkpoints (packages/model-core/src/checkpoint.ts,
// packages/train/src/checkpoint.ts) and prepared data (packages/data-prep/src/command.ts).
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const ATOMIC_TMP_PREFIX = '.tmp-';
const TRASH_PREFIX = '.trash-';

/** File content, or a function producing it when its turn comes (so only one large file is in memory at a time). */
export type FileContent = Uint8Array | string | (() => Uint8Array | string);

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

function fsyncTree(dir: string): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) fsyncTree(p); else fsyncPath(p);
  }
  fsyncPath(dir);
}

/** A fresh, empty temporary sibling of `target` (`.tmp-<name>-<pid>`) to build it in. */
export function atomicTempFolder(target: string): string {
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `${ATOMIC_TMP_PREFIX}${basename(target)}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  return tmp;
}

/** Put the finished temporary folder `tmp` in place as `target` (replacing an existing one). */
export function commitAtomicFolder(tmp: string, target: string): void {
  fsyncTree(tmp);
  if (existsSync(target)) {
    const trash = join(dirname(target), `${TRASH_PREFIX}${basename(target)}-${process.pid}-${Date.now()}`);
    renameSync(target, trash);
    rmSync(trash, { recursive: true, force: true });
  }
  renameSync(tmp, target);
  fsyncPath(dirname(target));
}

/** Build folder `target` atomically: `fill` writes into an empty temporary folder; if it throws, nothing changes. */
export async function writeFolderAtomically<T>(target: string, fill: (tmp: string) => T | Promise<T>): Promise<T> {
  const tmp = atomicTempFolder(target);
  let result: T;
  try { result = await fill(tmp); } catch (e) { rmSync(tmp, { recursive: true, force: true }); throw e; }
  commitAtomicFolder(tmp, target);
  return result;
}

/** `writeFolderAtomically` for a synchronous `fill`. */
export function writeFolderAtomicallySync<T>(target: string, fill: (tmp: string) => T): T {
  const tmp = atomicTempFolder(target);
  let result: T;
  try { result = fill(tmp); } catch (e) { rmSync(tmp, { recursive: true, force: true }); throw e; }
  commitAtomicFolder(tmp, target);
  return result;
}

/** Write `files` (name → content, in key order) as folder `target`, atomically. */
export function writeFilesAtomically(target: string, files: Record<string, FileContent>): void {
  writeFolderAtomicallySync(target, (tmp) => {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(tmp, name), typeof content === 'function' ? content() : content);
  });
}

/** Write one file atomically (temporary sibling file, fsync, rename). */
export function writeFileAtomically(path: string, content: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `${ATOMIC_TMP_PREFIX}${basename(path)}-${process.pid}`);
  writeFileSync(tmp, content);
  fsyncPath(tmp);
  renameSync(tmp, path);
  fsyncPath(dirname(path));
}

/** Remove what interrupted atomic writes left in `dir` (all of them, or only those of target `name`). */
export function removeStaleTemps(dir: string, name?: string): void {
  let names: string[];
  try { names = readdirSync(dir); } catch { return; }
  const prefixes = [ATOMIC_TMP_PREFIX, TRASH_PREFIX].map((p) => (name === undefined ? p : `${p}${name}-`));
  for (const n of names) if (prefixes.some((p) => n.startsWith(p))) rmSync(join(dir, n), { recursive: true, force: true });
}
