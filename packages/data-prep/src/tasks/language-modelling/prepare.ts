// The language-modelling task family, data side: a character/byte or word corpus (enwik8, text8,
// WikiText-2/103 via loaders/lm-corpora.ts) becomes three token streams in Arrow (one int32
// column `token`, in stream order), the vocabulary and a description of the corpus (prepared.ts).
// Source resolution (config `lm.source`):
//   {path}       that file or folder (raw, .gz, .zip, or a folder holding one);
//   "auto"       the corpus's environment variable (ENWIK8_DIR, TEXT8_DIR, WIKITEXT_DIR — set but
//                missing is an error, not a fall-through), else for enwik8 the embedded slice
//                (datasets/embedded-enwik8, enwik8's first 10^6 bytes, CC BY-SA), else an error
//                saying which variable to set;
//   "embedded"   the embedded enwik8 slice (enwik8 only).
// Splits: enwik8/text8 standard 90M/5M/5M for complete files, else 90/5/5 contiguous from the end
// (`lm.split` forces one); WikiText its files. The corpus's `valid` is written as `validation`.
import { existsSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { makeTable, writeArrowFile } from '@switchyard/runtime';
import type { DataPrepConfig, LmDataConfig } from '../../config.js';
import type { PrepareHooks } from '../../task-registry.js';
import { DataPrepError } from '../../errors.js';
import { embeddedEnwik8Path, loadLmCorpus, type LmCorpusKind, type LmSplitName } from '../../loaders/lm-corpora.js';
import { LM_CORPUS_FILE, LM_TOKEN_COLUMN, LM_VOCAB_FILE, type LmCorpusInfo, type LmPreparedSplit } from './prepared.js';
import { writeFileSync } from 'node:fs';

/** The environment variable naming each corpus's location. */
export const LM_CORPUS_ENV: Record<LmCorpusKind, string> = { enwik8: 'ENWIK8_DIR', text8: 'TEXT8_DIR', 'wikitext-2': 'WIKITEXT_DIR', 'wikitext-103': 'WIKITEXT_DIR' };

export const DEFAULT_LM_DATA: LmDataConfig = { corpus: 'enwik8', source: 'auto', split: 'auto' };

/** Paths inside the working directory are recorded relative to it, so clones record the same. */
function shown(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}

/** Where the corpus comes from, and the one-line notice saying so. */
export function resolveLmSource(lm: LmDataConfig, env: NodeJS.ProcessEnv = process.env): { via: string; path: string; notice: string } {
  const kind = lm.corpus;
  const embedded = (): { via: string; path: string; notice: string } => {
    if (kind !== 'enwik8') throw new DataPrepError(`lm.source "embedded" exists only for enwik8 (datasets/embedded-enwik8); for ${kind} give {"path": ...} or set ${LM_CORPUS_ENV[kind]}`, { field: 'lm.source' });
    const path = embeddedEnwik8Path();
    return { via: 'embedded-enwik8', path, notice: `data source: embedded enwik8 slice (first 1,000,000 bytes, CC BY-SA) ${shown(path)}` };
  };
  if (typeof lm.source === 'object') return { via: 'path', path: lm.source.path, notice: `data source: ${kind} from ${lm.source.path}` };
  if (lm.source === 'embedded') return embedded();
  const name = LM_CORPUS_ENV[kind];
  const dir = env[name];
  if (dir) {
    if (!existsSync(dir)) throw new DataPrepError(`${name} is set but does not exist`, { file: dir });
    return { via: name, path: dir, notice: `data source: ${kind} from ${dir} (${name})` };
  }
  if (kind === 'enwik8') return embedded();
  throw new DataPrepError(`no ${kind} source: set ${name} to the corpus (file, zip or folder) or give "lm": {"source": {"path": ...}}; only enwik8 has an embedded slice`, { field: 'lm.source' });
}

const PREPARED_NAME: Record<LmSplitName, LmPreparedSplit> = { train: 'train', valid: 'validation', test: 'test' };

export async function prepareLanguageModelling(cfg: DataPrepConfig, outDir: string, hooks: PrepareHooks): Promise<LmCorpusInfo> {
  const lm: LmDataConfig = { ...DEFAULT_LM_DATA, ...(cfg.lm ?? {}) };
  const src = resolveLmSource(lm, hooks.env ?? process.env);
  hooks.log(src.notice);
  const corpus = loadLmCorpus({ kind: lm.corpus, path: src.path, split: lm.split, splits: lm.splits });
  const tokens: LmCorpusInfo['tokens'] = {};
  for (const [name, stream] of Object.entries(corpus.splits) as [LmSplitName, Int32Array][]) {
    const split = PREPARED_NAME[name];
    writeArrowFile(join(outDir, `${split}.arrow`), makeTable({ [LM_TOKEN_COLUMN]: { kind: 'int32', values: stream as unknown as number[] } }));
    tokens[split] = stream.length;
  }
  writeFileSync(join(outDir, LM_VOCAB_FILE), `${JSON.stringify({ unit: corpus.unit, vocab: corpus.vocab })}\n`);
  const info: LmCorpusInfo = {
    kind: corpus.kind, unit: corpus.unit,
    source: { via: src.via, path: shown(src.path), read: shown(corpus.source), notice: src.notice },
    splitRule: corpus.splitRule, vocabSize: corpus.vocab.length, tokens,
    metric: corpus.kind === 'enwik8' || corpus.kind === 'text8' ? 'bpc' : 'ppl',
  };
  writeFileSync(join(outDir, LM_CORPUS_FILE), `${JSON.stringify(info, null, 2)}\n`);
  hooks.record('source', [{ via: src.via, path: info.source.path, notice: src.notice }]);
  hooks.record('stats', info);
  hooks.record('rows', tokens);
  hooks.log(`${corpus.kind}: ${corpus.unit}s, vocabulary ${info.vocabSize}, split ${corpus.splitRule}: ${Object.entries(tokens).map(([s, n]) => `${s} ${n.toLocaleString('en-US')}`).join(', ')}`);
  return info;
}
