// Which copy of a classification dataset to read, in the order the SAMSum source uses:
//   1. an explicit path;
//   2. the dataset's environment variable (BANKING77_DIR, SST2_DIR, SST5_DIR, IMDB_DIR); set
//      but missing is an error, not a fall-through;
//   3. the embedded copy, which only BANKING77 has (datasets/embedded-banking77, CC BY 4.0).
// Otherwise an error says which variable to set. The choice is one notice line.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataPrepError } from '../errors.js';
import { embeddedDatasetDir } from '../embedded-datasets.js';
import { didYouMean } from './did-you-mean.js';
import { CLASSIFICATION_DATASETS, type ClassificationDatasetName } from './types.js';

export const CLASSIFICATION_ENV: Record<ClassificationDatasetName, string> = {
  banking77: 'BANKING77_DIR', sst2: 'SST2_DIR', sst5: 'SST5_DIR', imdb: 'IMDB_DIR',
};

export const CLASSIFICATION_TITLES: Record<ClassificationDatasetName, string> = {
  banking77: 'BANKING77', sst2: 'SST-2 (GLUE)', sst5: 'SST-5 (PTB trees)', imdb: 'IMDb (aclImdb)',
};

const EXPECTED: Record<ClassificationDatasetName, string> = {
  banking77: 'a folder with train.csv, test.csv and categories.json',
  sst2: 'a folder with GLUE train.tsv (or train.tsv.gz) and dev.tsv',
  sst5: 'trainDevTestTrees_PTB.zip or a folder holding it',
  imdb: 'aclImdb_v1.tar.gz / aclImdb_v1.labeled.tar.gz, a folder holding one, or the aclImdb folder',
};

export interface ResolvedClassificationSource {
  dataset: ClassificationDatasetName;
  via: 'path' | 'env' | 'embedded';
  path: string;
  notice: string;
}

export function checkDatasetName(name: string): ClassificationDatasetName {
  if ((CLASSIFICATION_DATASETS as readonly string[]).includes(name)) return name as ClassificationDatasetName;
  throw new DataPrepError(`unknown classification dataset ${JSON.stringify(name)}, expected one of ${CLASSIFICATION_DATASETS.join(', ')}${didYouMean(name, CLASSIFICATION_DATASETS)}`);
}

/** datasets/embedded-banking77, found from this file (src/ and dist/ sit at the same depth). */
export function embeddedBanking77Dir(): string {
  return embeddedDatasetDir('embedded-banking77', 'train.csv', 'SWITCHYARD_EMBEDDED_BANKING77');
}

export function resolveClassificationSource(
  dataset: ClassificationDatasetName, path?: string, env: NodeJS.ProcessEnv = process.env,
): ResolvedClassificationSource {
  const title = CLASSIFICATION_TITLES[dataset];
  if (path !== undefined) {
    const p = resolve(path);
    if (!existsSync(p)) throw new DataPrepError(`${title} source path not found (expected ${EXPECTED[dataset]})`, { file: p });
    return { dataset, via: 'path', path: p, notice: `data source: ${title} from ${p} (given path)` };
  }
  const name = CLASSIFICATION_ENV[dataset];
  const fromEnv = env[name];
  if (fromEnv) {
    const p = resolve(fromEnv);
    if (!existsSync(p)) throw new DataPrepError(`${name} is set but does not exist (expected ${EXPECTED[dataset]})`, { file: p });
    return { dataset, via: 'env', path: p, notice: `data source: ${title} from ${name}=${p}` };
  }
  if (dataset === 'banking77') {
    const p = embeddedBanking77Dir();
    return { dataset, via: 'embedded', path: p, notice: `data source: ${title} embedded copy ${p} (real data, CC BY 4.0, PolyAI)` };
  }
  throw new DataPrepError(`no ${title} data: pass a path or set ${name} to ${EXPECTED[dataset]} (there is no embedded copy)`);
}
