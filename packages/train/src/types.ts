// The contract between the training loop and whatever it trains. The loop knows nothing about
// Switch Transformers: a task exposes named parameters and a forward pass that returns its loss
// parts (CE plus every router's aux losses, unweighted, each with its coefficient) and,
// when asked, the routing decisions of each sparse layer for the metrics.
// Dims: N tokens of one sparse layer, E experts.
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '@switchyard/tensor-engine';
import type { LossPart } from '@switchyard/model-core';

/** A parameter as model-core's `parameters()` reports it. */
export interface TrainParameter {
  /** HF state-dict key, e.g. `encoder.block.1.layer.1.mlp.router.classifier.weight`. */
  name: string;
  variable: tf.Variable;
  /** Excluded from gradients and updates when true. */
  frozen?: boolean;
  /** `linear` ([in, out] in tfjs, [out, in] in torch) or `raw`; unused by the loop itself. */
  layout?: string;
}

/** One term of the total loss: total = Σ coefficient · value (model-core's totalLoss). */
export type { LossPart } from '@switchyard/model-core';

/** Routing decisions of one sparse layer, for the metrics (no gradient needed). */
export interface LayerRouting {
  /** Layer name, e.g. `encoder.block.1`. */
  layer: string;
  /** Normalised router scores. [N, E] */
  probs: tf.Tensor2D;
  /** 1 where token n is computed by expert e after capacity. [N, E] */
  dispatch: tf.Tensor2D;
  /** 1 where token n selected expert e before capacity. [N, E] */
  selected: tf.Tensor2D;
  /** 1 for real tokens, 0 for padding; metrics count real tokens only. [N] */
  tokenMask?: tf.Tensor1D;
}

export interface ForwardContext {
  training: boolean;
  /** The single source of randomness of this step (router jitter, noise, dropout). */
  rng: Rng;
  /** Optimiser steps completed before this forward pass. */
  step: number;
  /** Whether the caller wants `routing` filled in (only on logging steps: it costs host reads). */
  wantRouting: boolean;
}

export interface ForwardResult {
  parts: LossPart[];
  routing?: LayerRouting[];
}

/** Something the loop can train: parameters plus a forward pass over one batch. */
export interface TrainTask<B> {
  parameters(): TrainParameter[];
  /** Runs inside a gradient tape; every returned tensor is kept and disposed by the loop. */
  forward(batch: B, ctx: ForwardContext): ForwardResult;
}

/** Supplies batches by example index, so data order is a pure function of (seed, epoch). */
export interface BatchSource<B> {
  readonly numExamples: number;
  /** Build the batch for these examples (tensors owned by the caller). */
  makeBatch(indices: Int32Array): B;
  /** Tokens of the batch counted for throughput (padded positions included). */
  tokenCount(batch: B): number;
  disposeBatch(batch: B): void;
}
