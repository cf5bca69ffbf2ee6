// A Tokenizer over a tokenizer.json document, run by @huggingface/tokenizers (pure JS, offline).
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { DataPrepError } from '../errors.js';
import { T5_EOS, T5_PAD, T5_UNK, type Tokenizer, type TokenizerJson } from './types.js';

export function tokenizerFromJson(json: TokenizerJson, source = 'tokenizer.json'): Tokenizer {
  let hf: HfTokenizer;
  try {
    // clean_up_tokenization_spaces off: sentencepiece does not re-attach punctuation on decode.
    hf = new HfTokenizer(json, { clean_up_tokenization_spaces: false });
  } catch (e) {
    throw new DataPrepError(`cannot build a tokenizer (${(e as Error).message})`, { file: source });
  }
  memoiseWords(hf);
  const idOf = (t: string) => hf.token_to_id(t);
  const padId = idOf(T5_PAD);
  const eosId = idOf(T5_EOS);
  const modelUnk = typeof json.model.unk_id === 'number' ? json.model.unk_id : undefined;
  const unkId = modelUnk ?? idOf(T5_UNK);
  if (padId === undefined || eosId === undefined || unkId === undefined) {
    throw new DataPrepError(`tokenizer lacks ${[padId === undefined && T5_PAD, eosId === undefined && T5_EOS, unkId === undefined && T5_UNK].filter(Boolean).join(', ')} (T5 conventions: pad, eos and unk tokens are required)`, { file: source });
  }
  const modelSize = Array.isArray(json.model.vocab) ? json.model.vocab.length : Object.keys(json.model.vocab as object).length;
  const vocabSize = Math.max(modelSize, ...json.added_tokens.map((t) => t.id + 1));
  const special = new Set(json.added_tokens.filter((t) => t.special).map((t) => t.id));
  return {
    vocabSize, padId, eosId, unkId,
    encode: (text: string) => hf.encode(text, { add_special_tokens: false }).ids,
    decode: (ids: readonly number[]) => {
      const kept = ids.filter((i) => !special.has(i));
      return kept.length === 0 ? '' : hf.decode(kept, { skip_special_tokens: true });
    },
    toJSON: () => json,
  };
}

/**
 * tokenizers.js segments each pre-tokenized word with a fresh lattice (~0.02 ms a word); chats
 * repeat words constantly, so the model's per-word `tokenize` (a pure function of the word) is
 * memoised. Bounded so a huge corpus cannot grow it without limit.
 */
function memoiseWords(hf: HfTokenizer): void {
  const model = hf.model as unknown as { tokenize?: (word: string) => string[] } | null;
  if (!model || typeof model.tokenize !== 'function') return;
  const inner = model.tokenize.bind(model);
  const cache = new Map<string, string[]>();
  model.tokenize = (word: string) => {
    let r = cache.get(word);
    if (r === undefined) {
      r = inner(word);
      if (cache.size < 500_000) cache.set(word, r);
    }
    return r;
  };
}
