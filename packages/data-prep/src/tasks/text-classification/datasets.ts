// The minimal interface between classification datasets and the `text-classification` data-prep
// task: a dataset is a loader returning `{ text, label }` examples per split plus the label names.
// Datasets register by name (the config's `classification.dataset`); the dataset loaders
// (BANKING77, SST-2, SST-5, IMDb) plug in here with one registration each, tests register their own.
import type { SplitName } from '../../types.js';
import { DataPrepError } from '../../errors.js';
import { didYouMean } from '../../text-classification/did-you-mean.js';

export interface ClassificationExample {
  text: string;
  /** Class index into `labelNames`; null when the split carries no label. */
  label: number | null;
}

export interface ClassificationDataset {
  /** Class names; label i is labelNames[i]. */
  labelNames: string[];
  /** Splits present (train required). */
  splits: Partial<Record<SplitName, ClassificationExample[]>>;
  /** One line naming where the data came from (recorded in the manifest and classification.json). */
  description: string;
}

export interface ClassificationLoadOptions {
  env: NodeJS.ProcessEnv;
  log(message: string): void;
  /** The config's `classification.path`: an explicit copy of the dataset. */
  path?: string;
  /** The config's `classification.imdb`: IMDb review truncation. */
  imdb?: { maxTokens?: number; maxChars?: number };
}

export type ClassificationDatasetLoader = (o: ClassificationLoadOptions) => Promise<ClassificationDataset>;

const datasets = new Map<string, ClassificationDatasetLoader>();

/** Add a dataset under `name` (a second registration of a name with another loader is an error). */
export function registerClassificationDataset(name: string, loader: ClassificationDatasetLoader): void {
  const prev = datasets.get(name);
  if (prev && prev !== loader) throw new DataPrepError(`classification dataset "${name}" is already registered`);
  datasets.set(name, loader);
}

export function classificationDatasetNames(): string[] {
  return [...datasets.keys()].sort();
}

export function classificationDataset(name: string): ClassificationDatasetLoader {
  const d = datasets.get(name);
  if (!d) throw new DataPrepError(`unknown classification dataset "${name}"${didYouMean(name, datasets.keys())}; registered: ${classificationDatasetNames().join(', ') || '(none)'}`, { field: 'classification.dataset' });
  return d;
}
