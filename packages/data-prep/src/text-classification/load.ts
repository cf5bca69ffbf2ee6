// One entry point for the four classification datasets: resolve the source, read it with the
// dataset's loader, and return labelled splits, label names, the files read and the notices.
// Splits: BANKING77 train/test, SST-2 train/dev (GLUE test is unlabelled), SST-5
// train/dev/test, IMDb train/test.
import { loadBanking77 } from '../loaders/banking77.js';
import { loadSst2, SST2_LABEL_NAMES } from '../loaders/sst2.js';
import { loadSst5, SST5_LABEL_NAMES } from '../loaders/sst5.js';
import { loadImdb, IMDB_LABEL_NAMES, type ImdbOptions } from '../loaders/imdb.js';
import { checkDatasetName, resolveClassificationSource } from './source.js';
import type { ClassificationData, ClassificationDatasetName, ClassificationSplit } from './types.js';

export interface LoadClassificationOptions {
  /** Explicit file or folder; else the dataset's environment variable; else the embedded copy. */
  path?: string;
  env?: NodeJS.ProcessEnv;
  /** IMDb truncation (the others ignore it). */
  imdb?: ImdbOptions;
}

export async function loadClassificationDataset(dataset: ClassificationDatasetName, opts: LoadClassificationOptions = {}): Promise<ClassificationData> {
  checkDatasetName(dataset);
  const src = resolveClassificationSource(dataset, opts.path, opts.env);
  const base = { dataset, notice: src.notice };
  switch (dataset) {
    case 'banking77': {
      const d = loadBanking77(src.path);
      return { ...base, labelNames: d.labelNames, splits: { train: d.train, test: d.test }, files: d.files,
        notes: [`label names from ${d.labelSource}`, 'BANKING77 has no dev split: evaluate on test'] };
    }
    case 'sst2': {
      const d = loadSst2(src.path);
      const notes = ['sentences trimmed (GLUE ends each train/dev sentence with a space)'];
      if (d.unlabelledTest !== undefined) notes.push(`test.tsv has ${d.unlabelledTest} sentences and no labels (GLUE hides them): not a labelled split`);
      else notes.push('no test.tsv (GLUE test has no labels anyway)');
      return { ...base, labelNames: SST2_LABEL_NAMES, splits: { train: d.train, dev: d.dev }, files: { train: d.files.train, dev: d.files.dev }, notes };
    }
    case 'sst5': {
      const d = loadSst5(src.path);
      return { ...base, labelNames: SST5_LABEL_NAMES, splits: { train: d.train, dev: d.dev, test: d.test }, files: d.files,
        notes: ['sentence = root leaves joined by spaces (original case, -LRB-/-RRB- kept); class = root label'] };
    }
    case 'imdb': {
      const o = opts.imdb ?? {};
      const d = await loadImdb(src.path, o);
      const limits = [o.maxTokens !== undefined ? `first ${o.maxTokens} whitespace tokens` : '', o.maxChars !== undefined ? `first ${o.maxChars} characters` : ''].filter(Boolean).join(', then ');
      const notes = [limits
        ? `reviews truncated to the ${limits}: ${d.truncated.train} of ${d.train.length} train and ${d.truncated.test} of ${d.test.length} test reviews were shortened`
        : 'reviews not truncated', 'IMDb has no dev split: evaluate on test'];
      return { ...base, labelNames: IMDB_LABEL_NAMES, splits: { train: d.train, test: d.test }, files: { train: d.source, test: d.source }, notes };
    }
  }
}

/** The split accuracy is reported on: dev where the dataset has one (the reference reports dev), else test. */
export function evaluationSplit(data: ClassificationData): ClassificationSplit {
  if (data.splits.dev) return 'dev';
  if (data.splits.test) return 'test';
  throw new Error(`${data.dataset} has no labelled dev or test split`);
}

/**
 * The texts the reference builds its word vocabulary from: train + its "dev" file, which is the
 * evaluation split (dev, or test for BANKING77 and IMDb, which have no dev). Pass
 * `{ withEvaluation: false }` for a train-only vocabulary.
 */
export function vocabularyTexts(data: ClassificationData, opts: { withEvaluation?: boolean } = {}): string[] {
  const texts = data.splits.train!.map((r) => r.text);
  if (opts.withEvaluation ?? true) for (const r of data.splits[evaluationSplit(data)]!) texts.push(r.text);
  return texts;
}
