// @switchyard/eval-rouge: ROUGE exactly as Google's rouge_score 0.1.2 (+ NLTK 3.8 Porter
// stemmer), aggregated as Hugging Face `evaluate` reports it, and the eval-rouge stage that
// generates summaries with a checkpoint and scores them. The scoring half alone (no tfjs) is the
// `@switchyard/eval-rouge/scoring` entry.
export * from './scoring.js';
export { evalStage, evalRougeStage } from './eval-stage.js';
export { registerEvaluator, evaluatorFor, evaluatorTasks } from './evaluator-registry.js';
export type { Evaluator, EvaluateArgs } from './evaluator-registry.js';
export { summarisationEvaluator, summarisationMetricRecord } from './tasks/summarisation.js';
export { languageModellingEvaluator } from './tasks/language-modelling.js';
export * from './metric-record.js';
export { evalStageConfigSchema, resolveEvalConfig, generationSettings, GENERATION_PRESETS, type EvalStageConfig, type GenerationPreset } from './eval-stage-config.js';
export { imageClassificationEvaluator, evaluateImages, runImages } from './tasks/image-classification/evaluate.js';
export { imageMetricRecord } from './tasks/image-classification/image-metric-record.js';
export type { ImageMeasures } from './tasks/image-classification/image-metric-record.js';
export { trainingActive, routingConsistency } from './tasks/image-classification/training-routing.js';
export type { TrainingActive, RoutingConsistency } from './tasks/image-classification/training-routing.js';
export { textClassificationEvaluator, classifyRows } from './tasks/text-classification.js';
