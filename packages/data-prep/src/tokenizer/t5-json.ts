// Builds a tokenizer.json with the structure of the Hugging Face T5 / Switch tokenizers: a
// Unigram model, `▁` word boundaries (WhitespaceSplit then Metaspace), eos appended by a
// TemplateProcessing post-processor, a Metaspace decoder. Used for sentencepiece conversion
// and for the tokenizers data-prep trains.
import { METASPACE, T5_EOS, type AddedTokenJson, type TokenizerJson } from './types.js';

export interface T5JsonOptions {
  /** [piece, log-probability] in id order, specials included. */
  vocab: [string, number][];
  unkId: number;
  /** Ids of vocab entries that are special added tokens (pad, eos, unk, control pieces). */
  specialIds: number[];
  /** Normaliser: sentencepiece's precompiled charsmap (base64), or NFKC when absent. */
  precompiledCharsmap?: string;
  eosPiece?: string;
  addPrefixSpace?: boolean;
}

export function t5TokenizerJson(o: T5JsonOptions): TokenizerJson {
  const eos = o.eosPiece ?? T5_EOS;
  const eosId = o.vocab.findIndex(([p]) => p === eos);
  const added: AddedTokenJson[] = [...o.specialIds].sort((a, b) => a - b).map((id) => ({
    id, content: o.vocab[id]![0], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  }));
  const prefix = o.addPrefixSpace ?? true;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: o.precompiledCharsmap !== undefined ? { type: 'Precompiled', precompiled_charsmap: o.precompiledCharsmap } : { type: 'NFKC' },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'WhitespaceSplit' },
        { type: 'Metaspace', replacement: METASPACE, add_prefix_space: prefix, prepend_scheme: prefix ? 'always' : 'never' },
      ],
    },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: eos, type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: eos, type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } }, { SpecialToken: { id: eos, type_id: 0 } }],
      special_tokens: { [eos]: { id: eos, ids: [eosId], tokens: [eos] } },
    },
    decoder: { type: 'Metaspace', replacement: METASPACE, add_prefix_space: prefix, prepend_scheme: prefix ? 'always' : 'never' },
    model: { type: 'Unigram', unk_id: o.unkId, vocab: o.vocab, byte_fallback: false },
  };
}
