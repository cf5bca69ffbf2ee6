// Readers of a language-modelling prepared folder (written by prepare.ts):
//   train.arrow, validation.arrow, test.arrow   one int32 column `token`, the stream in order
//   vocab.json                                  { unit, vocab: token string of each id }
//   lm-corpus.json                              corpus kind, source, split rule, tokens per split
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readArrowFile } from '@switchyard/runtime';
import { readJsonFile } from '../../text-file.js';
import { DataPrepError } from '../../errors.js';
import type { LmCorpusKind } from '../../loaders/lm-corpora.js';

export const LM_TOKEN_COLUMN = 'token';
export const LM_VOCAB_FILE = 'vocab.json';
export const LM_CORPUS_FILE = 'lm-corpus.json';
/** The prepared folder's split names (data-prep's), and the corpus's own (`valid`). */
export const LM_PREPARED_SPLITS = ['train', 'validation', 'test'] as const;
export type LmPreparedSplit = (typeof LM_PREPARED_SPLITS)[number];

export interface LmVocabFile {
  unit: 'byte' | 'character' | 'word';
  vocab: string[];
}

export interface LmCorpusInfo {
  kind: LmCorpusKind;
  unit: 'byte' | 'character' | 'word';
  /** How the source was chosen and what was read. */
  source: { via: string; path: string; read: string; notice: string };
  splitRule: 'standard' | 'proportional-90-5-5' | 'files';
  vocabSize: number;
  /** Tokens per prepared split. */
  tokens: Partial<Record<LmPreparedSplit, number>>;
  /** The headline metric of the corpus: bits per character (enwik8, text8) or perplexity (WikiText). */
  metric: 'bpc' | 'ppl';
}

/** The token stream of one prepared split. [n] int32 */
export function readLmSplit(dir: string, split: string): Int32Array {
  const file = join(dir, `${split}.arrow`);
  if (!existsSync(file)) throw new DataPrepError(`no ${split} split in this language-modelling folder (has ${LM_PREPARED_SPLITS.filter((s) => existsSync(join(dir, `${s}.arrow`))).join(', ') || 'none'})`, { file });
  const table = readArrowFile(file, { [LM_TOKEN_COLUMN]: 'int32' });
  const col = table.getChild(LM_TOKEN_COLUMN)!;
  const out = new Int32Array(table.numRows);
  let at = 0;
  // A chunk's values buffer may run past its rows (Arrow pads buffers to 8 bytes): copy its rows only.
  for (const chunk of col.data) { out.set((chunk.values as Int32Array).subarray(chunk.offset, chunk.offset + chunk.length), at); at += chunk.length; }
  return out;
}

export function readLmVocab(dir: string): LmVocabFile {
  const file = join(dir, LM_VOCAB_FILE);
  if (!existsSync(file)) throw new DataPrepError('no vocab.json (not a language-modelling data-prep folder?)', { file });
  const v = readJsonFile<LmVocabFile>(file, 'the vocab.json object data-prep writes');
  if (!Array.isArray(v.vocab) || v.vocab.length === 0) throw new DataPrepError('expected a non-empty "vocab" array', { file, field: 'vocab' });
  return v;
}

export function readLmCorpusInfo(dir: string): LmCorpusInfo {
  const file = join(dir, LM_CORPUS_FILE);
  if (!existsSync(file)) throw new DataPrepError('no lm-corpus.json (not a language-modelling data-prep folder?)', { file });
  return readJsonFile<LmCorpusInfo>(file, 'the lm-corpus.json object data-prep writes');
}
