// Shared loading of the golden ROUGE data: the fixture copy (no SAMSum text) and, when the
// shared folder exists, the full rouge.json whose `samsum` pairs must be read in place.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface GoldenScore { precision: number; recall: number; fmeasure: number }
export type GoldenScores = Record<string, GoldenScore>;
export interface GoldenPair {
  id: number; category: string; note: string; prediction: string; reference: string;
  scores: { nostem: GoldenScores; stem: GoldenScores };
  tokens: { nostem: { prediction: string[]; reference: string[] }; stem: { prediction: string[]; reference: string[] } };
}
export interface GoldenMulti {
  id: number; note: string; prediction: string; references: string[];
  scores: { nostem: GoldenScores; stem: GoldenScores };
}
export interface GoldenFull {
  pairs: GoldenPair[];
  multi_reference: GoldenMulti[];
  aggregates_all_pairs: Record<'nostem' | 'stem', {
    mean_fmeasure: Record<string, number>;
    bootstrap_seed42_mid_fmeasure: Record<string, number>;
    bootstrap_seed42_full: Record<string, Record<'low' | 'mid' | 'high', GoldenScore>>;
  }>;
  aggregates_first10_mean_fmeasure: Record<'nostem' | 'stem', Record<string, number>>;
  porter_stem_examples: Record<string, string>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');
export const fixturesDir = path.join(here, 'fixtures');
export const sharedRougePath = path.resolve(repoRoot, '../shared/golden/rouge.json');

export function loadFixtureGolden(): Omit<GoldenFull, 'aggregates_all_pairs'> {
  return JSON.parse(readFileSync(path.join(fixturesDir, 'rouge-golden.json'), 'utf8'));
}

/** The full golden file from ../shared, or null (with a console message) when it is absent. */
export function loadSharedGolden(): GoldenFull | null {
  if (!existsSync(sharedRougePath)) {
    console.log(`skipping SAMSum-derived ROUGE golden checks: ${sharedRougePath} not found`);
    return null;
  }
  return JSON.parse(readFileSync(sharedRougePath, 'utf8'));
}

export const MODES = ['nostem', 'stem'] as const;
export const TYPES = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'] as const;
export const FIELDS = ['precision', 'recall', 'fmeasure'] as const;

/** Largest absolute difference between computed and golden P/R/F over the four types. */
export function maxScoreDiff(got: Record<string, GoldenScore | undefined>, want: GoldenScores): number {
  let d = 0;
  for (const t of TYPES) for (const f of FIELDS) d = Math.max(d, Math.abs(got[t]![f] - want[t]![f]));
  return d;
}
