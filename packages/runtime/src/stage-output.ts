// Stage outputs: manifest.json with a sha256 of every file, written atomically (docs/design.md §3).
// A stage writes into a temporary sibling folder; the runner hashes, fsyncs and renames it into
// place only after the stage returned. A folder without a manifest, with a file the manifest does
// not list, or with a file whose hash differs is rejected by `verifyStageOutput`.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { commitAtomicFolder } from './atomic-folder.js';

export const MANIFEST = 'manifest.json';
export const MANIFEST_FORMAT = 'switchyard-stage-manifest/1';

export interface FileRecord { sha256: string; bytes: number; rows?: number }

export interface StageManifest {
  format: typeof MANIFEST_FORMAT;
  stage: string;
  package: string;
  packageVersion: string;
  /** Content key: hash of package, stage, config, seed and upstream keys. */
  key: string;
  config: unknown;
  seed: number;
  backend: { name: string; tfjsBackend: string; threads: number; tfjsVersion: string; native: unknown } | null;
  inputs: Record<string, { key: string; manifestSha256: string }>;
  files: Record<string, FileRecord>;
  wallTimeSeconds: number;
  finishedAt: string;
  extra: Record<string, unknown>;
}

export class StageOutputError extends Error {}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Every regular file below `dir`, as sorted relative POSIX paths. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  walk(dir);
  return out;
}

/** Describe every file of a finished stage folder (hash, size, Arrow row count). */
export function describeFiles(dir: string): Record<string, FileRecord> {
  const files: Record<string, FileRecord> = {};
  for (const rel of listFiles(dir)) {
    if (rel === MANIFEST) continue;
    const p = join(dir, rel);
    const rec: FileRecord = { sha256: sha256File(p), bytes: statSync(p).size };
    if (rel.endsWith('.arrow')) {
      try { rec.rows = tableFromIPC(readFileSync(p)).numRows; } catch (e) {
        throw new StageOutputError(`${p}: stage wrote an unreadable Arrow file (${(e as Error).message})`);
      }
    }
    files[rel] = rec;
  }
  return files;
}

/**
 * Finish a stage: write the manifest into `tmpDir` and put the folder in place as `finalDir`
 * (atomic-folder.ts: fsync, an existing `finalDir` moved aside and removed, rename).
 */
export function commitStageOutput(tmpDir: string, finalDir: string, manifest: Omit<StageManifest, 'files' | 'format'>): StageManifest {
  const full: StageManifest = { format: MANIFEST_FORMAT, ...manifest, files: describeFiles(tmpDir) } as StageManifest;
  writeFileSync(join(tmpDir, MANIFEST), JSON.stringify(full, null, 2) + '\n');
  commitAtomicFolder(tmpDir, finalDir);
  return full;
}

/** Read and check a stage folder: manifest present and well-formed, every file listed and unchanged. */
export function verifyStageOutput(dir: string): StageManifest {
  const mpath = join(dir, MANIFEST);
  if (!existsSync(dir)) throw new StageOutputError(`${dir}: stage output folder does not exist (has the upstream stage run?)`);
  if (!existsSync(mpath)) throw new StageOutputError(`${dir}: no ${MANIFEST}: the stage did not finish (killed or failed); re-run it`);
  let m: StageManifest;
  try { m = JSON.parse(readFileSync(mpath, 'utf8')) as StageManifest; } catch (e) {
    throw new StageOutputError(`${mpath}: not valid JSON (${(e as Error).message})`);
  }
  if (m.format !== MANIFEST_FORMAT || typeof m.files !== 'object' || m.files === null) {
    throw new StageOutputError(`${mpath}: not a Switchyard stage manifest (format ${JSON.stringify(m.format)}, expected ${MANIFEST_FORMAT})`);
  }
  const present = listFiles(dir).filter((f) => f !== MANIFEST);
  for (const f of present) {
    if (!(f in m.files)) throw new StageOutputError(`${join(dir, f)}: file not listed in ${MANIFEST} (written after the stage finished?)`);
  }
  for (const [rel, rec] of Object.entries(m.files)) {
    const p = join(dir, rel);
    if (!existsSync(p)) throw new StageOutputError(`${p}: listed in ${MANIFEST} but missing`);
    const got = sha256File(p);
    if (got !== rec.sha256) throw new StageOutputError(`${p}: sha256 ${got} does not match the manifest's ${rec.sha256}: the file was modified or corrupted`);
  }
  return m;
}
