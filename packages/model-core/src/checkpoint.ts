// HF checkpoint folders: `config.json` + `model.safetensors` (or sharded
// `model.safetensors.index.json` + shards). Parameter names are the state-dict keys, so import
// is a lookup plus one documented transpose: torch Linear stores [out, in], tfjs [in, out].
// Tied copies (`encoder.embed_tokens.weight`, `decoder.embed_tokens.weight`, `lm_head.weight`)
// are accepted on import when equal to `shared.weight` and omitted on export, as
// `save_pretrained` does.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@switchyard/runtime';
import { parseSwitchConfig, switchConfigToJson, type SwitchConfig } from './config.js';
import { openSafetensors, readTensor, writeSafetensorsFile, SafetensorsError, type FloatTensor, type LazyTensor, type SafetensorsFile } from './safetensors.js';
import { SwitchTransformer, type ModelParameter } from './switch-transformer.js';
import { hfConfigJson } from './hf-export.js';

export class CheckpointError extends Error {}

const TIED_KEYS = ['encoder.embed_tokens.weight', 'decoder.embed_tokens.weight', 'lm_head.weight'];

/** [a, b] row-major → [b, a] row-major. */
function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  return out;
}

/** The checkpoint (torch) shape of a parameter. */
function torchShape(p: ModelParameter): number[] {
  return p.layout === 'linear' ? [...p.variable.shape].reverse() : [...p.variable.shape];
}

/** The model's weights in checkpoint layout under HF keys (tied copies omitted). */
export function stateDict(model: SwitchTransformer): Map<string, FloatTensor> {
  const out = new Map<string, FloatTensor>();
  for (const p of model.parameters()) {
    const v = p.variable.dataSync() as Float32Array;
    const [a, b] = p.variable.shape as [number, number];
    out.set(p.name, { shape: torchShape(p), values: p.layout === 'linear' ? transpose2d(v, a, b) : Float32Array.from(v) });
  }
  return out;
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
  let raw: string;
  try { raw = await readFile(index, 'utf8'); } catch {
    throw new CheckpointError(`${dir}: neither model.safetensors nor model.safetensors.index.json exists`);
  }
  let idx: { weight_map?: Record<string, unknown> };
  try { idx = JSON.parse(raw); } catch (e) { throw new CheckpointError(`${index}: not valid JSON (${(e as Error).message})`); }
  if (!idx || typeof idx.weight_map !== 'object' || idx.weight_map === null) throw new CheckpointError(`${index}: missing "weight_map" object`);
  const shardNames = new Set<string>();
  for (const [k, f] of Object.entries(idx.weight_map)) {
    // Shard names must be plain file names in the folder (no path traversal).
    if (typeof f !== 'string' || f !== path.basename(f) || f === '..' || f === '.') throw new CheckpointError(`${index}: weight_map["${k}"] is not a file name in the checkpoint folder: ${JSON.stringify(f)}`);
    shardNames.add(f);
  }
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
export function loadWeights(model: SwitchTransformer, src: TensorSource): void {
  const params = model.parameters();
  const byName = new Map(params.map((p) => [p.name, p]));
  for (const k of src.keys()) {
    if (byName.has(k)) continue;
    if (model.config.tie_word_embeddings && TIED_KEYS.includes(k)) continue;
    throw new CheckpointError(`${src.fileOf(k)}: unexpected key "${k}" (the model has no such parameter)`);
  }
  const present = new Set(src.keys());
  const missing = params.filter((p) => !present.has(p.name)).map((p) => p.name);
  if (missing.length) throw new CheckpointError(`${src.description}: checkpoint is missing ${missing.length} key(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
  // Shapes first (header only), so a mismatch fails before any tensor is read.
  for (const p of params) {
    const want = torchShape(p);
    const got = src.shapeOf(p.name);
    if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
      throw new CheckpointError(`${src.fileOf(p.name)}: "${p.name}" has shape [${got.join(', ')}], the model expects [${want.join(', ')}]`);
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
  try { raw = await readFile(file, 'utf8'); } catch { throw new CheckpointError(`${dir}: config.json not found`); }
  let json: Record<string, unknown>;
  try { json = JSON.parse(raw); } catch (e) { throw new CheckpointError(`${file}: not valid JSON (${(e as Error).message})`); }
  return parseSwitchConfig(json, file);
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
  try { loadWeights(model, src); } catch (e) { model.dispose(); throw e; } finally { src.close(); }
  return model;
}

/**
 * Write `config.json` (with `architectures`, and a model type HF refuses when it cannot run the
 * routers: src/hf-export.ts) + `model.safetensors` (float32) into `dir`. The folder is built under a
 * temporary name and renamed, so a failed write leaves no partial checkpoint.
 */
export async function saveCheckpoint(model: SwitchTransformer, dir: string): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  try {
    await writeFile(path.join(tmp, 'config.json'), JSON.stringify(hfConfigJson(model.config), null, 2) + '\n');
    writeSafetensorsFile(path.join(tmp, 'model.safetensors'), lazyStateDict(model));
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
