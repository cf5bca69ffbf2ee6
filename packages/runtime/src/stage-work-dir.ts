// The work folder of a running stage: artifacts/stages/.work-<key>/
//   out/        what the stage writes (its ctx.outDir); renamed to artifacts/stages/<key> on success
//   work.json   who owns it (pid, host) and what produced it (content key, Nx task hash)
// A killed run (SIGINT, SIGTERM, kill -9) leaves the folder behind. The next run of the same
// stage reuses it only when the stage is resumable and the identity matches exactly — same key
// and, under Nx, the same task hash (which also covers the stage's code and upstream outputs);
// the stage itself then verifies what it resumes from (the train loop checks the sha256 of every
// checkpoint file and falls back to an older checkpoint). Anything else starts from an empty
// folder. A live owner on this host is never disturbed.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const WORK_PREFIX = '.work-';

export interface WorkIdentity {
  key: string;
  /** Nx's hash of the task (inputs, code, upstream outputs); null outside Nx. */
  taskHash: string | null;
}

interface WorkRecord extends WorkIdentity { pid: number; host: string; startedAt: string }

export interface WorkDir {
  root: string;
  /** The stage's output folder. */
  out: string;
  /** Whether `out` holds the leftovers of an interrupted run with the same identity. */
  resumed: boolean;
}

export class StageBusyError extends Error {}

export function workDirOf(stagesDir: string, key: string): string {
  return join(stagesDir, `${WORK_PREFIX}${key}`);
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

function readRecord(path: string): WorkRecord | undefined {
  try { return JSON.parse(readFileSync(path, 'utf8')) as WorkRecord; } catch { return undefined; }
}

/**
 * Take the work folder of `id.key` for this process. `resumable`: keep an interrupted run's
 * output when its identity matches (else, and for other stages, start empty).
 */
export async function openWorkDir(stagesDir: string, id: WorkIdentity, resumable: boolean, log: (m: string) => void, waitMs = 30_000): Promise<WorkDir> {
  const root = workDirOf(stagesDir, id.key);
  const recPath = join(root, 'work.json');
  const out = join(root, 'out');
  const owner = () => {
    const r = existsSync(root) ? readRecord(recPath) : undefined;
    return r && r.pid !== process.pid && r.host === hostname() && alive(r.pid) ? r : undefined;
  };
  // An earlier run still alive (e.g. the task of an `nx` that was killed: Nx runs tasks in their
  // own terminal session, so they can outlive it briefly) finishes or dies first.
  const end = Date.now() + waitMs;
  let busy = owner();
  if (busy) log(`waiting for process ${busy.pid} (an earlier run of this stage) to exit`);
  while (busy && Date.now() < end) { await new Promise((r) => setTimeout(r, 200)); busy = owner(); }
  if (busy) throw new StageBusyError(`${root}: stage ${id.key} is being run by process ${busy.pid} (started ${busy.startedAt}); wait for it or stop it`);
  const prev = existsSync(root) ? readRecord(recPath) : undefined;
  const same = !!prev && prev.key === id.key && prev.taskHash === id.taskHash;
  const resumed = resumable && same && existsSync(out);
  if (!resumed) {
    if (existsSync(root)) {
      const why = !prev ? 'no work.json' : !resumable ? 'stage does not resume' : !same ? `inputs or code changed (task hash ${prev.taskHash} → ${id.taskHash})` : 'no output folder';
      log(`discarding the work folder of an interrupted run (${why})`);
    }
    rmSync(root, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
  }
  const rec: WorkRecord = { ...id, pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  writeFileSync(`${recPath}.tmp-${process.pid}`, JSON.stringify(rec, null, 1) + '\n');
  renameSync(`${recPath}.tmp-${process.pid}`, recPath);
  return { root, out, resumed };
}

/** Remove the work folder (after its `out` was committed, or when a failed stage cannot resume). */
export function removeWorkDir(w: WorkDir): void {
  rmSync(w.root, { recursive: true, force: true });
}
