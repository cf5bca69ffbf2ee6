// @switchyard/train: the training loop (optimisers with explicit state, schedules, clipping,
// accumulation, aux-loss composition, atomic checkpoints, bit-exact resume, NaN guard, metrics).
export { trainLoop, runFingerprint, writeRoutingTable } from './train-loop.js';
export type { TrainLoopOptions, TrainResult } from './train-loop.js';
export type { TrainTask, TrainParameter, LossPart, LayerRouting, ForwardContext, ForwardResult, BatchSource } from './types.js';
export { composeLoss, summarizeLossParts } from './compose-loss.js';
export type { LossSummary } from './compose-loss.js';
export { AdamW, Adafactor, createOptimizer } from './optim/index.js';
export type { Optimizer, OptimizerConfig, OptimizerState, AdamWOptions, AdafactorOptions } from './optim/index.js';
export { learningRate } from './schedule.js';
export type { ScheduleConfig, ScheduleType } from './schedule.js';
export { globalNorm, clipByGlobalNorm, accumulate, scaleGrads } from './grad-utils.js';
export { collateSeq2Seq, collateArrays, disposeSeq2SeqBatch, maskedCrossEntropy, LABEL_PAD, PAD_ID, DECODER_START_ID } from './batching.js';
export type { Seq2SeqBatch, Seq2SeqExample, CollateOptions } from './batching.js';
export { epochPermutation, batchAt, batchesPerEpoch } from './data-order.js';
export type { DataPosition } from './data-order.js';
export { saveCheckpoint, loadCheckpoint, latestGoodCheckpoint, listCheckpoints, restoreWeights, CheckpointError } from './checkpoint.js';
export type { CheckpointState, LoadedCheckpoint } from './checkpoint.js';
export { NonFiniteError } from './nan-guard.js';
export { MetricsLog, humanLine } from './metrics-log.js';
export type { MetricsRecord, TimingRecord } from './metrics-log.js';
export { layerStats } from './routing-stats.js';
export type { LayerStats } from './routing-stats.js';
export { writeDirAtomic, writeFileAtomic } from './atomic-dir.js';
