// A DecoderLM (model-core decoder-lm.ts) as the loop's TrainTask: one block of every stream row
// per forward pass, the row's cache carried in (lm-stream.ts), the loss parts of model-core's
// lm-loss.ts — the token NLL (reported as `ce`, the loop's main part) plus every router's losses
// with their coefficients — and each MoE layer's routing for the metrics. The loop's
// ForwardContext supplies what the routers need: `step` (SMoE-Dropout's k(t), StableMoE's stage
// switch at `twoStageUpdates`, CompeteSMoE's λ(t)) and `rng` (dropout, router draws). CompeteSMoE's
// per-iteration switch comes from the model's `routerIterationSteps` (an Rng fixed per layer and
// ⌊step / routerIterationSteps⌋, decoder-lm.ts), so it too is a function of the step.
import * as tf from '@tensorflow/tfjs';
import { lmLossParts, type DecoderLM } from '@switchyard/model-core';
import type { ForwardContext, ForwardResult, LayerRouting, TrainParameter, TrainTask } from '../../types.js';
import type { LmBatch, LmTrainStream } from './lm-stream.js';

/** The family's model: the LM and, while it trains, its stream (whose buffers are checkpointed). */
export interface LmModel {
  lm: DecoderLM;
  stream?: LmTrainStream;
}

export class LmTrainTask implements TrainTask<LmBatch> {
  constructor(readonly model: LmModel) {}

  parameters(): TrainParameter[] {
    const own = this.model.lm.parameters().map((p) => ({ name: p.name, variable: p.variable, layout: p.layout, frozen: p.frozen || !p.variable.trainable }));
    return [...own, ...(this.model.stream?.buffers() ?? [])];
  }

  forward(b: LmBatch, ctx: ForwardContext): ForwardResult {
    const out = this.model.lm.forward(b.inputs, { training: ctx.training, rng: ctx.rng, step: ctx.step, cache: b.cache });
    if (b.carry) b.next = out.cache.hidden.map((h) => tf.keep(h));
    const parts = lmLossParts(out, b.targets).map((p) => (p.layer === undefined && p.name === 'nll' ? { ...p, name: 'ce' } : p));
    const routing: LayerRouting[] | undefined = ctx.wantRouting
      ? out.moeLayers.map((rec) => ({ layer: rec.name, probs: rec.router.probs, dispatch: rec.router.dispatch, selected: rec.router.selected }))
      : undefined;
    return { parts, routing };
  }
}
