// The four datasets of the CompeteSMoE fine-tuning study as `text-classification` datasets, read
// by ../../text-classification/load.ts (BANKING77 falls back to its embedded copy; SST-2, SST-5,
// IMDb need a path or their *_DIR variable). Split names: the loaders' `dev` is `validation`
// here; BANKING77 and IMDb have train/test only, SST-2 train/validation (GLUE's test has no
// labels), SST-5 all three.
import { loadClassificationDataset } from '../../text-classification/load.js';
import { CLASSIFICATION_DATASETS } from '../../text-classification/types.js';
import { registerClassificationDataset, type ClassificationDataset } from './datasets.js';

export function registerBuiltinClassificationDatasets(): void {
  for (const name of CLASSIFICATION_DATASETS) {
    registerClassificationDataset(name, async (o): Promise<ClassificationDataset> => {
      const d = await loadClassificationDataset(name, { path: o.path, env: o.env, imdb: o.imdb });
      for (const n of d.notes) o.log(`${name}: ${n}`);
      const splits: ClassificationDataset['splits'] = {};
      if (d.splits.train) splits.train = d.splits.train;
      if (d.splits.dev) splits.validation = d.splits.dev;
      if (d.splits.test) splits.test = d.splits.test;
      return { labelNames: d.labelNames, splits, description: `${d.notice}${d.notes.length ? ` (${d.notes.join('; ')})` : ''}` };
    });
  }
}
