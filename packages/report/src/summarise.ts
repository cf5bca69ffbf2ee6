// One row per strategy from its runs: means over seeds, sample std of ROUGE over seeds, and the
// bootstrap interval as the mean over seeds of each seed's own interval bounds.
import { mean, sampleStd } from './stats.js';
import { ROUGE_TYPES, type RougeKey, type RunNumbers } from './run-metrics.js';

export interface StrategySummary {
  strategy: string;
  routerType: string;
  router: unknown;
  seeds: number[];
  rougeMean: Record<RougeKey, number | null>;
  rougeStd: Record<RougeKey, number | null>;
  rougeLow: Record<RougeKey, number | null>;
  rougeHigh: Record<RougeKey, number | null>;
  baseRouge: Record<RougeKey, number | null>;
  activeExpertsMean: number | null;
  flopsPerToken: number | null;
  flopsTrainingPerToken: number | null;
  trainTokensPerS: number | null;
  trainWallS: number | null;
  evalWallS: number | null;
  finalLoss: number | null;
  /** layer → mean over seeds of the load fractions. */
  expertLoad: Record<string, number[]>;
  /** Tokens by active-expert count, summed over seeds. */
  activeHistogram: number[];
  runs: RunNumbers[];
}

const perType = (f: (t: RougeKey) => number | null) => Object.fromEntries(ROUGE_TYPES.map((t) => [t, f(t)])) as Record<RougeKey, number | null>;

export function summarise(runs: RunNumbers[]): StrategySummary[] {
  const groups = new Map<string, RunNumbers[]>();
  for (const r of runs) groups.set(r.strategy, [...(groups.get(r.strategy) ?? []), r]);
  return [...groups.entries()].map(([strategy, rs]) => {
    const layers = [...new Set(rs.flatMap((r) => Object.keys(r.expertLoad)))];
    const expertLoad: Record<string, number[]> = {};
    for (const layer of layers) {
      const have = rs.map((r) => r.expertLoad[layer]).filter((x): x is number[] => Boolean(x));
      const E = Math.max(...have.map((x) => x.length));
      expertLoad[layer] = Array.from({ length: E }, (_, e) => mean(have.map((x) => x[e] ?? 0)) ?? 0);
    }
    const activeHistogram: number[] = [];
    for (const r of rs) r.activeHistogram.forEach((c, a) => { activeHistogram[a] = (activeHistogram[a] ?? 0) + c; });
    for (let a = 0; a < activeHistogram.length; a++) activeHistogram[a] ??= 0;
    return {
      strategy,
      routerType: rs[0]!.routerType,
      router: rs[0]!.router,
      seeds: rs.map((r) => r.seed),
      rougeMean: perType((t) => mean(rs.map((r) => r.rouge.mean[t]))),
      rougeStd: perType((t) => sampleStd(rs.map((r) => r.rouge.mean[t]))),
      rougeLow: perType((t) => mean(rs.map((r) => r.rouge.low[t]))),
      rougeHigh: perType((t) => mean(rs.map((r) => r.rouge.high[t]))),
      baseRouge: perType((t) => mean(rs.map((r) => r.base?.mean[t] ?? null))),
      activeExpertsMean: mean(rs.map((r) => r.activeExpertsMean)),
      flopsPerToken: mean(rs.map((r) => r.flopsPerToken)),
      flopsTrainingPerToken: mean(rs.map((r) => r.flopsTrainingPerToken)),
      trainTokensPerS: mean(rs.map((r) => r.trainTokensPerS)),
      trainWallS: mean(rs.map((r) => r.trainWallS)),
      evalWallS: mean(rs.map((r) => r.evalWallS)),
      finalLoss: mean(rs.map((r) => r.finalLoss)),
      expertLoad,
      activeHistogram,
      runs: rs,
    };
  });
}
