// Where the embedded datasets live: `datasets/<name>/` at the workspace root, found by walking up
// from this file (src/ and dist/ sit at the same depth), or the folder an environment variable
// names. One lookup for every embedded default (SAMSum-shaped corpus, enwik8 slice, Fashion-MNIST
// subset, BANKING77).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataPrepError } from './errors.js';

/**
 * The folder `datasets/<name>` that holds `marker` (a file every copy has). `envVar`, when set,
 * overrides the search with its own folder.
 */
export function embeddedDatasetDir(name: string, marker: string, envVar?: string): string {
  const fromEnv = envVar ? process.env[envVar] : undefined;
  if (fromEnv) return resolve(fromEnv);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 7; i++) {
    const cand = join(dir, 'datasets', name);
    if (existsSync(join(cand, marker))) return cand;
    dir = dirname(dir);
  }
  throw new DataPrepError(`embedded dataset datasets/${name} (with ${marker}) not found above the data-prep package${envVar ? ` (set ${envVar})` : ''}`);
}
