// Runs one pipeline stage under the stage contract: validate the config, verify every upstream
// output, activate the tensor backend if needed, run the stage into its work folder
// (stage-work-dir.ts: kept after a kill so resumable stages continue from their checkpoints),
// then write the manifest and rename the output into place. With a remote stage cache
// (stage-cache.ts) a verified entry is restored instead of computing, and what is computed is
// uploaded. Used by the Nx targets (tools/pipeline/run-stage.mjs) and by `switchyard stage`.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { removeStaleTemps } from './atomic-folder.js';
import { join } from 'node:path';
import { assertSchema, ConfigError } from './schema-check.js';
import { resolveSeed } from './seed-rule.js';
import { commitStageOutput, verifyStageOutput, sha256File, MANIFEST, type StageManifest } from './stage-output.js';
import { openWorkDir, removeWorkDir } from './stage-work-dir.js';
import type { RemoteStageCache } from './stage-cache.js';
import type { StageDefinition } from './stage-types.js';
import { tensorBackendInit, type BackendInfo } from './tensor-backend.js';

export interface StageSpec {
  /** Content key (also the output folder name). */
  key: string;
  package: string;
  stage: string;
  config: Record<string, unknown>;
  seed: number;
  /** Upstream stage name → its content key. */
  inputs: Record<string, string>;
  /** Pipeline the spec came from (for messages only; never part of the key). */
  pipeline?: string;
}

export function isStageDefinition(x: unknown): x is StageDefinition {
  return !!x && typeof x === 'object' && typeof (x as StageDefinition).name === 'string'
    && typeof (x as StageDefinition).run === 'function' && typeof (x as StageDefinition).configSchema === 'object';
}

/** The stage definitions a package exports (any export that is a StageDefinition). */
export async function loadStageDefinitions(pkg: string): Promise<Map<string, StageDefinition>> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pkg)) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`cannot load package ${pkg} (${(e as Error).message}); run \`npm run build\` first`);
  }
  const defs = new Map<string, StageDefinition>();
  for (const v of Object.values(mod)) if (isStageDefinition(v)) defs.set(v.name, v);
  return defs;
}

export async function resolveStage(pkg: string, stage: string): Promise<StageDefinition> {
  const defs = await loadStageDefinitions(pkg);
  const def = defs.get(stage);
  if (!def) throw new ConfigError(`package ${pkg} has no stage "${stage}"; it has: ${[...defs.keys()].join(', ') || '(none)'}`);
  return def;
}

export function stageDir(artifactsDir: string, key: string): string {
  return join(artifactsDir, 'stages', key);
}

function packageVersion(pkg: string): string {
  try {
    const url = import.meta.resolve(`${pkg}/package.json`);
    return (JSON.parse(readFileSync(new URL(url), 'utf8')) as { version: string }).version;
  } catch {
    try {
      // Packages without a package.json export: find it next to the resolved entry.
      const entry = new URL(import.meta.resolve(pkg));
      return (JSON.parse(readFileSync(new URL('../package.json', entry), 'utf8')) as { version: string }).version;
    } catch { return 'unknown'; }
  }
}

export interface RunStageOptions {
  artifactsDir: string;
  backend?: string;
  log?: (line: string) => void;
  /** Nx's hash of this task (NX_TASK_HASH): identity of a resumable work folder and the remote cache key. */
  taskHash?: string;
  /** Remote stage cache; used only with a taskHash. */
  cache?: RemoteStageCache;
  /** Recompute the upstream output `key` (removed because it did not verify); without it a bad input is an error. */
  repairInput?: (key: string) => Promise<void>;
}

export async function runStage(spec: StageSpec, opts: RunStageOptions): Promise<StageManifest> {
  const started = process.hrtime.bigint();
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const where = `${spec.pipeline ? `${spec.pipeline}: ` : ''}stage ${spec.stage} (${spec.key})`;
  const prefix = `[${spec.stage}]`;
  const stagesDir = join(opts.artifactsDir, 'stages');
  const finalDir = stageDir(opts.artifactsDir, spec.key);
  mkdirSync(stagesDir, { recursive: true });
  removeStaleTemps(stagesDir, spec.key); // temporary folders of killed runs (not the work folder: that may resume)
  const cache = opts.taskHash ? opts.cache : undefined;
  const ref = { taskHash: opts.taskHash ?? '', key: spec.key };
  if (cache) {
    await cache.push(stagesDir);
    const restored = await cache.restore(ref, finalDir);
    if (restored) { log(`${prefix} ${where}: restored from the stage cache → ${finalDir}`); return restored; }
  }

  const def = await resolveStage(spec.package, spec.stage);
  const config = structuredClone(spec.config);
  assertSchema(def.configSchema, config, where, { basePath: '/config' });
  const seed = resolveSeed(config, spec.seed);

  const inputs: Record<string, string> = {};
  const inputRecords: StageManifest['inputs'] = {};
  for (const [name, key] of Object.entries(spec.inputs)) {
    const dir = stageDir(opts.artifactsDir, key);
    try {
      verifyStageOutput(dir);
    } catch (e) {
      if (!opts.repairInput || !existsSync(dir)) throw e;
      // A present but bad upstream (e.g. a corrupted copy restored from a cache) is recomputed, never read.
      log(`${prefix} warning: input "${name}" does not verify (${(e as Error).message}); recomputing it`);
      rmSync(dir, { recursive: true, force: true });
      await opts.repairInput(key);
      verifyStageOutput(dir);
    }
    inputs[name] = dir;
    inputRecords[name] = { key, manifestSha256: sha256File(join(dir, MANIFEST)) };
  }

  let backend: BackendInfo | undefined;
  if (def.usesTensors) {
    const init = tensorBackendInit();
    if (!init) throw new ConfigError(`${where} declares usesTensors, but ${spec.package} did not load the tensor engine; add @switchyard/tensor-engine to its dependencies and import it`);
    backend = await init(opts.backend);
  }

  const work = await openWorkDir(stagesDir, { key: spec.key, taskHash: opts.taskHash ?? null }, def.resumable === true, (m) => log(`${prefix} ${m}`));
  if (work.resumed) log(`${prefix} continuing the interrupted run in ${work.root}`);
  const tmpDir = work.out;

  const extra: Record<string, unknown> = {};
  try {
    await def.run({
      config, seed, inputs, outDir: tmpDir, backend, resume: work.resumed,
      log: (m) => log(`${prefix} ${m}`),
      record: (k, v) => { extra[k] = v; },
    });
  } catch (e) {
    // A resumable stage keeps its checkpoints for the next run; anything else starts over.
    if (def.resumable) log(`${prefix} failed; its work folder ${work.root} is kept for the next run to resume from`);
    else removeWorkDir(work);
    throw e;
  }
  // Test hook: a pause between the stage's writes and the commit, so a test can kill the
  // process at the worst moment and check that nothing half-written is accepted.
  const pause = Number(process.env.SWITCHYARD_TEST_PAUSE_BEFORE_COMMIT_MS ?? 0);
  if (pause > 0) await new Promise((r) => setTimeout(r, pause));

  const wallTimeSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const manifest = commitStageOutput(tmpDir, finalDir, {
    stage: spec.stage, package: spec.package, packageVersion: packageVersion(spec.package), key: spec.key,
    config, seed,
    backend: backend ? { name: backend.name, tfjsBackend: backend.tfjsBackend, threads: backend.threads, tfjsVersion: backend.tfjsVersion, native: backend.native } : null,
    inputs: inputRecords, wallTimeSeconds, finishedAt: new Date().toISOString(), extra,
  });
  removeWorkDir(work);
  if (cache) await cache.save(ref, finalDir);
  if (process.env.SWITCHYARD_RUN_LOG) appendFileSync(process.env.SWITCHYARD_RUN_LOG, `${spec.pipeline ?? ''}\t${spec.stage}\t${spec.key}\n`);
  log(`${prefix} done in ${wallTimeSeconds.toFixed(1)} s → ${stageDir(opts.artifactsDir, spec.key)}`);
  return manifest;
}
