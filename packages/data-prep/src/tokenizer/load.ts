// loadTokenizer(dir | file): a tokenizer.json, or a folder with tokenizer.json, or (when a
// folder has only that) a sentencepiece spiece.model converted on the fly.
import { existsSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import { DataPrepError } from '../errors.js';
import { readJsonFile } from '../text-file.js';
import { tokenizerFromJson } from './hf-tokenizer.js';
import { parseSpModel, spModelToTokenizerJson } from './spiece.js';
import type { Tokenizer, TokenizerJson } from './types.js';

export interface LoadTokenizerOptions {
  /**
   * `<extra_id_N>` sentinels to append when converting a spiece.model. Defaults to the
   * folder's tokenizer_config.json `extra_ids`, else 100 when it names a T5 tokenizer class,
   * else 0.
   */
  extraIds?: number;
}

export function loadTokenizer(path: string, opts: LoadTokenizerOptions = {}): Tokenizer {
  if (!existsSync(path)) throw new DataPrepError('tokenizer not found', { file: path });
  if (statSync(path).isFile()) return basename(path).endsWith('.model') ? fromSpiece(path, opts) : fromJsonFile(path);
  const json = join(path, 'tokenizer.json');
  if (existsSync(json)) return fromJsonFile(json);
  const sp = join(path, 'spiece.model');
  if (existsSync(sp)) return fromSpiece(sp, opts);
  throw new DataPrepError('no tokenizer.json or spiece.model in the folder', { file: path });
}

function fromJsonFile(file: string): Tokenizer {
  const json = readJsonFile<TokenizerJson>(file, 'a Hugging Face tokenizer.json object');
  if (!json || typeof json !== 'object' || !json.model || !Array.isArray(json.added_tokens)) throw new DataPrepError('not a tokenizer.json (needs "model" and "added_tokens")', { file });
  return tokenizerFromJson(json, file);
}

function fromSpiece(file: string, opts: LoadTokenizerOptions): Tokenizer {
  let extraIds = opts.extraIds;
  const cfgPath = join(file, '..', 'tokenizer_config.json');
  if (extraIds === undefined && existsSync(cfgPath)) {
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as { extra_ids?: number; tokenizer_class?: string };
    extraIds = cfg.extra_ids ?? (/^T5Tokenizer/.test(cfg.tokenizer_class ?? '') ? 100 : undefined);
  }
  return tokenizerFromJson(spModelToTokenizerJson(parseSpModel(readFileSync(file), file), { extraIds: extraIds ?? 0, file }), file);
}

/** Write `tokenizer.json` (stable key order, 2-space indent) for `loadTokenizer` to read back. */
export function saveTokenizer(tok: Tokenizer, file: string): void {
  writeFileSync(file, JSON.stringify(tok.toJSON(), null, 2) + '\n');
}
