// Independent expectations for the report tests: every table number recomputed straight from
// the synthetic stage folders with apache-arrow, plain loops and the README's definitions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';
import type { SyntheticRun } from './synthetic-stages.js';

export const TYPES = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'] as const;

const arrow = (dir: string, file: string): Table => tableFromIPC(readFileSync(join(dir, file)));
const nums = (t: Table, col: string): number[] => Array.from(t.getChild(col)!.toArray() as ArrayLike<number>, Number);
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));

export type Numbers = Record<string, number | null>;

export function expectedRun(r: SyntheticRun): Numbers {
  const out: Numbers = {};
  const scores = arrow(r.dirs.eval!, 'scores.arrow');
  const base = arrow(r.dirs.baseline!, 'scores.arrow');
  const boot = JSON.parse(readFileSync(join(r.dirs.eval!, 'rouge.json'), 'utf8')).aggregate.bootstrap;
  for (const t of TYPES) {
    out[t] = 100 * avg(nums(scores, `${t}_fmeasure`));
    out[`${t}_boot_low`] = 100 * boot[t].low.fmeasure;
    out[`${t}_boot_high`] = 100 * boot[t].high.fmeasure;
    out[`base_${t}`] = 100 * avg(nums(base, `${t}_fmeasure`));
  }
  out.active_experts_per_token = avg(nums(arrow(r.dirs.model!, 'routing.arrow'), 'active_experts'));
  const flops = arrow(r.dirs.cost!, 'flops.arrow');
  const sources = flops.getChild('source')!.toArray() as string[];
  const i = [...sources].indexOf('routing-stats');
  out.flops_per_token = nums(flops, 'flops_forward_all_per_token')[i]!;
  out.flops_training_per_token = nums(flops, 'flops_training_all_per_token')[i]!;
  // timing.jsonl: record k covers the steps since record k−1, at ms_per_step each
  let tokens = 0, ms = 0, prev = 0;
  for (const line of readFileSync(join(r.dirs.model!, 'timing.jsonl'), 'utf8').trim().split('\n')) {
    const rec = JSON.parse(line);
    const span = rec.ms_per_step * (rec.step - prev);
    ms += span; tokens += (rec.tokens_per_s * span) / 1000; prev = rec.step;
  }
  out.train_tokens_per_s = tokens / (ms / 1000);
  out.train_wall_s = manifest(r.dirs.model!).wallTimeSeconds;
  out.eval_wall_s = manifest(r.dirs.eval!).wallTimeSeconds;
  const loss = nums(arrow(r.dirs.model!, 'metrics.arrow'), 'loss');
  out.final_loss = loss[loss.length - 1]!;
  out.heldout_loss = manifest(r.dirs.model!).extra.training.heldOutLoss.ce;
  return out;
}

/** Mean over seeds of every per-run number, plus the sample std of the four ROUGE means. */
export function expectedStrategy(runs: SyntheticRun[]): Numbers {
  const per = runs.map(expectedRun);
  const out: Numbers = { n_seeds: runs.length };
  for (const k of Object.keys(per[0]!)) {
    const key = TYPES.includes(k as never) ? `${k}_mean` : k;
    out[key] = avg(per.map((p) => p[k]!));
  }
  for (const t of TYPES) {
    const xs = per.map((p) => p[t]!);
    const m = avg(xs);
    out[`${t}_std`] = xs.length < 2 ? null : Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
  }
  return out;
}

/** Rows of the Markdown table under `heading` (cells trimmed, header row dropped). */
export function markdownTable(md: string, heading: string): string[][] {
  const lines = md.split('\n');
  const at = lines.findIndex((l) => /^#+ /.test(l) && l.replace(/^#+ /, '') === heading);
  if (at < 0) throw new Error(`no heading "${heading}"`);
  let i = at + 1;
  while (i < lines.length && !lines[i]!.startsWith('|')) i++;
  const rows: string[][] = [];
  for (; i < lines.length && lines[i]!.startsWith('|'); i++) rows.push(lines[i]!.slice(1, -1).split('|').map((c) => c.trim()));
  return rows.slice(2);
}

/** The numbers printed in a cell ("17.00 ± 0.52", "[14.41, 19.53]", "1.234e+6", "–"). */
export function cellNumbers(cell: string): string[] {
  return cell.match(/-?\d+(\.\d+)?(e[+-]\d+)?/g) ?? [];
}

/** Printed value equals the exact one to the digits printed. */
export function printedMatches(printed: string, exact: number): boolean {
  const dec = /e/.test(printed) ? null : (printed.split('.')[1] ?? '').length;
  if (dec === null) {
    const [mant] = printed.split('e');
    const digits = (mant!.split('.')[1] ?? '').length;
    return Math.abs(Number(printed) - exact) <= 0.5 * 10 ** (Math.floor(Math.log10(Math.abs(exact))) - digits) * 1.000001;
  }
  return Math.abs(Number(printed) - exact) <= 0.5 * 10 ** -dec + 1e-9;
}

/** layer → expert shares: Σ expert_load over logged steps, normalised, then averaged over runs. */
export function expectedExpertLoad(runs: SyntheticRun[]): Record<string, number[]> {
  const perRun = runs.map((r) => {
    const t = arrow(r.dirs.model!, 'routing-metrics.arrow');
    const layers = t.getChild('layer')!.toArray() as string[];
    const sums: Record<string, number[]> = {};
    for (let i = 0; i < t.numRows; i++) {
      const load = Array.from(t.getChild('expert_load')!.get(i)!.toArray() as ArrayLike<number>);
      const acc = (sums[layers[i]!] ??= load.map(() => 0));
      load.forEach((x, e) => { acc[e]! += x; });
    }
    for (const l of Object.keys(sums)) { const tot = sums[l]!.reduce((a, b) => a + b, 0); sums[l] = sums[l]!.map((x) => x / tot); }
    return sums;
  });
  const out: Record<string, number[]> = {};
  for (const l of Object.keys(perRun[0]!)) out[l] = perRun[0]![l]!.map((_, e) => avg(perRun.map((p) => p[l]![e]!)));
  return out;
}
