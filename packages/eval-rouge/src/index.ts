// @switchyard/eval-rouge: ROUGE exactly as Google's rouge_score 0.1.2 (+ NLTK 3.8 Porter
// stemmer), aggregated as Hugging Face `evaluate` reports it. The generation half of the eval
// stage is wired by the integrator on top of scoreCorpus.
export { stem } from './porter-stemmer.js';
export { tokenize } from './tokenize.js';
export { scorePair, scoreMulti, fmeasure, splitLines, type ScorerOptions, type MultiReferenceChoice } from './rouge-scorer.js';
export { splitSentences, splitSentencesToLines } from './sentence-split.js';
export { bootstrapIntervals, type BootstrapOptions, type BootstrapInterval, type ResolvedBootstrapOptions } from './bootstrap.js';
export { LegacyMt19937 } from './mt19937.js';
export { pairwiseSum, numpyMean, percentileLinear } from './numpy-stats.js';
export {
  scoreCorpus, aggregateScores, toPercentRows, type PercentRow,
  type ScoreCorpusOptions, type CorpusScores, type CorpusAggregate, type ExampleScores, type SentenceSplitMode,
} from './score-corpus.js';
export {
  parseInputText, readInputFile, pairExamples, RougeInputError,
  type InputFile, type InputRecord, type PairedExample,
} from './read-examples.js';
export { runRougeCommand, formatTextReport, formatJsonReport, type RougeCommandOptions } from './rouge-command.js';
export { parseRougeArgs, RougeUsageError, ROUGE_USAGE } from './rouge-args.js';
export { DEFAULT_ROUGE_TYPES, isRougeType, type RougeType, type Score, type RougeScores } from './types.js';
export { evalRougeStage } from './eval-stage.js';
export { evalStageConfigSchema, resolveEvalConfig, generationSettings, GENERATION_PRESETS, type EvalStageConfig, type GenerationPreset } from './eval-stage-config.js';
