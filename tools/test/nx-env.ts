// Helpers for tests that drive Nx and the CLI as a user would, from the repository root.
import { execa, type Result } from 'execa';
import { mkdtempSync, readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(new URL('../..', import.meta.url).pathname);

/** Env for child processes (pass with `extendEnv: false`, else execa merges process.env back in): Nx offline and in-process, cache on, no inherited skip flags. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', ...extra };
  delete env.NX_SKIP_NX_CACHE;
  delete env.NODE_OPTIONS; // Jest's --experimental-vm-modules is not for the children
  return env;
}

/** Keys of every version of a test pipeline that was run (removeTestPipelines deletes their outputs). */
const testKeys = new Map<string, Set<string>>();

function pipelineKeys(file: string): string[] {
  const require = createRequire(import.meta.url);
  const { loadPipeline } = require('../pipeline/pipeline-model.cjs') as { loadPipeline: (f: string, root: string) => { stages: { key: string }[] } };
  try { return loadPipeline(file, repoRoot).stages.map((s) => s.key); } catch { return []; }
}

export async function nx(args: string[], extraEnv: Record<string, string> = {}): Promise<Result> {
  const m = args[0] === 'run' ? /^pipeline:(zz-test-[\w-]+)$/.exec(args[1] ?? '') : null;
  if (m) {
    const set = testKeys.get(m[1]!) ?? new Set<string>();
    for (const k of pipelineKeys(join(repoRoot, 'pipelines', `${m[1]}.json`))) set.add(k);
    testKeys.set(m[1]!, set);
  }
  return execa('npx', ['nx', ...args, '--output-style=static'], { cwd: repoRoot, env: childEnv(extraEnv), extendEnv: false, reject: false, all: true });
}

/** A run log the stage runner appends `pipeline\tstage\tkey` to each time a stage really runs. */
export class RunLog {
  readonly dir = mkdtempSync(join(tmpdir(), 'switchyard-runlog-'));
  readonly path = join(this.dir, 'runs.tsv');
  /** Stage names run since the last call. */
  take(): string[] {
    if (!existsSync(this.path)) return [];
    const lines = readFileSync(this.path, 'utf8').split('\n').filter(Boolean);
    rmSync(this.path);
    return lines.map((l) => l.split('\t')[1]!).sort();
  }
  env(): Record<string, string> { return { SWITCHYARD_RUN_LOG: this.path }; }
}

/**
 * Remove what test pipelines left in the user's folders: their pipeline files, their
 * artifacts/<name> link folders and the content-keyed stage outputs of every version that ran,
 * except stages an ordinary pipeline shares.
 */
export function removeTestPipelines(names: string[]): void {
  const dir = join(repoRoot, 'pipelines');
  const testFiles = names.map((n) => join(dir, `${n}.json`));
  const keep = new Set(readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'project.json').map((f) => join(dir, f)).filter((f) => !testFiles.includes(f)).flatMap(pipelineKeys));
  for (const n of names) {
    for (const k of [...(testKeys.get(n) ?? []), ...pipelineKeys(join(dir, `${n}.json`))]) if (!keep.has(k)) rmSync(join(repoRoot, 'artifacts', 'stages', k), { recursive: true, force: true });
    rmSync(join(dir, `${n}.json`), { force: true });
    rmSync(join(repoRoot, 'artifacts', n), { recursive: true, force: true });
  }
}
