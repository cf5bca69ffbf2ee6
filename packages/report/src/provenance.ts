// Where the numbers come from: which backend ran the tensor stages, which data source
// data-prep read (plainly flagged when it is the embedded synthetic corpus), which seeds.
import type { StageManifest } from '@switchyard/runtime';
import type { RunInputs } from './collect.js';

export interface DataSourceEntry { via: string; path: string; notice?: string }

export interface Provenance {
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
  }
  const dataSources = [...sources.values()];
  return {
    backends: [...backends].sort(),
    dataSources,
    synthetic: dataSources.some((s) => s.via === 'embedded'),
    dataSourceUnknown: unknown,
    dataPrepVia: [...via].sort(),
    seeds: [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b),
  };
}
