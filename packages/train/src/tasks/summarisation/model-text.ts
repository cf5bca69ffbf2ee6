// The text side of a model folder. The base-model and train stages copy data-prep's
// tokenizer.json next to config.json + model.safetensors and write `switchyard-text.json`: the
// input prefix (T5's "summarize: ") and the normalisation and length limits the model was trained
// with, so a model folder alone turns text into a summary (`switchyard summarize --model DIR`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_NORMALISE, loadTokenizer, readPreparedStats, type NormaliseConfig, type Tokenizer } from '@switchyard/data-prep';
import { writeFileAtomic } from '../../atomic-dir.js';

export const MODEL_TEXT_FILE = 'switchyard-text.json';

export interface ModelText {
  /** Prepended to every input before tokenising (data-prep's `normalise.prefix`). */
  inputPrefix: string;
  /** Line ends, whitespace and the source/target length limits of the training data. */
  normalise: NormaliseConfig;
  /** The tokenizer file next to this one. */
  tokenizer: string;
}

/** Copy data-prep's tokenizer.json and text settings into a model folder. */
export function copyModelText(dataDir: string, modelDir: string): void {
  const norm = readPreparedStats(dataDir).normalise as NormaliseConfig;
  const text: ModelText = { inputPrefix: norm.prefix, normalise: norm, tokenizer: 'tokenizer.json' };
  writeFileAtomic(join(modelDir, 'tokenizer.json'), readFileSync(join(dataDir, 'tokenizer.json')));
  writeFileAtomic(join(modelDir, MODEL_TEXT_FILE), `${JSON.stringify(text, null, 2)}\n`);
}

/** The tokenizer and text settings of a model folder (an error saying what is missing otherwise). */
export function readModelText(modelDir: string, overrides: { tokenizer?: string; prefix?: string } = {}): { text: ModelText; tokenizer: Tokenizer } {
  const file = join(modelDir, MODEL_TEXT_FILE);
  let text: ModelText;
  if (existsSync(file)) {
    text = JSON.parse(readFileSync(file, 'utf8')) as ModelText;
  } else if (overrides.tokenizer || existsSync(join(modelDir, 'tokenizer.json'))) {
    // An imported HF folder: its own tokenizer, T5's prefix and data-prep's default limits.
    text = { inputPrefix: DEFAULT_NORMALISE.prefix, normalise: { ...DEFAULT_NORMALISE }, tokenizer: 'tokenizer.json' };
  } else {
    throw new Error(`${modelDir}: no ${MODEL_TEXT_FILE} and no tokenizer.json (model folders written by the base-model and train stages carry both; for an older folder pass --tokenizer <data-prep folder>/tokenizer.json)`);
  }
  if (overrides.prefix !== undefined) text = { ...text, inputPrefix: overrides.prefix };
  const tokFile = overrides.tokenizer ?? join(modelDir, text.tokenizer);
  return { text, tokenizer: loadTokenizer(tokFile) };
}
