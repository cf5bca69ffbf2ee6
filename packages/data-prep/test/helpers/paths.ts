// Paths the tests need: the repo root and the shared SAMSum folder beside it (read at test time
// only; the project keeps no copy of SAMSum).
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const sharedSamsum = resolve(repoRoot, '../shared/datasets/samsum');
export const hasSharedSamsum = existsSync(resolve(sharedSamsum, 'val.json')) && existsSync(resolve(sharedSamsum, 'hf_arrow'));
export const fixtures = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures');
