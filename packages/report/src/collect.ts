// Turn the stage's `inputs` into runs (one per strategy × seed). Two layouts:
//   (a) one pipeline: `train`, `eval-rouge`, optional `eval-base`, `flops-profiler`, `data-prep`,
//       `base-model`; the strategy is the train stage's router (src/strategy-label.ts), the seed its seed;
//   (b) a sweep: `<pipeline>/seed-<seed>/<stage>`; the strategy is the pipeline name.
// Names of other stages (e.g. a per-pipeline `report`) are ignored.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MANIFEST, type StageManifest } from '@switchyard/runtime';
import { strategyLabel } from './strategy-label.js';

export const RUN_STAGES = ['data-prep', 'base-model', 'eval-base', 'train', 'eval-rouge', 'flops-profiler'] as const;
export type RunStage = (typeof RUN_STAGES)[number];

export interface StageFolder { dir: string; manifest: StageManifest }

export interface RunInputs {
  strategy: string;
  seed: number;
  /** How the data-prep folder was found: an input, or next to train's folder by its recorded key. */
  dataPrepVia?: 'input' | 'sibling';
  stages: Partial<Record<RunStage, StageFolder>>;
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

/**
 * Group inputs into runs, sorted by strategy then seed. Every run must have `train` and
 * `eval-rouge`; the rest is optional and the report says what is missing.
 */
export function collectRuns(inputs: Record<string, string>): RunInputs[] {
  const names = Object.keys(inputs);
  const sweep = names.some((n) => n.includes('/'));
  const runs = new Map<string, RunInputs>();
  if (sweep) {
    for (const name of names) {
      const m = SWEEP_NAME.exec(name);
      if (!m) throw new ReportInputError(`input "${name}": expected <pipeline>/seed-<seed>/<stage> in a sweep`);
      const [, strategy, seedText, stage] = m as unknown as [string, string, string, string];
      if (!(RUN_STAGES as readonly string[]).includes(stage)) continue;
      const id = `${strategy}\u0000${seedText}`;
      const run = runs.get(id) ?? { strategy, seed: Number(seedText), stages: {} };
      run.stages[stage as RunStage] = { dir: inputs[name]!, manifest: readManifest(inputs[name]!) };
      runs.set(id, run);
    }
  } else {
    if (!inputs.train) throw new ReportInputError(`report needs a "train" input (got ${names.join(', ') || 'none'})`);
    const stages: RunInputs['stages'] = {};
    for (const stage of RUN_STAGES) {
      if (inputs[stage]) stages[stage] = { dir: inputs[stage], manifest: readManifest(inputs[stage]) };
    }
    runs.set('single', { strategy: routerType(stages.train!.manifest), seed: stages.train!.manifest.seed, stages });
  }
  const out = [...runs.values()].sort((a, b) => (a.strategy < b.strategy ? -1 : a.strategy > b.strategy ? 1 : a.seed - b.seed));
  for (const r of out) {
    for (const need of ['train', 'eval-rouge'] as const) {
      if (!r.stages[need]) throw new ReportInputError(`${r.strategy} seed ${r.seed}: no "${need}" input`);
    }
    if (r.stages['data-prep']) r.dataPrepVia = 'input';
    else {
      // Layout (a) has no data-prep input: the stage folders share one parent, named by key.
      const key = r.stages.train!.manifest.inputs?.['data-prep']?.key;
      const dir = key ? join(dirname(r.stages.train!.dir), key) : undefined;
      if (dir && basename(dir) === key && existsSync(join(dir, MANIFEST))) {
        r.stages['data-prep'] = { dir, manifest: readManifest(dir) };
        r.dataPrepVia = 'sibling';
      }
    }
  }
  return out;
}
