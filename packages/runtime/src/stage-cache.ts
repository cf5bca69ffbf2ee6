// Remote stage cache: the stage runner's own client of an Nx self-hosted remote cache server
// (the open protocol: GET /v1/cache/{id} → 200 blob | 404; PUT /v1/cache/{id} → 200/202 | 409 if
// it exists; optional bearer token). Nx 24's built-in client fails the whole run when the server
// is down and accepts whatever blob it gets; this client instead
//   - keys an entry by Nx's task hash (NX_TASK_HASH: config, code, upstream outputs), so two
//     machines share a stage only when Nx would;
//   - verifies every restored folder (stage-archive.ts, then verifyStageOutput and the content
//     key) before using it; a bad entry is reported and skipped, never used;
//   - repairs without touching the server: entries are immutable, so a stage whose entry is bad is
//     recomputed and uploaded to the next free slot (`swy-<hash>`, `swy-<hash>-r1`, … -r7); every
//     reader walks the slots in order and takes the first that verifies;
//   - survives a down or failing server: one warning, the stage is computed locally and queued in
//     artifacts/.stage-cache/pending/, and uploaded by the first later run that reaches the server
//     (or `node tools/pipeline/stage-cache.mjs push`). After a failure the server is left alone for
//     the rest of that `nx` invocation (outside Nx: OFFLINE_MS), so the other stages of the run
//     neither wait nor warn again; the next invocation tries it again.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { packStageDir, unpackStageDir } from './stage-archive.js';
import { verifyStageOutput, type StageManifest } from './stage-output.js';

export const MAX_SLOTS = 8;
const OFFLINE_MS = 120_000;

export class CacheUnavailableError extends Error {}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

export interface StageCacheOptions {
  /** Base URL, e.g. http://cache.lab:3000 (the `/v1/cache/` path is added). */
  server: string;
  token?: string;
  /** Local state: pending uploads and the offline marker (artifacts/.stage-cache). */
  stateDir: string;
  /** Per request. Default 10 s (SWITCHYARD_CACHE_TIMEOUT_MS). */
  timeoutMs?: number;
  /** The invocation this process belongs to (the outermost `nx` pid), so a failure is noted once per run. */
  runId?: string;
  log: (line: string) => void;
}

export interface CacheRef { taskHash: string; key: string }

export function entryId(taskHash: string, slot: number): string {
  return slot === 0 ? `swy-${taskHash}` : `swy-${taskHash}-r${slot}`;
}

export class RemoteStageCache {
  private offline = false;
  private readonly freeSlot = new Map<string, number>();
  constructor(readonly o: StageCacheOptions) {}

  private url(id: string): string { return `${this.o.server.replace(/\/+$/, '')}/v1/cache/${encodeURIComponent(id)}`; }

  private async request(method: 'GET' | 'PUT', id: string, body?: Buffer): Promise<{ status: number; body?: Buffer }> {
    const headers: Record<string, string> = {};
    if (this.o.token) headers.authorization = `Bearer ${this.o.token}`;
    if (body) { headers['content-type'] = 'application/octet-stream'; headers['content-length'] = String(body.length); }
    let res: Response | undefined;
    // A kept-alive connection the server closed while the stage computed fails at once with
    // UND_ERR_SOCKET/ECONNRESET: try again on a fresh one (twice) before calling the server unavailable.
    for (let attempt = 0; !res; attempt++) {
      try {
        res = await fetch(this.url(id), { method, headers, body, signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000) });
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        const code = cause?.code ?? cause?.message ?? (e as Error).message;
        if (attempt >= 2 || !/^(UND_ERR_SOCKET|ECONNRESET|EPIPE|UND_ERR_CLOSED)$/.test(code)) throw new CacheUnavailableError(code);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    if (method === 'GET' && res.status === 200) return { status: 200, body: Buffer.from(await res.arrayBuffer()) };
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 500 || res.status === 401 || res.status === 403) throw new CacheUnavailableError(`${method} ${id}: HTTP ${res.status}`);
    return { status: res.status };
  }

  private get markerPath(): string { return join(this.o.stateDir, 'offline.json'); }
  private get pendingDir(): string { return join(this.o.stateDir, 'pending'); }

  /** Whether a recent failure (this process or another of the same run) says to leave the server alone. */
  isOffline(): boolean {
    if (this.offline) return true;
    try {
      const m = JSON.parse(readFileSync(this.markerPath, 'utf8')) as { server: string; run?: string };
      const sameRun = this.o.runId ? m.run === this.o.runId : Date.now() - statSync(this.markerPath).mtimeMs < OFFLINE_MS;
      if (m.server === this.o.server && sameRun) return (this.offline = true);
    } catch { /* no marker */ }
    return false;
  }

  /** Try the server again now, whatever a recent failure said (`stage-cache.mjs push`). */
  forgetOffline(): void { this.offline = false; rmSync(this.markerPath, { force: true }); }

  private noteOffline(e: Error): void {
    const quiet = this.isOffline();
    this.offline = true;
    mkdirSync(this.o.stateDir, { recursive: true });
    writeFileSync(this.markerPath, JSON.stringify({ server: this.o.server, run: this.o.runId, reason: e.message, at: new Date().toISOString() }) + '\n');
    if (!quiet) {
      this.o.log(`switchyard: warning: stage cache ${this.o.server} is unavailable (${e.message}); computing locally. `
        + `What is computed now is queued in ${this.pendingDir} and uploaded when the server answers again `
        + '(by any later run, or `node tools/pipeline/stage-cache.mjs push`).');
    }
  }

  private noteOnline(): void { if (existsSync(this.markerPath)) rmSync(this.markerPath, { force: true }); }

  /**
   * Walk the slots of `ref`: the first entry that unpacks and verifies as stage `ref.key` is moved
   * to `finalDir`, and its manifest returned. Bad entries are reported and skipped. Undefined on a
   * miss (the first free slot is remembered for `save`) or when the server is unavailable.
   */
  async restore(ref: CacheRef, finalDir: string): Promise<StageManifest | undefined> {
    if (this.isOffline()) return undefined;
    try {
      const hit = await this.find(ref, dirname(finalDir));
      this.noteOnline();
      if (!hit) return undefined;
      if (existsSync(finalDir)) rmSync(finalDir, { recursive: true, force: true });
      renameSync(hit.dir, finalDir);
      return hit.manifest;
    } catch (e) {
      if (!(e instanceof CacheUnavailableError)) throw e;
      this.noteOffline(e);
      return undefined;
    }
  }

  private async find(ref: CacheRef, scratchParent: string): Promise<{ id: string; dir: string; manifest: StageManifest } | undefined> {
    for (let slot = 0; slot < MAX_SLOTS; slot++) {
      const id = entryId(ref.taskHash, slot);
      const r = await this.request('GET', id);
      if (r.status === 404) { this.freeSlot.set(ref.taskHash, slot); return undefined; }
      if (r.status !== 200) throw new CacheUnavailableError(`GET ${id}: HTTP ${r.status}`);
      const dir = join(scratchParent, `.tmp-${ref.key}-${process.pid}-cache${slot}`);
      rmSync(dir, { recursive: true, force: true });
      try {
        unpackStageDir(r.body!, dir, `stage cache entry ${id}`);
        const manifest = verifyStageOutput(dir);
        if (manifest.key !== ref.key) throw new Error(`manifest is for stage ${manifest.key}, expected ${ref.key}`);
        return { id, dir, manifest };
      } catch (e) {
        rmSync(dir, { recursive: true, force: true });
        this.o.log(`switchyard: warning: stage cache entry ${id} of ${ref.key} does not verify (${(e as Error).message.replace(dir, '<entry>')}); ignoring it — this stage is recomputed and uploaded as ${entryId(ref.taskHash, slot + 1)}`);
      }
    }
    this.freeSlot.set(ref.taskHash, MAX_SLOTS);
    return undefined;
  }

  /** Upload the verified folder `dir` of `ref`; queue it when the server is unavailable. Never throws for network trouble. */
  async save(ref: CacheRef, dir: string): Promise<void> {
    if (this.isOffline()) { this.queue(ref); return; }
    try {
      await this.upload(ref, dir);
      this.noteOnline();
    } catch (e) {
      if (!(e instanceof CacheUnavailableError)) throw e;
      this.queue(ref);
      this.noteOffline(e);
    }
  }

  private async upload(ref: CacheRef, dir: string): Promise<void> {
    let slot = this.freeSlot.get(ref.taskHash);
    if (slot === undefined) {
      // Not looked up in this process (a queued upload): skip slots that already hold a good copy.
      const scratch = dirname(dir);
      const hit = await this.find(ref, scratch);
      if (hit) { rmSync(hit.dir, { recursive: true, force: true }); return; }
      slot = this.freeSlot.get(ref.taskHash)!;
    }
    if (slot >= MAX_SLOTS) { this.o.log(`switchyard: warning: every stage cache slot of ${ref.key} holds a bad entry; not uploading (clear them on the server)`); return; }
    verifyStageOutput(dir);
    const r = await this.request('PUT', entryId(ref.taskHash, slot), packStageDir(dir));
    // 409: another machine uploaded the same stage meanwhile. Anything else 2xx is success (202 included).
    if (r.status !== 409 && (r.status < 200 || r.status >= 300)) throw new CacheUnavailableError(`PUT ${entryId(ref.taskHash, slot)}: HTTP ${r.status}`);
  }

  private queue(ref: CacheRef): void {
    mkdirSync(this.pendingDir, { recursive: true });
    writeFileSync(join(this.pendingDir, `${ref.taskHash}.json`), JSON.stringify(ref) + '\n');
  }

  /** Stages computed while the server was unavailable and not uploaded yet. */
  pending(): CacheRef[] {
    if (!existsSync(this.pendingDir)) return [];
    return readdirSync(this.pendingDir).filter((n) => n.endsWith('.json')).map((n) => JSON.parse(readFileSync(join(this.pendingDir, n), 'utf8')) as CacheRef);
  }

  /**
   * Upload what earlier runs queued, if the server answers. `stagesDir` holds the outputs; an
   * output that is gone or no longer verifies is dropped from the queue. Returns the uploaded count.
   */
  async push(stagesDir: string): Promise<{ uploaded: number; dropped: number; left: number }> {
    const counts = { uploaded: 0, dropped: 0, left: 0 };
    if (!existsSync(this.pendingDir)) return counts;
    for (const found of readdirSync(this.pendingDir)) {
      // A claim of a process that died (kill -9 mid-upload) is pending again.
      const stale = /^(.+)\.claim-(\d+)$/.exec(found);
      if (!found.endsWith('.json') && !(stale && !alive(Number(stale[2])))) continue;
      const name = stale ? `${stale[1]}.json` : found;
      // Claim the entry (rename is atomic), so concurrent runs do not upload it twice.
      const claimed = join(this.pendingDir, `${basename(name, '.json')}.claim-${process.pid}`);
      try { renameSync(join(this.pendingDir, found), claimed); } catch { continue; }
      const ref = JSON.parse(readFileSync(claimed, 'utf8')) as CacheRef;
      const dir = join(stagesDir, ref.key);
      try { verifyStageOutput(dir); } catch { rmSync(claimed); counts.dropped++; continue; }
      if (this.isOffline()) { renameSync(claimed, join(this.pendingDir, name)); counts.left++; continue; }
      try {
        await this.upload(ref, dir);
        this.noteOnline();
        rmSync(claimed);
        counts.uploaded++;
      } catch (e) {
        renameSync(claimed, join(this.pendingDir, name));
        counts.left++;
        if (!(e instanceof CacheUnavailableError)) throw e;
        this.noteOffline(e);
      }
    }
    return counts;
  }
}

/** The cache configured by SWITCHYARD_CACHE_SERVER (+ SWITCHYARD_CACHE_TOKEN), or undefined. */
export function stageCacheFromEnv(artifactsDir: string, log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): RemoteStageCache | undefined {
  const server = env.SWITCHYARD_CACHE_SERVER;
  if (!server) return undefined;
  return new RemoteStageCache({
    server, token: env.SWITCHYARD_CACHE_TOKEN || undefined, stateDir: join(artifactsDir, '.stage-cache'),
    timeoutMs: env.SWITCHYARD_CACHE_TIMEOUT_MS ? Number(env.SWITCHYARD_CACHE_TIMEOUT_MS) : undefined, log,
    runId: env.NX_INVOCATION_ANCESTOR_PIDS?.split(',')[0] || undefined,
  });
}
