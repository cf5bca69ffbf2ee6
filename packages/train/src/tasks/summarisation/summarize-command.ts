// `switchyard summarize`: text in, text out with a trained model folder (config.json +
// model.safetensors + the tokenizer.json and switchyard-text.json the stages copy there). Each
// input is normalised and prefixed exactly as data-prep prepared the training data, cut to the
// model's source length, decoded greedily (or with beams) and detokenised as eval-rouge does.
import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@switchyard/runtime';
import { generate, loadCheckpoint, type SwitchTransformer } from '@switchyard/model-core';
import { normaliseText, withEos, type Tokenizer } from '@switchyard/data-prep';
import { readModelText, type ModelText } from './model-text.js';

export interface SummarizeCommandOptions {
  /** Model folder (a base-model or train stage output, or `switchyard train`'s <out>/model). */
  model: string;
  /** One text to summarise. */
  text?: string;
  /** A .jsonl file (one {"id"?, "dialogue"} object per line) or a .txt file (one text). */
  input?: string;
  /** Write JSONL {"id", "summary"} here instead of printing. */
  out?: string;
  /** Defaults to 64. */
  maxNewTokens?: number;
  /** Defaults to 1 (greedy). */
  numBeams?: number;
  /** Defaults to 16. */
  batchSize?: number;
  /** A tokenizer file for folders that lack one. */
  tokenizer?: string;
  /** Overrides the folder's input prefix. */
  prefix?: string;
  backend?: string;
}

export interface Summary { id: string; summary: string }

/** The texts to summarise: --text, or the records of a .jsonl / the whole of a .txt file. */
export function readSummarizeInputs(o: Pick<SummarizeCommandOptions, 'text' | 'input'>): { id: string; text: string }[] {
  if ((o.text === undefined) === (o.input === undefined)) throw new Error('give exactly one of --text "..." or --input FILE.jsonl|.txt');
  if (o.text !== undefined) return [{ id: 'text', text: o.text }];
  const file = o.input!;
  let raw: string;
  try { raw = readFileSync(file, 'utf8'); } catch { throw new Error(`${file}: cannot read the input file`); }
  const ext = extname(file).toLowerCase();
  if (ext === '.txt') return [{ id: 'text', text: raw }];
  if (ext !== '.jsonl') throw new Error(`${file}: unknown input format "${ext || '(none)'}"; expected .jsonl (one {"id", "dialogue"} per line) or .txt (one text)`);
  const out: { id: string; text: string }[] = [];
  raw.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let rec: Record<string, unknown>;
    try { rec = JSON.parse(line) as Record<string, unknown>; } catch (e) { throw new Error(`${file}:${i + 1}: not valid JSON (${(e as Error).message})`); }
    const text = rec?.dialogue ?? rec?.text;
    if (typeof text !== 'string') throw new Error(`${file}:${i + 1}: field "dialogue" (or "text") must be a string; the record has ${Object.keys(rec ?? {}).map((k) => `"${k}"`).join(', ') || 'no fields'}`);
    out.push({ id: rec.id === undefined ? String(out.length) : String(rec.id), text });
  });
  if (out.length === 0) throw new Error(`${file}: no records`);
  return out;
}

/** Source ids of one text as data-prep builds them: normalise, prefix, tokenise, cut, eos. */
export function encodeSource(text: string, t: ModelText, tok: Tokenizer): number[] {
  const norm = normaliseText(text, t.normalise);
  return withEos(tok.encode(t.inputPrefix + norm), tok.eosId, t.normalise.maxSourceLength).ids;
}

/** Summaries of `texts` (greedy unless numBeams > 1), in order. */
export function summarizeTexts(model: SwitchTransformer, tok: Tokenizer, t: ModelText, texts: string[], opts: { maxNewTokens: number; numBeams: number; batchSize: number }): string[] {
  const pad = model.config.pad_token_id;
  const eos = model.config.eos_token_id;
  const out: string[] = [];
  for (let b = 0; b < texts.length; b += opts.batchSize) {
    const rows = texts.slice(b, b + opts.batchSize).map((x) => encodeSource(x, t, tok));
    const len = Math.max(...rows.map((r) => r.length));
    const ids = new Int32Array(rows.length * len).fill(pad);
    const mask = new Float32Array(rows.length * len);
    rows.forEach((r, i) => { ids.set(r, i * len); mask.fill(1, i * len, i * len + r.length); });
    const idsT = tf.tensor2d(ids, [rows.length, len], 'int32'); // [B, L]
    const maskT = tf.tensor2d(mask, [rows.length, len]); // [B, L]
    try {
      const r = generate(model, idsT, maskT, { maxNewTokens: opts.maxNewTokens, numBeams: opts.numBeams, useCache: true });
      for (const seq of r.sequences) {
        const body: number[] = [];
        for (const id of seq.slice(1)) { if (id === eos) break; body.push(id); } // drop the start token, stop at eos
        out.push(tok.decode(body));
      }
    } finally {
      tf.dispose([idsT, maskT]);
    }
  }
  return out;
}

export async function runSummarizeCommand(o: SummarizeCommandOptions): Promise<Summary[]> {
  const inputs = readSummarizeInputs(o);
  const { text, tokenizer } = readModelText(o.model, { tokenizer: o.tokenizer, prefix: o.prefix });
  await initBackend(o.backend, { quiet: true });
  const model = await loadCheckpoint(o.model);
  let summaries: string[];
  try {
    if (tokenizer.vocabSize > model.config.vocab_size) throw new Error(`${o.model}: the tokenizer has ${tokenizer.vocabSize} ids but the model's vocab_size is ${model.config.vocab_size}; they do not belong together`);
    summaries = summarizeTexts(model, tokenizer, text, inputs.map((x) => x.text), { maxNewTokens: o.maxNewTokens ?? 64, numBeams: o.numBeams ?? 1, batchSize: o.batchSize ?? 16 });
  } finally {
    model.dispose();
  }
  const result = inputs.map((x, i) => ({ id: x.id, summary: summaries[i]! }));
  if (o.out) writeFileSync(o.out, result.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return result;
}
