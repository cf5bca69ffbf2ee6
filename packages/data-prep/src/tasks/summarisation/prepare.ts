// Data preparation of the summarisation task (dialogue → summary), independent of how it is
// invoked (pipeline stage or CLI): resolve sources → load and validate splits → normalise →
// tokenizer (train or load) → tokenise with eos and truncation → one Arrow file per split +
// tokenizer.json + stats.json.
import { join, relative, isAbsolute } from 'node:path';
import { makeTable, ProgressLine, writeArrowFile } from '@switchyard/runtime';
import type { DataPrepConfig } from '../../config.js';
import { planCorpus, loadPlannedSplit, type LoadedSplit } from '../../corpus.js';
import { normaliseText, withEos } from '../../normalise.js';
import { lengthStats, type LengthStats } from '../../stats.js';
import { loadTokenizer, saveTokenizer } from '../../tokenizer/load.js';
import { trainUnigram } from '../../tokenizer/train-unigram.js';
import { tokenizerFromJson } from '../../tokenizer/hf-tokenizer.js';
import type { Tokenizer } from '../../tokenizer/types.js';
import type { SkipRecord, SplitName } from '../../types.js';
import { DataPrepError, SKIPS_LISTED, describeSkip, withSkipped } from '../../errors.js';
import { writeFileSync } from 'node:fs';

/** Column kinds of a prepared split file (what readPreparedSplit checks). */
export const PREPARED_SCHEMA = {
  id: 'utf8', dialogue: 'utf8', summary: 'utf8',
  input_ids: 'list<int32>', labels: 'list<int32>', input_length: 'int32', label_length: 'int32',
} as const;

export interface SplitStats {
  rows: number;
  skipped: number;
  source: { via: string; path: string; split: string; files: string[]; format: string; datasetInfo?: { file: string; builder?: string; license?: string; expectedRows?: number } };
  /** Token lengths before truncation, eos included. */
  inputTokens: LengthStats;
  labelTokens: LengthStats;
  inputTruncated: number;
  labelTruncated: number;
}

export interface PreparedStats {
  splits: Partial<Record<SplitName, SplitStats>>;
  tokenizer: { type: string; vocabSize: number; padId: number; eosId: number; unkId: number; path?: string };
  normalise: DataPrepConfig['normalise'];
}

import type { PrepareHooks } from '../../task-registry.js';

export async function prepareData(cfg: DataPrepConfig, outDir: string, hooks: PrepareHooks): Promise<PreparedStats> {
  const skippedSoFar: SkipRecord[] = [];
  try {
    return await prepareSplits(cfg, outDir, hooks, skippedSoFar);
  } catch (e) {
    // A run that fails after skipping rows lists them in its error (no manifest is written).
    throw withSkipped(e, skippedSoFar);
  }
}

async function prepareSplits(cfg: DataPrepConfig, outDir: string, hooks: PrepareHooks, skippedSoFar: SkipRecord[]): Promise<PreparedStats> {
  const plans = planCorpus(cfg.source, cfg.splits, hooks.env ?? process.env, hooks.log);
  const sources = [...new Map(plans.map((p) => [p.source.path, p.source])).values()];
  hooks.record('source', sources.map((s) => ({ via: s.via, path: shown(s.path), notice: s.notice })));

  const loaded: LoadedSplit[] = [];
  for (const plan of plans) {
    const l = await loadPlannedSplit(plan, cfg.fields, cfg.onInvalid, cfg.maxRows?.[plan.split]);
    hooks.log(`${plan.split}: ${l.examples.length} rows from ${plan.location.path}${l.skipped.length ? `, ${l.skipped.length} skipped` : ''}`);
    for (const s of l.skipped.slice(0, SKIPS_LISTED)) hooks.log(`  skipped ${describeSkip(s)}`);
    if (l.skipped.length > SKIPS_LISTED) hooks.log(`  … and ${l.skipped.length - SKIPS_LISTED} more (all listed in the manifest under "skipped")`);
    skippedSoFar.push(...l.skipped);
    const expected = l.datasetInfo?.expectedRows;
    if (expected !== undefined && expected !== l.recordsRead) {
      hooks.log(`warning: ${plan.split}: read ${l.recordsRead} records but ${l.datasetInfo!.file} lists ${expected} for "${plan.sourceSplit}"`);
    }
    loaded.push(l);
  }
  const skipped: SkipRecord[] = loaded.flatMap((l) => l.skipped).map((r) => (r.file ? { ...r, file: shown(r.file) } : r));
  hooks.record('skipped', skipped);

  const norm = cfg.normalise;
  const texts = loaded.map((l) => l.examples.map((e) => ({
    id: e.id, dialogue: normaliseText(e.dialogue, norm), summary: normaliseText(e.summary, norm),
  })));

  let tok: Tokenizer;
  const tcfg = cfg.tokenizer;
  if (tcfg.type === 'pretrained') {
    tok = loadTokenizer(tcfg.path!, { extraIds: tcfg.extraIds });
  } else {
    const ti = loaded.findIndex((l) => l.split === 'train');
    if (ti < 0) throw new DataPrepError('tokenizer type "train" needs a train split; map one in "splits" or use a pretrained tokenizer');
    const corpus = texts[ti]!.flatMap((e) => [norm.prefix + e.dialogue, e.summary]);
    hooks.log(`training a unigram tokenizer (≤ ${tcfg.vocabSize} pieces) on ${corpus.length} texts…`);
    tok = tokenizerFromJson(trainUnigram(corpus, { vocabSize: tcfg.vocabSize, maxPieceLength: tcfg.maxPieceLength, extraIds: tcfg.extraIds ?? 0 }), 'trained tokenizer');
    hooks.log(`trained a unigram tokenizer: ${tok.vocabSize} ids`);
  }
  saveTokenizer(tok, join(outDir, 'tokenizer.json'));

  const stats: PreparedStats = {
    splits: {},
    tokenizer: { type: tcfg.type, vocabSize: tok.vocabSize, padId: tok.padId, eosId: tok.eosId, unkId: tok.unkId, ...(tcfg.path ? { path: tcfg.path } : {}) },
    normalise: norm,
  };
  loaded.forEach((l, k) => {
    const rows = texts[k]!;
    const inputIds: number[][] = [], labels: number[][] = [];
    const inRaw: number[] = [], labRaw: number[] = [];
    let inCut = 0, labCut = 0;
    // Splits of 1,000+ rows: a line at most every 5 s (checked every 100 rows) and the last.
    const progress = rows.length >= 1000 ? new ProgressLine({ total: rows.length, what: `tokenised ${l.split}`, unit: 'examples', log: (m) => hooks.log(m) }) : undefined;
    for (const [i, e] of rows.entries()) {
      if (i > 0 && i % 100 === 0) progress?.update(i);
      const a = tok.encode(norm.prefix + e.dialogue);
      const b = tok.encode(e.summary);
      inRaw.push(a.length + 1);
      labRaw.push(b.length + 1);
      const ai = withEos(a, tok.eosId, norm.maxSourceLength);
      const bi = withEos(b, tok.eosId, norm.maxTargetLength);
      if (ai.truncated) inCut++;
      if (bi.truncated) labCut++;
      inputIds.push(ai.ids);
      labels.push(bi.ids);
    }
    progress?.update(rows.length);
    const table = makeTable({
      id: { kind: 'utf8', values: rows.map((e) => e.id) },
      dialogue: { kind: 'utf8', values: rows.map((e) => e.dialogue) },
      summary: { kind: 'utf8', values: rows.map((e) => e.summary) },
      input_ids: { kind: 'list<int32>', values: inputIds },
      labels: { kind: 'list<int32>', values: labels },
      input_length: { kind: 'int32', values: inputIds.map((x) => x.length) },
      label_length: { kind: 'int32', values: labels.map((x) => x.length) },
    });
    writeArrowFile(join(outDir, `${l.split}.arrow`), table);
    stats.splits[l.split] = {
      rows: rows.length,
      skipped: l.skipped.length,
      source: { via: l.source.via, path: shown(l.source.path), split: l.sourceSplit, files: l.location.files.map(shown), format: l.location.format, ...(l.datasetInfo ? { datasetInfo: { ...l.datasetInfo, file: shown(l.datasetInfo.file) } } : {}) },
      inputTokens: lengthStats(inRaw),
      labelTokens: lengthStats(labRaw),
      inputTruncated: inCut,
      labelTruncated: labCut,
    };
    hooks.log(`${l.split}: input tokens p50 ${stats.splits[l.split]!.inputTokens.p50} max ${stats.splits[l.split]!.inputTokens.max}, ${inCut} inputs and ${labCut} labels truncated`);
  });
  writeFileSync(join(outDir, 'stats.json'), JSON.stringify(stats, null, 2) + '\n');
  hooks.record('stats', stats);
  hooks.record('rows', Object.fromEntries(Object.entries(stats.splits).map(([s, v]) => [s, v!.rows])));
  return stats;
}

/**
 * Paths in stats.json and the manifest are relative to the working directory when inside it,
 * so two clones of the repo (a developer's and CI's) write identical outputs.
 */
function shown(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}
