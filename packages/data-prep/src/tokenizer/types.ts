// The tokenizer contract shared by data-prep, training and generation. Ids follow T5: pad 0,
// eos 1, unk 2 for every tokenizer data-prep trains (a loaded tokenizer reports its own).

export interface Tokenizer {
  /** Subword ids of `text`, without eos (as sentencepiece's encode). */
  encode(text: string): number[];
  /** Text of `ids`; pad, eos and other special tokens are skipped (as HF's skip_special_tokens). */
  decode(ids: readonly number[]): string;
  /** Number of ids (max id + 1), the embedding size a model needs at least. */
  readonly vocabSize: number;
  readonly padId: number;
  readonly eosId: number;
  readonly unkId: number;
  /** The tokenizer.json document (what `saveTokenizer` writes). */
  toJSON(): TokenizerJson;
}

/** The parts of a Hugging Face tokenizer.json that data-prep reads and writes. */
export interface TokenizerJson {
  version: string;
  truncation: null;
  padding: null;
  added_tokens: AddedTokenJson[];
  normalizer: Record<string, unknown> | null;
  pre_tokenizer: Record<string, unknown> | null;
  post_processor: Record<string, unknown> | null;
  decoder: Record<string, unknown> | null;
  model: { type: string; unk_id?: number | null; vocab: unknown; [k: string]: unknown };
}

export interface AddedTokenJson {
  id: number; content: string; single_word: boolean; lstrip: boolean; rstrip: boolean; normalized: boolean; special: boolean;
}

export const T5_PAD = '<pad>';
export const T5_EOS = '</s>';
export const T5_UNK = '<unk>';
export const METASPACE = '\u2581';
