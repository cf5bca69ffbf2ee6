// HF checkpoint folders: `config.json` + `model.safetensors` (or sharded
// `model.safetensors.index.json` + shards). Parameter names are the state-dict keys, so import
// is a lookup plus one documented transpose: torch Linear stores [out, in], tfjs [in, out].
// Tied copies (`encoder.embed_tokens.weight`, `decoder.embed_tokens.weight`, `lm_head.weight`)
// are accepted on import when equal to `shared.weight` and omitted on export, as
// `save_pretrained` does.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFolderAtomically } from '@switchyard/runtime';
import { Rng } from '@switchyard/tensor-engine';
import { parseSwitchConfig, switchConfigToJson, type SwitchConfig } from './config.js';
import { openSafetensors, readTensor, writeSafetensorsFile, SafetensorsError, type FloatTensor, type LazyTensor, type SafetensorsFile } from './safetensors.js';
import { SwitchTransformer } from './switch-transformer.js';
import { explainConfigMismatch } from './checkpoint-config-check.js';
import { parseJsonLocated } from '@switchyard/runtime';
import { hfConfigJson } from './hf-export.js';
import { torchShape, torchStateDict, transpose2d } from './torch-layout.js';

export class CheckpointError extends Error {}

const TIED_KEYS = ['encoder.embed_tokens.weight', 'decoder.embed_tokens.weight', 'lm_head.weight'];

/** The model's weights in checkpoint layout under HF keys (tied copies omitted). */
export function stateDict(model: SwitchTransformer): Map<string, FloatTensor> {
  return torchStateDict(model.parameters());
}

/** Like stateDict, but each tensor is read from its variable only when the writer asks for it. */
function lazyStateDict(model: SwitchTransformer): Map<string, LazyTensor> {
  const out = new Map<string, LazyTensor>();
  for (const p of model.parameters()) {
    out.set(p.name, {
      shape: torchShape(p),
      values: () => {
        const v = p.variable.dataSync() as Float32Array;
        const [a, b] = p.variable.shape as [number, number];
        return p.layout === 'linear' ? transpose2d(v, a, b) : v;
      },
    });
  }
  return out;
}

/** Where each key of a checkpoint lives. */
export interface TensorSource {
  /** The file (or index file) the tensors come from, for messages. */
  description: string;
  /** Release open files. */
  close(): void;
  get(key: string): FloatTensor; keys(): string[]; fileOf(key: string): string; shapeOf(key: string): number[] }

function sourceFromFiles(files: SafetensorsFile[], description: string): TensorSource {
  const where = new Map<string, SafetensorsFile>();
  for (const f of files) {
    for (const k of f.entries.keys()) {
      const prev = where.get(k);
      if (prev) throw new SafetensorsError(f.file, `key also stored in ${prev.file}`, k);
      where.set(k, f);
    }
  }
  return {
    description,
    close: () => { for (const f of files) f.close(); },
    keys: () => [...where.keys()],
    fileOf: (k) => where.get(k)?.file ?? '<none>',
    shapeOf: (k) => [...where.get(k)!.entries.get(k)!.shape],
    get: (k) => {
      const f = where.get(k);
      if (!f) throw new CheckpointError(`tensor "${k}" not found in the checkpoint`);
      return readTensor(f, k);
    },
  };
}

/** Open the safetensors of a checkpoint folder (single file or sharded index). */
export async function openCheckpointTensors(dir: string): Promise<TensorSource> {
  const single = path.join(dir, 'model.safetensors');
  const index = path.join(dir, 'model.safetensors.index.json');
  if (existsSync(single)) return sourceFromFiles([openSafetensors(single)], single);
  if (!existsSync(index)) throw new CheckpointError(noWeightsMessage(dir));
  const idx = readJsonFile(await readFile(index, 'utf8'), index, 'a model.safetensors.index.json object with a "weight_map"') as { weight_map?: Record<string, unknown> } | null;
  if (!idx || typeof idx !== 'object' || typeof idx.weight_map !== 'object' || idx.weight_map === null || Array.isArray(idx.weight_map)) throw new CheckpointError(`${index}: missing "weight_map" object`);
  if (Object.keys(idx.weight_map).length === 0) throw new CheckpointError(`${index}: "weight_map" is empty; expected tensor names mapped to shard files`);
  const shardNames = new Set<string>();
  for (const [k, f] of Object.entries(idx.weight_map)) {
    // Shard names must be plain file names in the folder (no path traversal).
    if (typeof f !== 'string' || f !== path.basename(f) || f === '..' || f === '.') throw new CheckpointError(`${index}: weight_map["${k}"] is not a file name in the checkpoint folder: ${JSON.stringify(f)}`);
    shardNames.add(f);
  }
  checkShardsExist(dir, index, idx.weight_map as Record<string, string>);
  const files: SafetensorsFile[] = [];
  try {
    for (const name of [...shardNames].sort()) files.push(openSafetensors(path.join(dir, name)));
  } catch (e) {
    for (const f of files) f.close();
    throw e;
  }
  let src: TensorSource;
  try { src = sourceFromFiles(files, index); } catch (e) { for (const f of files) f.close(); throw e; }
  try { checkIndex(src, idx.weight_map, dir, index); } catch (e) { src.close(); throw e; }
  return src;
}

/** Weight files other frameworks write; never read here (pickles can run code when loaded). */
const FOREIGN_WEIGHTS: [RegExp, string][] = [
  [/^pytorch_model(-\d+-of-\d+)?\.bin(\.index\.json)?$|\.(bin|pt|pth|ckpt)$/, 'a PyTorch pickle; Switchyard never loads pickles (unpickling can run arbitrary code)'],
  [/^tf_model\.h5$/, 'TensorFlow/Keras weights, which Switchyard does not read'],
  [/^flax_model(-\d+-of-\d+)?\.msgpack(\.index\.json)?$/, 'Flax weights, which Switchyard does not read'],
];

/** Why a folder without safetensors weights cannot be loaded, and what to do. */
function noWeightsMessage(dir: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return `${dir}: checkpoint folder not found`;
  const names = readdirSync(dir).sort();
  const foreign = names.flatMap((n) => { const hit = FOREIGN_WEIGHTS.find(([re]) => re.test(n)); return hit ? [`"${n}" is ${hit[1]}`] : []; });
  if (foreign.length) {
    return `${dir}: no model.safetensors or model.safetensors.index.json; ${foreign.join('; ')}. ` +
      'Convert the checkpoint to safetensors once, in Python: `from transformers import AutoModelForSeq2SeqLM; ' +
      `AutoModelForSeq2SeqLM.from_pretrained(${JSON.stringify(dir)}).save_pretrained(${JSON.stringify(dir)}, safe_serialization=True)\``;
  }
  return `${dir}: neither model.safetensors nor model.safetensors.index.json exists (the folder has ${names.length ? names.slice(0, 10).join(', ') + (names.length > 10 ? ', …' : '') : 'no files'})`;
}

/** A shard named in the index but absent from the folder: name it and the tensors it should hold. */
function checkShardsExist(dir: string, index: string, weightMap: Record<string, string>): void {
  const byShard = new Map<string, string[]>();
  for (const [k, f] of Object.entries(weightMap)) byShard.set(f, [...(byShard.get(f) ?? []), k]);
  const missing = [...byShard.keys()].sort().filter((f) => !existsSync(path.join(dir, f)));
  if (!missing.length) return;
  const parts = missing.map((f) => {
    const keys = byShard.get(f)!;
    return `"${f}" (should hold ${keys.length} tensor${keys.length === 1 ? '' : 's'}: ${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ', …' : ''})`;
  });
  throw new CheckpointError(`${index}: ${missing.length === 1 ? 'shard' : 'shards'} ${parts.join(', ')} listed in weight_map ${missing.length === 1 ? 'is' : 'are'} missing from ${dir} (an incomplete download or copy?)`);
}

/** Parse a checkpoint JSON file's text: empty files and syntax errors named with line:column. */
function readJsonFile(text: string, file: string, expected: string): unknown {
  if (text.trim() === '') throw new CheckpointError(`${file}: empty file (${text.length === 0 ? '0 bytes' : 'only whitespace'}); expected ${expected}`);
  return parseJsonLocated(text, (e) => new CheckpointError(`${file}:${e.line}:${e.column}: not valid JSON: ${e.problem}`));
}

function checkIndex(src: TensorSource, weightMap: Record<string, unknown>, dir: string, index: string): void {
  const idx = { weight_map: weightMap };
  for (const [k, f] of Object.entries(idx.weight_map)) {
    const actual = src.fileOf(k);
    if (actual !== path.join(dir, f as string)) throw new CheckpointError(`${index}: weight_map says "${k}" is in ${f as string}, but ${actual === '<none>' ? 'no shard holds it' : `it is in ${actual}`}`);
  }
  if (src.keys().length !== Object.keys(idx.weight_map).length) {
    const extra = src.keys().filter((k) => !(k in idx.weight_map!));
    throw new CheckpointError(`${index}: shards hold keys missing from weight_map: ${extra.slice(0, 5).join(', ')}`);
  }
}

/**
 * Copy checkpoint tensors into the model's variables. Every model key must be present with its
 * checkpoint shape; keys the model does not have are an error (except equal tied copies).
 * Key and shape errors are raised before any weight changes; a read error or a differing tied
 * copy can leave the weights partly replaced (loadCheckpoint then discards the model).
 */
export function loadWeights(model: SwitchTransformer, src: TensorSource, configFile = 'config.json'): void {
  const params = model.parameters();
  const byName = new Map(params.map((p) => [p.name, p]));
  // A key or shape problem is first explained by a config field when one disagrees with the tensors.
  const fail = (fallback: string): never => {
    const why = explainConfigMismatch(model.config, new Map(params.map((p) => [p.name, torchShape(p)])), src, configFile);
    throw new CheckpointError(why ?? fallback);
  };
  for (const k of src.keys()) {
    if (byName.has(k)) continue;
    if (model.config.tie_word_embeddings && TIED_KEYS.includes(k)) continue;
    fail(`${src.fileOf(k)}: unexpected key "${k}" (the model has no such parameter)`);
  }
  const present = new Set(src.keys());
  const missing = params.filter((p) => !present.has(p.name)).map((p) => p.name);
  if (missing.length) fail(`${src.description}: checkpoint is missing ${missing.length} key(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
  // Shapes first (header only), so a mismatch fails before any tensor is read.
  for (const p of params) {
    const want = torchShape(p);
    const got = src.shapeOf(p.name);
    if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
      fail(`${src.fileOf(p.name)}: "${p.name}" has shape [${got.join(', ')}], the model expects [${want.join(', ')}]`);
    }
  }
  // Then one tensor at a time: read, transpose linear weights to [in, out], assign.
  let shared: Float32Array | undefined;
  for (const p of params) {
    const want = torchShape(p);
    const raw = src.get(p.name).values;
    if (p.name === 'shared.weight') shared = raw;
    const t = tf.tensor(p.layout === 'linear' ? transpose2d(raw, want[0]!, want[1]!) : raw, p.variable.shape, 'float32');
    p.variable.assign(t);
    t.dispose();
  }
  if (model.config.tie_word_embeddings && shared) {
    for (const k of TIED_KEYS) {
      if (!present.has(k)) continue;
      const t = src.get(k);
      if (t.values.length !== shared.length || t.values.some((v, i) => !Object.is(v, shared![i]))) {
        throw new CheckpointError(`${src.fileOf(k)}: tied key "${k}" differs from shared.weight (tie_word_embeddings is true)`);
      }
    }
  }
}

async function readConfig(dir: string): Promise<SwitchConfig> {
  const file = path.join(dir, 'config.json');
  let raw: string;
  try { raw = await readFile(file, 'utf8'); } catch {
    throw new CheckpointError(existsSync(dir) ? `${dir}: config.json not found (a checkpoint folder holds config.json and model.safetensors)` : `${dir}: checkpoint folder not found`);
  }
  return parseSwitchConfig(readJsonFile(raw, file, 'the model config object (HF keys such as d_model, num_experts)') as Record<string, unknown>, file);
}

export interface LoadOptions {
  /** HF config keys overriding the folder's config.json (e.g. expert_capacity). */
  configOverrides?: Record<string, unknown>;
  /** Seed of the (overwritten) initialisation. Defaults to 0. */
  seed?: number;
}

/** Build a model from an HF checkpoint folder. */
export async function loadCheckpoint(dir: string, opts: LoadOptions = {}): Promise<SwitchTransformer> {
  let config = await readConfig(dir);
  if (opts.configOverrides) config = parseSwitchConfig({ ...switchConfigToJson(config), ...opts.configOverrides }, path.join(dir, 'config.json'));
  const src = await openCheckpointTensors(dir);
  const model = new SwitchTransformer(config, new Rng(opts.seed ?? 0));
  const configFile = path.join(dir, 'config.json') + (opts.configOverrides ? ' (with configOverrides)' : '');
  try { loadWeights(model, src, configFile); } catch (e) { model.dispose(); throw e; } finally { src.close(); }
  return model;
}

/**
 * Write `config.json` (with `architectures`, and a model type HF refuses when it cannot run the
 * routers: src/hf-export.ts) + `model.safetensors` (float32) into `dir`, atomically (runtime's
 * writeFolderAtomically), so a failed write leaves no partial checkpoint.
 */
export async function saveCheckpoint(model: SwitchTransformer, dir: string): Promise<void> {
  await writeFolderAtomically(dir, async (tmp) => {
    await writeFile(path.join(tmp, 'config.json'), JSON.stringify(hfConfigJson(model.config), null, 2) + '\n');
    writeSafetensorsFile(path.join(tmp, 'model.safetensors'), lazyStateDict(model));
  });
}
