// Training logs. Three sinks, one record per logging interval:
//   - a human line (`step 120 | loss 2.913 | aux 0.011 | z 0.32 | drop 1.8% | lr 5e-5 | 412 ms`);
//   - metrics.jsonl: the deterministic numbers (loss parts, lr, grad norm, tokens, per-layer
//     routing). Same seed + backend → byte-identical file, so wall-clock values live apart in
//   - timing.jsonl: ms per step and tokens/s.
// At the end metrics.arrow (one row per record) and routing-metrics.arrow (one row per record
// and sparse layer) are rebuilt from metrics.jsonl, so a resumed run writes the same tables.
import { existsSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration, makeTable, writeArrowFile } from '@switchyard/runtime';

export interface LayerRecord {
  expert_load: number[];
  dropped_fraction: number;
  mean_active_experts: number;
  router_entropy: number;
  router_confidence: number;
}

export interface MetricsRecord {
  step: number;
  epoch: number;
  lr: number;
  loss: number;
  ce: number;
  /** aux name → Σ over layers, unweighted. */
  aux: Record<string, number>;
  /** `layer/name` → unweighted value. */
  loss_parts: Record<string, number>;
  grad_norm: number;
  tokens: number;
  layers: Record<string, LayerRecord>;
}

export interface TimingRecord { step: number; ms_per_step: number; tokens_per_s: number }

export const METRICS_FILE = 'metrics.jsonl';
export const TIMING_FILE = 'timing.jsonl';

/** Compact number for the human line: 3 significant digits, exponent for small values. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && Math.abs(x) < 1e-3) return x.toExponential(0).replace('e-', 'e-');
  return Number(x.toPrecision(4)).toString();
}

/**
 * One log line per logged step. With `progress` it reads `step 40/150 | … | ETA 26s`, so a stage's
 * output shows how far it is (the step line is the train stage's progress line).
 */
export function humanLine(r: MetricsRecord, t?: TimingRecord, progress?: { total: number; etaSeconds: number | null }): string {
  const parts = [progress ? `step ${r.step}/${progress.total}` : `step ${r.step}`, `loss ${r.loss.toFixed(3)}`];
  for (const name of Object.keys(r.aux).sort()) parts.push(`${name} ${fmt(r.aux[name]!)}`);
  const layers = Object.values(r.layers);
  if (layers.length) parts.push(`drop ${(100 * layers.reduce((a, l) => a + l.dropped_fraction, 0) / layers.length).toFixed(1)}%`);
  parts.push(`lr ${fmt(r.lr)}`);
  if (t) parts.push(`${Math.round(t.ms_per_step)} ms`, `${Math.round(t.tokens_per_s)} tok/s`);
  if (progress && r.step < progress.total) parts.push(`ETA ${progress.etaSeconds === null ? '?' : formatDuration(progress.etaSeconds)}`);
  return parts.join(' | ');
}

function readJsonl<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

function writeJsonl(path: string, rows: readonly unknown[]): void {
  writeFileSync(path, rows.map((r) => JSON.stringify(r) + '\n').join(''));
}

export class MetricsLog {
  constructor(private readonly runDir: string) {}

  private get metricsPath(): string { return join(this.runDir, METRICS_FILE); }
  private get timingPath(): string { return join(this.runDir, TIMING_FILE); }

  /** Start fresh (no resume). */
  reset(): void { writeFileSync(this.metricsPath, ''); writeFileSync(this.timingPath, ''); }

  /**
   * Keep only records with step ≤ `step` (resume from a checkpoint at `step`); records after it
   * move to `*.invalid.jsonl` when `keepInvalid` (after a failure, for diagnosis).
   */
  truncateAfter(step: number, keepInvalid = false): void {
    for (const path of [this.metricsPath, this.timingPath]) {
      const rows = readJsonl<{ step: number }>(path);
      writeJsonl(path, rows.filter((r) => r.step <= step));
      const later = rows.filter((r) => r.step > step);
      if (keepInvalid && later.length) writeJsonl(path.replace(/\.jsonl$/, '.invalid.jsonl'), later);
    }
  }

  append(r: MetricsRecord, t: TimingRecord): void {
    appendFileSync(this.metricsPath, JSON.stringify(r) + '\n');
    appendFileSync(this.timingPath, JSON.stringify(t) + '\n');
  }

  records(): MetricsRecord[] { return readJsonl<MetricsRecord>(this.metricsPath); }

  /** Write metrics.arrow and routing-metrics.arrow from metrics.jsonl. */
  writeArrow(): { metrics: string; routing: string } {
    const rows = this.records();
    const auxNames = [...new Set(rows.flatMap((r) => Object.keys(r.aux)))].sort();
    const cols: Parameters<typeof makeTable>[0] = {
      step: { kind: 'int32', values: rows.map((r) => r.step) },
      epoch: { kind: 'int32', values: rows.map((r) => r.epoch) },
      lr: { kind: 'float64', values: rows.map((r) => r.lr) },
      loss: { kind: 'float64', values: rows.map((r) => r.loss) },
      ce: { kind: 'float64', values: rows.map((r) => r.ce) },
      grad_norm: { kind: 'float64', values: rows.map((r) => r.grad_norm) },
      tokens: { kind: 'int32', values: rows.map((r) => r.tokens) },
    };
    for (const a of auxNames) cols[`aux_${a}`] = { kind: 'float64', values: rows.map((r) => r.aux[a] ?? null) };
    const metrics = join(this.runDir, 'metrics.arrow');
    writeArrowFile(metrics, makeTable(cols));
    const lr = rows.flatMap((r) => Object.entries(r.layers).map(([layer, l]) => ({ step: r.step, layer, ...l })));
    const routing = join(this.runDir, 'routing-metrics.arrow');
    writeArrowFile(routing, makeTable({
      step: { kind: 'int32', values: lr.map((r) => r.step) },
      layer: { kind: 'utf8', values: lr.map((r) => r.layer) },
      expert_load: { kind: 'list<float32>', values: lr.map((r) => r.expert_load) },
      dropped_fraction: { kind: 'float64', values: lr.map((r) => r.dropped_fraction) },
      mean_active_experts: { kind: 'float64', values: lr.map((r) => r.mean_active_experts) },
      router_entropy: { kind: 'float64', values: lr.map((r) => r.router_entropy) },
      router_confidence: { kind: 'float64', values: lr.map((r) => r.router_confidence) },
    }));
    return { metrics, routing };
  }
}

/** A one-line progress bar on stderr, only when stderr is a terminal. */
export class ProgressBar {
  private readonly enabled = Boolean(process.stderr.isTTY);
  constructor(private readonly total: number) {}
  update(step: number, note = ''): void {
    if (!this.enabled) return;
    const width = 30;
    const filled = Math.round((width * step) / Math.max(1, this.total));
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${step}/${this.total} ${note}`.padEnd(80));
  }
  /** Clear the bar before a log line so the two do not interleave. */
  clear(): void { if (this.enabled) process.stderr.write('\r' + ' '.repeat(80) + '\r'); }
}
