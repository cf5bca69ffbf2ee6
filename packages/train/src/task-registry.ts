// The training side of a task family: how its model is built, loaded, re-routed and saved, and
// how the model and a prepared split meet the generic loop (the TrainTask + BatchSource seam of
// types.ts). The generic stages (base-model, train) look the family up by the task the data was
// prepared for (or the stage config's `task`), and contain nothing task-specific. A family
// registers itself from its own folder (src/tasks/<family>/); tasks/index.ts registers the
// built-in ones.
import type { Rng } from '@switchyard/tensor-engine';
import type { BatchSource, TrainTask } from './types.js';
import type { LoopSection } from './config.js';
import type { FileContent } from '@switchyard/runtime';

export interface CreateModelArgs {
  /** Model preset (model-core PRESETS for Switch families). */
  preset: string;
  /** Config keys applied over the preset. */
  configOverrides: Record<string, unknown>;
  /** A number, or "tokenizer": the prepared data's tokenizer size. */
  vocabSize: 'tokenizer' | number;
  /** The prepared data folder. */
  dataDir: string;
  /** Initialisation randomness. */
  rng: Rng;
  /** The router the run will use (train without a base input), for families that build routers with the model. */
  router?: { type: string; [k: string]: unknown };
}

/** M: the family's model; B: its batch. */
export interface TrainFamily<M = unknown, B = unknown> {
  /** Task name, as data-prep's `task`. */
  readonly name: string;
  /** base-model, source "pretrain": a freshly initialised model. */
  createModel(a: CreateModelArgs): M;
  /**
   * A saved model folder (base-model "import", train's base). `dataDir`, when the stage has a data
   * input, lets a family size the loaded model for the data (text-classification: an LM checkpoint
   * becomes a classifier for the data's vocabulary and classes).
   */
  loadModel(dir: string, o: { seed: number; configOverrides?: Record<string, unknown>; dataDir?: string }): Promise<M>;
  /** train: a fresh router of `router` in every sparse layer, the `freeze` groups excluded from updates. */
  replaceRouters(model: M, router: { type: string; [k: string]: unknown }, rng: Rng, freeze: string[]): void;
  /** The model as the loop's TrainTask. */
  trainTask(model: M): TrainTask<B>;
  /**
   * A prepared split as the loop's BatchSource. `purpose` "train" checks the split against the
   * model (and throws when it is empty); "held-out" returns undefined for an empty split.
   */
  batchSource(model: M, dataDir: string, split: string, loop: LoopSection, purpose: 'train' | 'held-out'): BatchSource<B> | undefined;
  /** The files of a saved model (e.g. config.json + model.safetensors), built when written. */
  modelFiles(model: M): Record<string, FileContent>;
  /**
   * Files a model folder carries from its prepared data, so that the folder alone turns raw input
   * into output (summarisation: tokenizer.json and the input prefix). Optional.
   */
  copyDataFiles?(dataDir: string, modelDir: string): void;
  /** What the stages record about the model. */
  describe(model: M): { vocabSize: number; sparseLayers: number };
  dispose(model: M): void;
}

const families = new Map<string, TrainFamily>();

export function registerTrainFamily<M, B>(family: TrainFamily<M, B>): void {
  const prev = families.get(family.name);
  if (prev && prev !== (family as TrainFamily)) throw new Error(`train: task "${family.name}" is already registered`);
  families.set(family.name, family as TrainFamily);
}

export function trainFamilyNames(): string[] {
  return [...families.keys()].sort();
}

export function trainFamily(name: string): TrainFamily {
  const f = families.get(name);
  if (!f) throw new Error(`train: no training for task "${name}"; registered tasks: ${trainFamilyNames().join(', ') || '(none)'}`);
  return f;
}
