// Where the numbers come from: which backend ran the tensor stages, which data source
// data-prep read (plainly flagged when it is the embedded synthetic corpus), which seeds.
import type { StageManifest } from '@switchyard/runtime';
import type { RunInputs } from './collect.js';

export interface DataSourceEntry { via: string; path: string; notice?: string }

/** Where one prepared split came from (data-prep's manifest extra.stats.splits). */
export interface SplitSource { split: string; via: string; path: string; rows: number | null }

export interface Provenance {
  /** Per prepared split, its distinct sources over every data-prep folder found (empty when the manifests do not say). */
  splitSources: SplitSource[];
  /** Distinct backends of the base, model, eval and baseline inputs, e.g. "wasm (tfjs wasm, 1 thread, tfjs 4.22.0)". */
  backends: string[];
  /** Distinct data sources over every data-prep folder found. */
  dataSources: DataSourceEntry[];
  /** True when any data-prep used the embedded synthetic corpus. */
  synthetic: boolean;
  /** Runs with no data-prep folder reachable. */
  dataSourceUnknown: number;
  dataPrepVia: string[];
  seeds: number[];
}

export function describeBackend(b: StageManifest['backend']): string {
  if (!b) return 'none (no tensors)';
  return `${b.name} (tfjs ${b.tfjsBackend}, ${b.threads} thread${b.threads === 1 ? '' : 's'}, tfjs ${b.tfjsVersion})`;
}

export function provenance(runs: RunInputs[]): Provenance {
  const backends = new Set<string>();
  const sources = new Map<string, DataSourceEntry>();
  const via = new Set<string>();
  const splits = new Map<string, SplitSource>();
  let unknown = 0;
  for (const r of runs) {
    for (const role of ['base', 'model', 'eval', 'baseline'] as const) {
      const m = r.stages[role]?.manifest;
      if (m) backends.add(describeBackend(m.backend));
    }
    const dp = r.stages.data;
    if (!dp) { unknown++; continue; }
    if (r.dataPrepVia) via.add(r.dataPrepVia);
    const list = (dp.manifest.extra?.source ?? []) as DataSourceEntry[];
    for (const s of Array.isArray(list) ? list : []) sources.set(`${s.via}\u0000${s.path}`, s);
    const stats = (dp.manifest.extra?.stats as { splits?: Record<string, { rows?: number; source?: { via?: string; path?: string } }> } | undefined)?.splits;
    for (const [split, v] of Object.entries(stats ?? {})) {
      if (!v?.source?.via) continue;
      const e = { split, via: v.source.via, path: v.source.path ?? '', rows: typeof v.rows === 'number' ? v.rows : null };
      splits.set(`${split}\u0000${e.via}\u0000${e.path}`, e);
    }
  }
  const dataSources = [...sources.values()];
  const order = ['train', 'validation', 'test'];
  const rank = (x: string) => (order.includes(x) ? order.indexOf(x) : order.length);
  return {
    splitSources: [...splits.values()].sort((a, b) => rank(a.split) - rank(b.split) || (a.split < b.split ? -1 : 1)),
    backends: [...backends].sort(),
    dataSources,
    synthetic: dataSources.some((s) => s.via === 'embedded'),
    dataSourceUnknown: unknown,
    dataPrepVia: [...via].sort(),
    seeds: [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b),
  };
}
