// Text → token ids for the `text-classification` task.
// word:  the CompeteSMoE fine-tuning vocabulary of ../../text-classification/vocabulary.ts —
//        lower-cased whitespace words counted over train + the evaluation split (validation, else
//        test: what the reference calls dev), most frequent first, after <pad> 0, <unk> 1, <cls> 2,
//        <s> 3; with boundary tokens (default, as the reference) a text is <cls> words… <s>.
// bytes: the UTF-8 bytes of the text as ids 0–255, so a byte-level LM keeps its own vocabulary
//        (padding is masked, so id 0 as padding does not collide in effect).
import { buildWordVocabulary, encodeWords } from '../../text-classification/vocabulary.js';

export interface TokenEncoder {
  kind: 'word' | 'bytes';
  size: number;
  padId: number;
  unkId: number | null;
  /** id → token (word only). */
  tokens?: string[];
  /** At most `maxLength` ids (boundary tokens included). */
  encode(text: string, maxLength: number): number[];
}

export function wordEncoder(texts: Iterable<string>, o: { minCount: number; maxVocabulary?: number; boundaryTokens: boolean }): TokenEncoder {
  const vocab = buildWordVocabulary(texts, { minCount: o.minCount, maxSize: o.maxVocabulary });
  const extra = o.boundaryTokens ? 2 : 0;
  return {
    kind: 'word', size: vocab.tokens.length, padId: vocab.padId, unkId: vocab.unkId, tokens: vocab.tokens,
    encode: (text, maxLength) => encodeWords(vocab, text, { boundaryTokens: o.boundaryTokens, maxWords: Math.max(0, maxLength - extra) }),
  };
}

export function byteEncoder(): TokenEncoder {
  const utf8 = new TextEncoder();
  return { kind: 'bytes', size: 256, padId: 0, unkId: null, encode: (text, maxLength) => Array.from(utf8.encode(text).subarray(0, maxLength)) };
}
