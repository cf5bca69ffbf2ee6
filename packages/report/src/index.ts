// Public API of @switchyard/report: the comparison report of the gating experiments (issue 9).
export { reportStage, writeReport } from './stage.js';
export type { ReportContext } from './stage.js';
export { reportConfigSchema, resolveReportConfig } from './config.js';
export type { ReportConfig } from './config.js';
export { collectRuns, readManifest, REPORT_ROLES, ReportInputError } from './collect.js';
export { strategyLabel } from './strategy-label.js';
export type { RunInputs, ReportRole, StageFolder } from './collect.js';
export { runNumbers, metricsOf, tokensPerSecond } from './run-metrics.js';
export type { RunNumbers, MetricNumbers } from './run-metrics.js';
export { summarise, sharedRecord } from './summarise.js';
export type { StrategySummary } from './summarise.js';
export { provenance, describeBackend } from './provenance.js';
export type { Provenance, DataSourceEntry } from './provenance.js';
export { reportTable, runsTable, expertLoadTable } from './tables.js';
export { metricVsFlopsSpec, expertLoadSpec, activeHistogramSpec, lossCurvesSpec } from './plot-specs.js';
export { mean, sampleStd } from './stats.js';
