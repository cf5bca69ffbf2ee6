// The scoring half of @switchyard/eval-rouge without the generation stage: everything here is
// plain TypeScript with no tfjs / model-core / data-prep imports, so the `rouge` command starts
// in ~0.1 s (bin/rouge.mjs imports this entry; index.ts re-exports it together with the stage).
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
export { DEFAULT_ROUGE_TYPES, isRougeType, type RougeType, type Score, type RougeScores } from './types.js';
export { parseRougeArgs, RougeUsageError, ROUGE_USAGE } from './rouge-args.js';
