// A handful of eval examples shown side by side: the input, the reference and every strategy's
// output (its lowest seed) and the untuned base model's. Read from the eval folders'
// predictions.arrow (`id`, `prediction`, `reference`) and the input from data-prep's prepared
// split (`id` plus the first of `dialogue`/`text`/`input` it has). Eval outputs without
// predictions.arrow, or whose predictions.arrow holds class ids rather than text (`id`, `prediction`,
// `reference` utf8), give no examples.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readArrowFile, columnValues, type Table } from '@switchyard/runtime';
import type { RunInputs, StageFolder } from './collect.js';

export interface ExampleOutputs {
  id: string;
  /** The input (e.g. the dialogue), when data-prep's split file has it. */
  input: string | null;
  reference: string;
  /** Output of the untuned base model (null without a baseline input). */
  base: string | null;
  /** strategy → its output (lowest seed). */
  outputs: Record<string, string>;
}

interface Predictions { ids: string[]; prediction: Map<string, string>; reference: Map<string, string> }

function predictionsOf(folder: StageFolder | undefined): Predictions | null {
  if (!folder) return null;
  const file = join(folder.dir, 'predictions.arrow');
  if (!existsSync(file)) return null;
  // Only generated text makes examples: a classifier's predictions.arrow (index, label, prediction ids) has none.
  const t = readArrowFile(file);
  const textual = (n: string) => t.schema.fields.some((f) => f.name === n && String(f.type) === 'Utf8');
  if (!textual('id') || !textual('prediction') || !textual('reference')) return null;
  const ids = columnValues<string>(t, 'id');
  const p = columnValues<string>(t, 'prediction'), r = columnValues<string>(t, 'reference');
  return { ids, prediction: new Map(ids.map((id, i) => [id, p[i]!])), reference: new Map(ids.map((id, i) => [id, r[i]!])) };
}

function inputsOf(data: StageFolder | undefined, split: string): Map<string, string> {
  if (!data) return new Map();
  const file = join(data.dir, `${split}.arrow`);
  if (!existsSync(file)) return new Map();
  const t: Table = readArrowFile(file, { id: 'utf8' });
  const col = ['dialogue', 'text', 'input'].find((c) => t.schema.fields.some((f) => f.name === c));
  if (!col) return new Map();
  const ids = columnValues<string>(t, 'id'), xs = columnValues<string>(t, col);
  return new Map(ids.map((id, i) => [id, xs[i]!]));
}

/**
 * `count` examples spread evenly over the eval split (index ⌊(j + ½)·n / count⌋ of the lowest-seed
 * run of the first strategy), with each strategy's output for the same id.
 */
export function pickExamples(runs: RunInputs[], strategies: string[], split: string, count: number): ExampleOutputs[] {
  if (count === 0 || runs.length === 0) return [];
  const lowest = new Map<string, RunInputs>();
  for (const r of runs) if (!lowest.has(r.strategy) || lowest.get(r.strategy)!.seed > r.seed) lowest.set(r.strategy, r);
  const preds = new Map(strategies.map((s) => [s, predictionsOf(lowest.get(s)?.stages.eval)]));
  const first = preds.get(strategies[0]!);
  if (!first || first.ids.length === 0) return [];
  const anyRun = lowest.get(strategies[0]!)!;
  const base = predictionsOf(anyRun.stages.baseline);
  const inputs = inputsOf(anyRun.stages.data, split);
  const n = first.ids.length;
  const picked = [...new Set(Array.from({ length: Math.min(count, n) }, (_, j) => Math.floor(((j + 0.5) * n) / Math.min(count, n))))];
  return picked.map((i) => {
    const id = first.ids[i]!;
    const outputs: Record<string, string> = {};
    for (const s of strategies) { const p = preds.get(s)?.prediction.get(id); if (p !== undefined) outputs[s] = p; }
    return { id, input: inputs.get(id) ?? null, reference: first.reference.get(id)!, base: base?.prediction.get(id) ?? null, outputs };
  });
}
