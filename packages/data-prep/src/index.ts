// Public API of @switchyard/data-prep.
export { dataPrepStage } from './stage.js';
export { runDataPrepCommand } from './command.js';
export type { DataPrepCommandOptions, DataPrepCommandResult } from './command.js';
export { dataPrepConfigSchema, resolveConfig } from './config.js';
export type { DataPrepConfig, SplitSpec, TokenizerConfig } from './config.js';
export { prepareData, PREPARED_SCHEMA } from './prepare.js';
export type { PreparedStats, SplitStats } from './prepare.js';
export { readPreparedSplit, readPreparedTokenizer, readPreparedStats, preparedSplits } from './prepared.js';
export type { PreparedSplit } from './prepared.js';
export { loadCorpus, planCorpus, loadPlannedSplit } from './corpus.js';
export { resolveSource, openSource, embeddedCorpusDir, hfDatasetsCache, findInHfCache } from './source.js';
export type { SourceSpec, ResolvedSource } from './source.js';
export { discoverSplits, splitOfName } from './discover.js';
export { readRecords, formatOf } from './loaders/index.js';
export { parseCsvRecords } from './loaders/csv.js';
export { elementLines } from './loaders/json.js';
export { parseIdx, readIdxFile, encodeIdx, maybeGunzip } from './loaders/idx.js';
export type { IdxArray, IdxDtype, IdxData } from './loaders/idx.js';
export { loadIdxImageSet } from './loaders/idx-image-set.js';
export type { IdxImageSet, ImageSetOptions } from './loaders/idx-image-set.js';
export {
  loadFashionMnist, resolveFashionMnist, fashionMnistFiles, embeddedFashionMnistDir, FASHION_MNIST_DEBIAN_DIR, FASHION_MNIST_CLASSES,
} from './loaders/idx-fashion-mnist.js';
export type { FashionMnistSplit, FashionMnistSource } from './loaders/idx-fashion-mnist.js';
export { validateRecords } from './records.js';
export { normaliseText, withEos, DEFAULT_NORMALISE } from './normalise.js';
export type { NormaliseConfig } from './normalise.js';
export { DataPrepError } from './errors.js';
export type { ErrorPlace } from './errors.js';
export { loadTokenizer, saveTokenizer } from './tokenizer/load.js';
export { tokenizerFromJson } from './tokenizer/hf-tokenizer.js';
export { trainUnigram } from './tokenizer/train-unigram.js';
export type { UnigramTrainOptions } from './tokenizer/train-unigram.js';
export { parseSpModel, spModelToTokenizerJson } from './tokenizer/spiece.js';
export { t5TokenizerJson } from './tokenizer/t5-json.js';
export type { Tokenizer, TokenizerJson } from './tokenizer/types.js';
export { SPLITS, DEFAULT_FIELDS } from './types.js';
export type { Example, FieldNames, SplitName, SkipRecord, InvalidPolicy, FileFormat } from './types.js';
