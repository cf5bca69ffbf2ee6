// Command helpers the CLI wires as `switchyard forward` and `switchyard generate`. Inputs use the
// layout of the golden `inputs.json` ({input_ids, attention_mask?, labels?, decoder_input_ids?},
// each {shape, data} or a plain nested list), or are one nested list of input ids; outputs use
// the key names of the golden `outputs_*.json`.
import { readFile, writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint } from './checkpoint.js';
import { generate } from './generate.js';
import { hfExpertIndex, modelLossParts, shiftRight, totalLoss } from './losses.js';
import { tidyRecord } from './tidy.js';
import type { SwitchTransformer } from './switch-transformer.js';

export interface JsonTensor { shape: number[]; data: number[] }

function toJson(t: tf.Tensor): JsonTensor {
  return { shape: [...t.shape], data: Array.from(t.dataSync()) };
}

/** A plain nested list [[id, …], …]; ragged rows are right-padded with `pad` when `ragged` is allowed. */
function fromNested(rows: unknown[], name: string, file: string, pad: number | undefined): { tensor: tf.Tensor2D; lengths: number[] } {
  if (rows.length === 0) throw new Error(`${file}: "${name}" is an empty list`);
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length === 0 || r.some((v) => !Number.isInteger(v))) throw new Error(`${file}: "${name}"[${i}] must be a non-empty list of integers`);
  });
  const lists = rows as number[][];
  const len = Math.max(...lists.map((r) => r.length));
  const ragged = lists.find((r) => r.length !== len);
  if (ragged && pad === undefined) throw new Error(`${file}: "${name}" rows must all have length ${len} (row ${lists.indexOf(ragged)} has ${ragged.length})`);
  const data = lists.flatMap((r) => [...r, ...new Array<number>(len - r.length).fill(pad ?? 0)]);
  return { tensor: tf.tensor2d(data, [lists.length, len], 'int32'), lengths: lists.map((r) => r.length) };
}

function fromJson(t: unknown, name: string, file: string): tf.Tensor2D {
  if (Array.isArray(t)) return fromNested(t, name, file, undefined).tensor;
  const j = t as JsonTensor;
  if (!j || !Array.isArray(j.shape) || j.shape.length !== 2 || !Array.isArray(j.data) || j.data.length !== j.shape[0]! * j.shape[1]!) {
    throw new Error(`${file}: "${name}" must be a {shape: [B, L], data: number[B·L]} tensor or a nested list [[id, …], …]`);
  }
  return tf.tensor2d(j.data, j.shape as [number, number], 'int32');
}

interface Inputs { inputIds: tf.Tensor2D; attentionMask?: tf.Tensor2D; labels?: tf.Tensor2D; decoderInputIds?: tf.Tensor2D }

/**
 * Inputs JSON: `{input_ids, attention_mask?, labels?, decoder_input_ids?}`, each `{shape, data}` or
 * a nested list; or just a nested list of input ids. Ragged input-id lists without an attention
 * mask are right-padded with `pad` and masked.
 */
async function readInputs(file: string, pad: number): Promise<Inputs> {
  let raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown> | unknown[];
  if (Array.isArray(raw)) raw = { input_ids: raw };
  if (!raw.input_ids) throw new Error(`${file}: "input_ids" is required`);
  let inputIds: tf.Tensor2D;
  let attentionMask = raw.attention_mask ? fromJson(raw.attention_mask, 'attention_mask', file) : undefined;
  if (Array.isArray(raw.input_ids) && !attentionMask) {
    const { tensor, lengths } = fromNested(raw.input_ids, 'input_ids', file, pad);
    inputIds = tensor;
    if (lengths.some((l) => l !== tensor.shape[1])) attentionMask = tf.tensor2d(lengths.flatMap((l) => Array.from({ length: tensor.shape[1] }, (_, j) => (j < l ? 1 : 0))), tensor.shape, 'int32');
  } else {
    inputIds = fromJson(raw.input_ids, 'input_ids', file);
  }
  return {
    inputIds,
    attentionMask,
    labels: raw.labels ? fromJson(raw.labels, 'labels', file) : undefined,
    decoderInputIds: raw.decoder_input_ids ? fromJson(raw.decoder_input_ids, 'decoder_input_ids', file) : undefined,
  };
}

/** Forward pass of `model` as the golden outputs JSON (everything on the host). */
export function forwardReport(model: SwitchTransformer, inp: Inputs): Record<string, unknown> {
  return tidyRecord(() => {
    const cfg = model.config;
    const decoderInputIds = inp.decoderInputIds ?? (inp.labels ? shiftRight(inp.labels, cfg.decoder_start_token_id, cfg.pad_token_id) : undefined);
    if (!decoderInputIds) throw new Error('forward needs "decoder_input_ids" or "labels"');
    const out = model.forward({ inputIds: inp.inputIds, attentionMask: inp.attentionMask, decoderInputIds });
    const report: Record<string, unknown> = {
      expert_capacity: cfg.expert_capacity,
      decoder_input_ids: toJson(decoderInputIds),
      encoder_last_hidden_state: toJson(out.encoderLastHiddenState),
      decoder_last_hidden_state_before_lm_head: toJson(out.decoderLastHiddenState),
      logits: toJson(out.logits),
    };
    const sparse: Record<string, unknown> = {};
    for (const rec of out.sparseLayers) {
      const shape3 = [rec.groups, rec.groupSize, -1];
      const shape2 = [rec.groups, rec.groupSize];
      const r = rec.router;
      sparse[rec.name] = {
        router_input: toJson(rec.routerInput.reshape(shape3)),
        router_logits: toJson(r.logits.reshape(shape3)),
        router_probs: toJson(r.probs.reshape(shape3)),
        top1_prob: toJson(tf.max(r.probs, 1).reshape(shape2)),
        chosen_expert: toJson(tf.argMax(r.probs, 1).reshape(shape2)),
        kept: toJson(tf.max(r.dispatch, 1).toInt().reshape(shape2)),
        hf_expert_index: toJson(hfExpertIndex(rec).reshape(shape2)),
        expert_mask: toJson(r.dispatch.toInt().reshape(shape3)),
      };
    }
    report.sparse_layers = sparse;
    if (inp.labels) {
      // HF's stack-pooled router losses, as the golden reports were produced
      const parts = modelLossParts(out, inp.labels, { pooling: 'hf-stack', config: cfg });
      report.loss_total = totalLoss(parts).dataSync()[0];
      report.loss_lm_cross_entropy = parts[0]!.value.dataSync()[0];
      for (const stack of ['encoder', 'decoder']) {
        for (const name of ['z', 'aux']) {
          const p = parts.find((q) => q.layer === stack && q.name === name);
          if (p) report[`${stack}_${name}_loss`] = p.value.dataSync()[0]; // e.g. encoder_z_loss
        }
      }
    }
    return report;
  });
}

export interface ForwardCommandOptions { checkpoint: string; inputs: string; out: string }

/** `switchyard forward`: load an HF checkpoint folder, run the inputs file, write the outputs JSON. */
export async function runForwardCommand(o: ForwardCommandOptions): Promise<Record<string, unknown>> {
  const model = await loadCheckpoint(o.checkpoint);
  let inp: Inputs | undefined;
  try {
    inp = await readInputs(o.inputs, model.config.pad_token_id);
    const report = forwardReport(model, inp);
    await writeFile(o.out, JSON.stringify(report) + '\n');
    return report;
  } finally {
    if (inp) tf.dispose(Object.values(inp).filter(Boolean) as tf.Tensor[]);
    model.dispose();
  }
}

export interface GenerateCommandOptions {
  checkpoint: string; inputs: string; maxNewTokens: number; out: string;
  /** Defaults to 1 (greedy). */
  numBeams?: number;
  /** Defaults to true. */
  useCache?: boolean;
}

/** `switchyard generate`: greedy (or beam) decoding; writes `generate_<mode>_max_new_tokens_<n>.<use_cache|no_cache>`. */
export async function runGenerateCommand(o: GenerateCommandOptions): Promise<Record<string, unknown>> {
  const model = await loadCheckpoint(o.checkpoint);
  let inp: Inputs | undefined;
  try {
    inp = await readInputs(o.inputs, model.config.pad_token_id);
    const beams = o.numBeams ?? 1;
    const useCache = o.useCache ?? true;
    const res = generate(model, inp.inputIds, inp.attentionMask, { maxNewTokens: o.maxNewTokens, useCache, numBeams: beams, returnStepScores: beams === 1 });
    const b = res.sequences.length;
    const entry: Record<string, unknown> = {
      sequences: { shape: [b, res.sequences[0]!.length], data: res.sequences.flat() },
    };
    if (res.stepScores) entry.step_scores = res.stepScores.map((s) => ({ shape: [b, s.length / b], data: Array.from(s) }));
    if (res.beamScores) entry.beam_scores = res.beamScores;
    const mode = beams === 1 ? 'greedy' : `beam${beams}`;
    const report = { [`generate_${mode}_max_new_tokens_${o.maxNewTokens}`]: { [useCache ? 'use_cache' : 'no_cache']: entry } };
    await writeFile(o.out, JSON.stringify(report) + '\n');
    return report;
  } finally {
    if (inp) tf.dispose(Object.values(inp).filter(Boolean) as tf.Tensor[]);
    model.dispose();
  }
}
