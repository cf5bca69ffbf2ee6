// The two plots of the flops-profiler stage, as Vega-Lite specs.
import type { TopLevelSpec } from 'vega-lite';

export interface CurvePoint { router: string; k: number; flops: number }
export interface SupportPoint { router: string; meanActive: number; flops: number }

/** FLOPs per sequence vs k for the top-k routers (lines), sparse-normaliser runs as points at their mean support size. */
export function flopsVsKSpec(curve: CurvePoint[], support: SupportPoint[], title = 'Forward FLOPs per sequence vs active experts', yTitle = 'FLOPs per sequence'): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 480,
    height: 300,
    layer: [
      {
        data: { values: curve },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'k', type: 'quantitative', title: 'k (top-k) / mean active experts per token' },
          y: { field: 'flops', type: 'quantitative', title: yTitle, axis: { format: '.2e' } },
          color: { field: 'router', type: 'nominal', title: 'router', legend: { labelLimit: 360 } },
        },
      },
      {
        data: { values: support },
        mark: { type: 'point', shape: 'diamond', size: 140, filled: true },
        encoding: {
          x: { field: 'meanActive', type: 'quantitative' },
          y: { field: 'flops', type: 'quantitative' },
          color: { field: 'router', type: 'nominal' },
        },
      },
    ],
  } as TopLevelSpec;
}

export interface HistogramBar { router: string; activeExperts: number; tokens: number }

/** Tokens by number of active experts, one bar group per router. */
export function activeExpertsHistogramSpec(bars: HistogramBar[], title = 'Active experts per token'): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 480,
    height: 260,
    data: { values: bars },
    mark: 'bar',
    encoding: {
      x: { field: 'activeExperts', type: 'ordinal', title: 'active experts per token' },
      xOffset: { field: 'router', type: 'nominal' },
      y: { field: 'tokens', type: 'quantitative', title: 'tokens' },
      color: { field: 'router', type: 'nominal', title: 'router', legend: { labelLimit: 360 } },
    },
  } as TopLevelSpec;
}
