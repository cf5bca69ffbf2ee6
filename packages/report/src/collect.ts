// Turn the stage's `inputs` into runs (one per strategy × seed). Inputs are named by the roles
// the report declares in its package.json (`model`, `eval`, optional `baseline`, `cost`, `data`,
// `base`); the pipeline maps them to its stages. Two layouts:
//   (a) one pipeline: the roles themselves; the strategy is the model's router (src/strategy-label.ts),
//       the seed its seed;
//   (b) a sweep: `<pipeline>/seed-<seed>/<role>`; the strategy is the pipeline name.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MANIFEST, type StageManifest } from '@switchyard/runtime';
import { strategyLabel } from './strategy-label.js';

/** The report's input roles (as its package.json declares them). */
export const REPORT_ROLES = ['data', 'base', 'baseline', 'model', 'eval', 'cost'] as const;
export type ReportRole = (typeof REPORT_ROLES)[number];

export interface StageFolder { dir: string; manifest: StageManifest }

export interface RunInputs {
  strategy: string;
  seed: number;
  /** How the data folder was found: an input, or next to the model's folder by its recorded key. */
  dataPrepVia?: 'input' | 'sibling';
  stages: Partial<Record<ReportRole, StageFolder>>;
}

export class ReportInputError extends Error {}

export function readManifest(dir: string): StageManifest {
  const p = join(dir, MANIFEST);
  if (!existsSync(p)) throw new ReportInputError(`${dir}: no ${MANIFEST} (has the upstream stage finished?)`);
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as StageManifest;
  } catch (e) {
    throw new ReportInputError(`${p}: not valid JSON (${(e as Error).message})`);
  }
}

const SWEEP_NAME = /^(.+)\/seed-(-?\d+)\/([^/]+)$/;

function routerType(m: StageManifest): string {
  return strategyLabel((m.config as { router?: Record<string, unknown> } | null)?.router);
}

function role(input: string, name: string): ReportRole {
  if ((REPORT_ROLES as readonly string[]).includes(name)) return name as ReportRole;
  throw new ReportInputError(`input "${input}": the report has no input role "${name}"; its roles: ${REPORT_ROLES.join(', ')}`);
}

/**
 * Group inputs into runs, sorted by strategy then seed. Every run must have `model` and `eval`;
 * the rest is optional and the report says what is missing.
 */
export function collectRuns(inputs: Record<string, string>): RunInputs[] {
  const names = Object.keys(inputs);
  const sweep = names.some((n) => n.includes('/'));
  const runs = new Map<string, RunInputs>();
  if (sweep) {
    for (const name of names) {
      const m = SWEEP_NAME.exec(name);
      if (!m) throw new ReportInputError(`input "${name}": expected <pipeline>/seed-<seed>/<role> in a sweep`);
      const [, strategy, seedText, r] = m as unknown as [string, string, string, string];
      const id = `${strategy}\u0000${seedText}`;
      const run = runs.get(id) ?? { strategy, seed: Number(seedText), stages: {} };
      run.stages[role(name, r)] = { dir: inputs[name]!, manifest: readManifest(inputs[name]!) };
      runs.set(id, run);
    }
  } else {
    if (!inputs.model) throw new ReportInputError(`report needs a "model" input (got ${names.join(', ') || 'none'})`);
    const roles = names.map((name) => role(name, name));
    const stages: RunInputs['stages'] = {};
    roles.forEach((r, i) => { stages[r] = { dir: inputs[names[i]!]!, manifest: readManifest(inputs[names[i]!]!) }; });
    runs.set('single', { strategy: routerType(stages.model!.manifest), seed: stages.model!.manifest.seed, stages });
  }
  const out = [...runs.values()].sort((a, b) => (a.strategy < b.strategy ? -1 : a.strategy > b.strategy ? 1 : a.seed - b.seed));
  for (const r of out) {
    for (const need of ['model', 'eval'] as const) {
      if (!r.stages[need]) throw new ReportInputError(`${r.strategy} seed ${r.seed}: no "${need}" input`);
    }
    if (r.stages.data) r.dataPrepVia = 'input';
    else {
      // Without a data input: the stage folders share one parent, named by key, and the model's
      // manifest records the key of its own data input.
      const key = r.stages.model!.manifest.inputs?.data?.key;
      const dir = key ? join(dirname(r.stages.model!.dir), key) : undefined;
      if (dir && basename(dir) === key && existsSync(join(dir, MANIFEST))) {
        r.stages.data = { dir, manifest: readManifest(dir) };
        r.dataPrepVia = 'sibling';
      }
    }
  }
  return out;
}
