// Runs one pipeline stage under the stage contract: validate the config, verify every upstream
// output, activate the tensor backend if needed, run the stage into a temporary folder, then
// write the manifest and rename the folder into place. Used by the Nx targets
// (tools/pipeline/run-stage.mjs) and by `switchyard stage`.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, type BackendInfo } from './backend.js';
import { assertSchema, ConfigError } from './schema-check.js';
import { resolveSeed } from './seed-rule.js';
import { commitStageOutput, verifyStageOutput, sha256File, MANIFEST, type StageManifest } from './stage-output.js';
import type { StageDefinition } from './stage-types.js';

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

/** Remove temporary folders left by killed runs of this key. */
function cleanStaleTemps(stagesDir: string, key: string): void {
  if (!existsSync(stagesDir)) return;
  for (const name of readdirSync(stagesDir)) {
    if (name.startsWith(`.tmp-${key}-`) || name.startsWith(`.trash-${key}-`)) rmSync(join(stagesDir, name), { recursive: true, force: true });
  }
}

export async function runStage(spec: StageSpec, opts: { artifactsDir: string; backend?: string; log?: (line: string) => void }): Promise<StageManifest> {
  const started = process.hrtime.bigint();
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const where = `${spec.pipeline ? `${spec.pipeline}: ` : ''}stage ${spec.stage} (${spec.key})`;
  const def = await resolveStage(spec.package, spec.stage);
  const config = structuredClone(spec.config);
  assertSchema(def.configSchema, config, where, { basePath: '/config' });
  const seed = resolveSeed(config, spec.seed);

  const inputs: Record<string, string> = {};
  const inputRecords: StageManifest['inputs'] = {};
  for (const [name, key] of Object.entries(spec.inputs)) {
    const dir = stageDir(opts.artifactsDir, key);
    verifyStageOutput(dir);
    inputs[name] = dir;
    inputRecords[name] = { key, manifestSha256: sha256File(join(dir, MANIFEST)) };
  }

  let backend: BackendInfo | undefined;
  if (def.usesTensors) backend = await initBackend(opts.backend);

  const stagesDir = join(opts.artifactsDir, 'stages');
  mkdirSync(stagesDir, { recursive: true });
  cleanStaleTemps(stagesDir, spec.key);
  const tmpDir = join(stagesDir, `.tmp-${spec.key}-${process.pid}`);
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir);

  const extra: Record<string, unknown> = {};
  const prefix = `[${spec.stage}]`;
  try {
    await def.run({
      config, seed, inputs, outDir: tmpDir, backend,
      log: (m) => log(`${prefix} ${m}`),
      record: (k, v) => { extra[k] = v; },
    });
  } catch (e) {
    rmSync(tmpDir, { recursive: true, force: true });
    throw e;
  }
  // Test hook: a pause between the stage's writes and the commit, so a test can kill the
  // process at the worst moment and check that nothing half-written is accepted.
  const pause = Number(process.env.SWITCHYARD_TEST_PAUSE_BEFORE_COMMIT_MS ?? 0);
  if (pause > 0) await new Promise((r) => setTimeout(r, pause));

  const wallTimeSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const manifest = commitStageOutput(tmpDir, stageDir(opts.artifactsDir, spec.key), {
    stage: spec.stage, package: spec.package, packageVersion: packageVersion(spec.package), key: spec.key,
    config, seed,
    backend: backend ? { name: backend.name, tfjsBackend: backend.tfjsBackend, threads: backend.threads, tfjsVersion: backend.tfjsVersion, native: backend.native } : null,
    inputs: inputRecords, wallTimeSeconds, finishedAt: new Date().toISOString(), extra,
  });
  if (process.env.SWITCHYARD_RUN_LOG) appendFileSync(process.env.SWITCHYARD_RUN_LOG, `${spec.pipeline ?? ''}\t${spec.stage}\t${spec.key}\n`);
  log(`${prefix} done in ${wallTimeSeconds.toFixed(1)} s → ${stageDir(opts.artifactsDir, spec.key)}`);
  return manifest;
}
