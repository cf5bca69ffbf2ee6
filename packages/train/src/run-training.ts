// Training a task family's model on a prepared split with a stage config's loop section; shared
// by the base-model stage (pretraining), the train stage and `switchyard train`: the family
// supplies the TrainTask and BatchSources, the loop is generic. Also the HF export of a Switch
// Transformer (config.json + model.safetensors, tied keys omitted as HF saves them).
import { join } from 'node:path';
import { hfConfigJson, stateDict, switchConfigToJson, writeSafetensors, type SwitchTransformer } from '@switchyard/model-core';
import { trainLoop, type TrainResult } from './train-loop.js';
import { batchesPerEpoch } from './data-order.js';
import { optimizerConfig, scheduleConfig, type LoopSection } from './config.js';
import { writeDirAtomic, writeFileAtomic, type FileContent } from './atomic-dir.js';
import type { TrainFamily } from './task-registry.js';

export interface TrainModelOptions<M> {
  family: TrainFamily<M>;
  model: M;
  /** Prepared data folder; its `train` split is trained on. */
  dataDir: string;
  /** Split whose first `heldOutSize` rows give routing.arrow (skipped when absent or empty). */
  heldOutSplit?: string;
  heldOutSize?: number;
  loop: LoopSection;
  seed: number;
  runDir: string;
  /** Settings identity beyond the loop (router, base model) for resume checks. */
  fingerprint: string;
  resume?: boolean;
  log?: (m: string) => void;
  onStep?: (info: { step: number; checkpoint?: string }) => void | Promise<void>;
}

export function stepsOf(loop: LoopSection, rows: number): number {
  return loop.epochs !== undefined ? loop.epochs * batchesPerEpoch(rows, loop.batchSize) : loop.steps;
}

export async function trainModel<M>(o: TrainModelOptions<M>): Promise<TrainResult> {
  const data = o.family.batchSource(o.model, o.dataDir, 'train', o.loop, 'train')!;
  const held = o.heldOutSplit !== undefined ? o.family.batchSource(o.model, o.dataDir, o.heldOutSplit, o.loop, 'held-out') : undefined;
  const n = Math.min(o.heldOutSize ?? 16, held?.numExamples ?? 0);
  return trainLoop({
    task: o.family.trainTask(o.model), data, runDir: o.runDir, seed: o.seed,
    totalSteps: stepsOf(o.loop, data.numExamples), batchSize: o.loop.batchSize, gradAccumSteps: o.loop.optimizer.gradAccumSteps,
    optimizer: optimizerConfig(o.loop.optimizer), schedule: scheduleConfig(o.loop.optimizer), clipNorm: o.loop.optimizer.clipNorm,
    logEvery: o.loop.logEvery, checkpointEvery: o.loop.checkpointEvery, keepCheckpoints: o.loop.keepCheckpoints,
    resume: o.resume, fingerprint: o.fingerprint, log: o.log, onStep: o.onStep, checkpointFiles: () => o.family.modelFiles(o.model),
    heldOutBatch: held && n > 0 ? () => held.makeBatch(Int32Array.from({ length: n }, (_, i) => i)) : undefined,
  });
}

/** Write model files into an existing folder (file by file, each atomic). */
export function writeFilesInto(dir: string, files: Record<string, FileContent>): void {
  for (const [name, content] of Object.entries(files)) writeFileAtomic(join(dir, name), typeof content === 'function' ? content() : content);
}

/** HF-format files of a model: config.json + model.safetensors (the latter built when written). */
export function hfFiles(model: SwitchTransformer): Record<string, FileContent> {
  return {
    'config.json': JSON.stringify(hfConfigJson(model.config), null, 2) + '\n',
    'model.safetensors': () => writeSafetensors(stateDict(model)),
  };
}

/** Write the HF files into an existing folder (file by file, each atomic). */
export function writeHfFilesInto(dir: string, model: SwitchTransformer): void {
  writeFilesInto(dir, hfFiles(model));
}

/** Write the HF files as a new folder, atomically. */
export function writeHfDir(dir: string, model: SwitchTransformer): void {
  writeDirAtomic(dir, hfFiles(model));
}
