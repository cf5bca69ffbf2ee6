// Training checkpoints: everything needed to continue bit-identically.
//   checkpoints/step-000120/
//     weights.safetensors    every parameter (frozen ones too), by HF name, F32
//     optimizer.safetensors  optimiser slots (`<param>::<slot>`)
//     state.json             step, data position, RNG state, optimiser step, run fingerprint,
//                            sha256 of the two tensor files (checked on load)
//     (+ extra files of the task, e.g. HF config.json + model.safetensors)
// Written with writeDirAtomic, so a folder named step-* is always complete.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { RngState } from '@switchyard/runtime';
import { writeDirAtomic, removeStaleTemps, type FileContent } from './atomic-dir.js';
import { decodeTensorFile, encodeTensorFile, type HostTensor } from './tensor-file.js';
import type { Optimizer, OptimizerState } from './optim/optimizer.js';
import type { DataPosition } from './data-order.js';
import type { TrainParameter } from './types.js';

export const CHECKPOINT_FORMAT = 'switchyard-train-checkpoint/1';

/**
 * safetensors metadata of weights.safetensors. It holds tfjs-layout tensors (linear weights
 * [in, out], the transpose of torch's [out, in]) under HF names, so it must not say `format: pt`:
 * transformers accepts only pt/tf/flax/mlx there and refuses anything else, instead of loading
 * square matrices transposed without a shape error. The HF export is the folder's config.json +
 * model.safetensors.
 */
export const WEIGHTS_METADATA: Readonly<Record<string, string>> = { format: 'switchyard-tfjs', layout: 'tfjs: linear weights [in, out] (torch stores [out, in]); not a transformers checkpoint' };

export interface CheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  /** Optimiser updates completed. */
  step: number;
  /** Next batch to read. */
  position: DataPosition;
  rng: RngState;
  optimizer: { kind: string; step: number };
  /** Identifies the run's settings; resume refuses a checkpoint of a different run. */
  fingerprint: string;
  /** File name → sha256 hex. */
  files: Record<string, string>;
}

export class TrainingCheckpointError extends Error {}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export function checkpointName(step: number): string { return `step-${String(step).padStart(6, '0')}`; }

export function parameterSnapshot(params: readonly TrainParameter[]): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const p of params) out[p.name] = { shape: p.variable.shape.slice(), data: Float32Array.from(p.variable.dataSync() as Float32Array) };
  return out;
}

export interface SaveCheckpointArgs {
  step: number;
  position: DataPosition;
  rng: RngState;
  params: readonly TrainParameter[];
  optimizer: Optimizer;
  fingerprint: string;
  /** More files for the folder (e.g. HF config.json + model.safetensors, so a checkpoint is loadable by model-core). */
  extraFiles?: Record<string, FileContent>;
}

/** Write a checkpoint atomically under `dir`; returns its folder. */
export function saveTrainingCheckpoint(dir: string, a: SaveCheckpointArgs): string {
  // Each tensor file is produced when written and hashed on the way, so the host holds one
  // large buffer at a time; state.json (with the hashes) is written last.
  const hashes: Record<string, string> = {};
  let optMeta: { kind: string; step: number } | undefined;
  const hashed = (name: string, make: () => Uint8Array) => () => { const b = make(); hashes[name] = sha256(b); return b; };
  const target = join(dir, checkpointName(a.step));
  writeDirAtomic(target, {
    ...(a.extraFiles ?? {}),
    'weights.safetensors': hashed('weights.safetensors', () => encodeTensorFile(parameterSnapshot(a.params), { ...WEIGHTS_METADATA })),
    'optimizer.safetensors': hashed('optimizer.safetensors', () => {
      const opt = a.optimizer.exportState();
      optMeta = { kind: opt.kind, step: opt.step };
      return encodeTensorFile(opt.slots);
    }),
    'state.json': () => {
      const state: CheckpointState = {
        format: CHECKPOINT_FORMAT, step: a.step, position: a.position, rng: a.rng,
        optimizer: optMeta!, fingerprint: a.fingerprint, files: hashes,
      };
      return JSON.stringify(state, null, 1) + '\n';
    },
  });
  return target;
}

export interface LoadedCheckpoint {
  path: string;
  state: CheckpointState;
  weights: Record<string, HostTensor>;
  optimizer: OptimizerState;
}

/** Read and verify a checkpoint folder (sha256 of every tensor file). */
export function loadTrainingCheckpoint(path: string): LoadedCheckpoint {
  const statePath = join(path, 'state.json');
  if (!existsSync(statePath)) throw new TrainingCheckpointError(`${path}: no state.json (not a checkpoint)`);
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as CheckpointState;
  if (state.format !== CHECKPOINT_FORMAT) throw new TrainingCheckpointError(`${statePath}: format "${state.format}", expected ${CHECKPOINT_FORMAT}`);
  const bytes: Record<string, Uint8Array> = {};
  for (const [name, hash] of Object.entries(state.files)) {
    const b = readFileSync(join(path, name));
    if (sha256(b) !== hash) throw new TrainingCheckpointError(`${join(path, name)}: sha256 mismatch (corrupt checkpoint)`);
    bytes[name] = b;
  }
  const weights = decodeTensorFile(bytes['weights.safetensors']!, join(path, 'weights.safetensors')).tensors;
  const slots = decodeTensorFile(bytes['optimizer.safetensors']!, join(path, 'optimizer.safetensors')).tensors;
  return { path, state, weights, optimizer: { kind: state.optimizer.kind, step: state.optimizer.step, slots } };
}

/** Checkpoint folders under `dir`, oldest first. */
export function listCheckpoints(dir: string): { step: number; path: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((n) => /^step-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ step: Number(m[1]), path: join(dir, m[0]) }))
    .sort((a, b) => a.step - b.step);
}

/** The newest checkpoint that verifies, or undefined. Broken ones are reported via `warn`. */
export function latestGoodCheckpoint(dir: string, warn: (m: string) => void = () => {}): LoadedCheckpoint | undefined {
  removeStaleTemps(dir);
  const all = listCheckpoints(dir);
  for (let i = all.length - 1; i >= 0; i--) {
    try { return loadTrainingCheckpoint(all[i]!.path); } catch (e) { warn(`skipping ${all[i]!.path}: ${(e as Error).message}`); }
  }
  return undefined;
}

/** Assign checkpoint weights to the parameters (names and shapes must match exactly). */
export function restoreWeights(params: readonly TrainParameter[], weights: Record<string, HostTensor>, source: string): void {
  const names = new Set(params.map((p) => p.name));
  for (const k of Object.keys(weights)) if (!names.has(k)) throw new TrainingCheckpointError(`${source}: weight "${k}" has no parameter in the model`);
  for (const p of params) {
    const w = weights[p.name];
    if (!w) throw new TrainingCheckpointError(`${source}: no weight for parameter "${p.name}"`);
    if (w.shape.join(',') !== p.variable.shape.join(',')) throw new TrainingCheckpointError(`${source}: "${p.name}" has shape [${w.shape}], parameter is [${p.variable.shape}]`);
    tf.tidy(() => p.variable.assign(tf.tensor(w.data, w.shape, 'float32')));
  }
}

/** Keep the newest `keep` checkpoints (HF save_total_limit); keep ≤ 0 keeps all. */
export function pruneCheckpoints(dir: string, keep: number): void {
  if (keep <= 0) return;
  const all = listCheckpoints(dir);
  for (const c of all.slice(0, Math.max(0, all.length - keep))) rmSync(c.path, { recursive: true, force: true });
}

/** Remove checkpoints newer than `step` (after a failure, nothing past the last good one stays valid). */
export function removeCheckpointsAfter(dir: string, step: number): void {
  for (const c of listCheckpoints(dir)) if (c.step > step) rmSync(c.path, { recursive: true, force: true });
}
