// What the text-classification loaders return: labelled texts per split, the label names
// (label i is labelNames[i]) and where each split was read from.

export interface LabelledText {
  text: string;
  /** 0-based class index into `labelNames`. */
  label: number;
}

export type ClassificationDatasetName = 'banking77' | 'sst2' | 'sst5' | 'imdb';

export const CLASSIFICATION_DATASETS: readonly ClassificationDatasetName[] = ['banking77', 'sst2', 'sst5', 'imdb'];

/** `dev` is the split the reference reports on; a dataset without one has only train/test. */
export type ClassificationSplit = 'train' | 'dev' | 'test';

export interface ClassificationData {
  dataset: ClassificationDatasetName;
  labelNames: string[];
  /** Only labelled splits are here (GLUE's SST-2 test has no labels: see `notes`). */
  splits: Partial<Record<ClassificationSplit, LabelledText[]>>;
  /** The file (or archive member) each split came from. */
  files: Partial<Record<ClassificationSplit, string>>;
  /** One line: which copy of the data was used and how it was chosen. */
  notice: string;
  /** Facts a user should see: unlabelled splits left out, truncation applied, ... */
  notes: string[];
}
