// Helpers for tests that drive Nx and the CLI as a user would, from the repository root.
import { execa, type Result } from 'execa';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
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

export async function nx(args: string[], extraEnv: Record<string, string> = {}): Promise<Result> {
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
