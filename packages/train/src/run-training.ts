// Training a SwitchTransformer on a data-prep split with a stage config's loop section; shared
// by the base-model stage (pretraining), the train stage and `switchyard train`. Also the HF
// export of the result (config.json + model.safetensors, tied keys omitted as HF saves them).
import { join } from 'node:path';
import { hfConfigJson, stateDict, writeSafetensors, type SwitchTransformer } from '@switchyard/model-core';
import type { PreparedSplit } from '@switchyard/data-prep';
import { trainLoop, type TrainResult } from './train-loop.js';
import { SwitchTask, PreparedSource } from './switch-task.js';
import { batchesPerEpoch } from './data-order.js';
import { optimizerConfig, scheduleConfig, type LoopSection } from './config.js';
import { writeDirAtomic, writeFileAtomic, type FileContent } from './atomic-dir.js';

export interface TrainSwitchOptions {
  model: SwitchTransformer;
  train: PreparedSplit;
  /** Split whose first `heldOutSize` rows give routing.arrow. */
  heldOut?: PreparedSplit;
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

export async function trainSwitch(o: TrainSwitchOptions): Promise<TrainResult> {
  const collate = { maxSourceLength: o.loop.maxSourceLength, maxTargetLength: o.loop.maxTargetLength };
  const data = new PreparedSource(o.train, collate);
  const vocab = o.model.config.vocab_size;
  const maxId = data.maxTokenId();
  if (maxId >= vocab) throw new Error(`token id ${maxId} in the training split is outside the model's vocabulary (vocab_size ${vocab}); the tokenizer and the model do not match`);
  const held = o.heldOut && o.heldOut.rows > 0 ? new PreparedSource(o.heldOut, collate) : undefined;
  const n = Math.min(o.heldOutSize ?? 16, held?.numExamples ?? 0);
  return trainLoop({
    task: new SwitchTask(o.model), data, runDir: o.runDir, seed: o.seed,
    totalSteps: stepsOf(o.loop, o.train.rows), batchSize: o.loop.batchSize, gradAccumSteps: o.loop.optimizer.gradAccumSteps,
    optimizer: optimizerConfig(o.loop.optimizer), schedule: scheduleConfig(o.loop.optimizer), clipNorm: o.loop.optimizer.clipNorm,
    logEvery: o.loop.logEvery, checkpointEvery: o.loop.checkpointEvery, keepCheckpoints: o.loop.keepCheckpoints,
    resume: o.resume, fingerprint: o.fingerprint, log: o.log, onStep: o.onStep, checkpointFiles: () => hfFiles(o.model),
    heldOutBatch: held && n > 0 ? () => held.makeBatch(Int32Array.from({ length: n }, (_, i) => i)) : undefined,
  });
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
  for (const [name, content] of Object.entries(hfFiles(model))) writeFileAtomic(join(dir, name), typeof content === 'function' ? content() : content);
}

/** Write the HF files as a new folder, atomically. */
export function writeHfDir(dir: string, model: SwitchTransformer): void {
  writeDirAtomic(dir, hfFiles(model));
}
