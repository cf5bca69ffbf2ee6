// Public API of @switchyard/flops-profiler: the analytic FLOPs model, routing statistics,
// the SparTMoE comparison, plots, the MoE-layer timing harness, the stage and the CLI command.
export { resolveModel, sparseBlocks } from './model-config.js';
export type { ModelSpec, ResolvedModel } from './model-config.js';
export { routerCost, costSpecOf, normaliserFlops, sortFlops, RouterCostError } from './router-cost.js';
export type { RouterCostSpec, RouterCost } from './router-cost.js';
export { flopsModel, deltaFlopsPerExpert, FlopsModelError } from './analytic.js';
export type { FlopsOptions, FlopsReport, FlopsTerm, LayerExperts, TermGroup } from './analytic.js';
export {
  summariseRouting, summariseRoutingRows, summariseRoutingTable, readRoutingFile, mergeRouting, pooledHistogram,
  pooledMeanActive, canonicalLayer, RoutingStatsError,
} from './routing-stats.js';
export type { RoutingSummary, LayerActivity } from './routing-stats.js';
export { PUBLISHED_SETUP, PUBLISHED_LINEAR_TOPK, PUBLISHED_ATTENTION_TOPK, PUBLISHED_SPARSEMAX } from './published.js';
export { publishedComparison, comparisonMarkdown, impliedActiveExperts } from './comparison.js';
export type { ComparisonRow } from './comparison.js';
export { createExperts, planFromMask, gatherDispatchForward, denseForward } from './bench/moe-layer.js';
export type { MoeExperts, GatherPlan } from './bench/moe-layer.js';
export { syntheticTopK, syntheticSupport } from './bench/synthetic-masks.js';
export type { SyntheticRouting } from './bench/synthetic-masks.js';
export { timeSparseLayer, timeDenseLayer, timeRouterLayer, allExpertOutputs } from './bench/time-layer.js';
export type { TimingOptions, LayerTiming } from './bench/time-layer.js';
export { renderChart } from './plots/render-chart.js';
export type { RenderOptions, RenderedChart } from './plots/render-chart.js';
export { findFontFile } from './plots/font.js';
export { activeExpertsHistogramSpec } from './plots/flops-charts.js';
export type { HistogramBar } from './plots/flops-charts.js';
export { flopsStageConfigSchema, resolveFlopsConfig } from './stage-config.js';
export type { FlopsStageConfig, RouterRowConfig, StatisticsConfig, MeasureConfig } from './stage-config.js';
export { runFlopsProfile, FLOPS_FILE, ACTIVE_EXPERTS_FILE } from './profile.js';
export type { FlopsRow, ProfileResult, ProfileContext, RowSource } from './profile.js';
export { flopsProfilerStage } from './stage.js';
export { runFlopsCommand } from './command.js';
export type { FlopsCommandOptions, FlopsCommandResult } from './command.js';
export { lmFlopsModel, layerNormFlops, fixedActive, LmFlopsError } from './lm-flops.js';
export type { LmShape, LmMoeLayerCost, LmFlopsReport } from './lm-flops.js';
export { isLmConfigJson, lmModelFolder, runLmFlopsProfile } from './lm-profile.js';
