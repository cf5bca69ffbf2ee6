// Text → token ids for the `text-classification` task.
// word:  the CompeteSMoE fine-tuning vocabulary — each text lower-cased and split on whitespace,
//        words counted over train + validation, ordered by descending count (ties: first
//        appearance), after <pad> (0) and <unk> (1); a word outside it becomes <unk>.
// bytes: the UTF-8 bytes of the text as ids 0–255, so a byte-level LM keeps its own vocabulary
//        (padding is masked, so id 0 as padding does not collide in effect).
export const PAD_ID = 0;
export const UNK_ID = 1;

export interface TextEncoder_ {
  kind: 'word' | 'bytes';
  size: number;
  /** id → token (word only). */
  tokens?: string[];
  encode(text: string, maxLength: number): number[];
}

export function words(text: string): string[] {
  return text.toLowerCase().split(/\s+/u).filter((w) => w !== '');
}

export function wordEncoder(texts: Iterable<string>, o: { minCount: number; maxVocabulary?: number }): TextEncoder_ {
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of words(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const kept = [...counts.entries()].filter(([w, c]) => c >= o.minCount && w !== '<pad>' && w !== '<unk>');
  kept.sort((a, b) => b[1] - a[1]); // stable: ties keep first appearance
  const tokens = ['<pad>', '<unk>', ...kept.map(([w]) => w)];
  if (o.maxVocabulary !== undefined) tokens.length = Math.min(tokens.length, o.maxVocabulary);
  const index = new Map(tokens.map((t, i) => [t, i]));
  return {
    kind: 'word', size: tokens.length, tokens,
    encode: (text, maxLength) => words(text).slice(0, maxLength).map((w) => index.get(w) ?? UNK_ID),
  };
}

export function byteEncoder(): TextEncoder_ {
  const utf8 = new TextEncoder();
  return { kind: 'bytes', size: 256, encode: (text, maxLength) => Array.from(utf8.encode(text).subarray(0, maxLength)) };
}
