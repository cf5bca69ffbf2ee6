// Saving and loading the MoE image classifier (image-moe-model.ts): a folder with `config.json`
// ({ "task": "image-classification", "model": ImageMoeConfig }) and `model.safetensors` (F32, every
// parameter under its `parameters()` name, in tfjs layout: linear weights [in, out]). The config
// names the router, so a loaded model routes as the saved one did.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ImageMoeModel } from './image-moe-model.js';
import type { ImageMoeConfig } from './image-moe-config.js';
import { openSafetensors, readTensor, writeSafetensors, type FloatTensor } from './safetensors.js';

export const IMAGE_MODEL_TASK = 'image-classification';

export function imageConfigJson(model: ImageMoeModel): string {
  return `${JSON.stringify({ task: IMAGE_MODEL_TASK, model: model.config }, null, 2)}\n`;
}

/** Every parameter by name (values copied). */
export function imageStateDict(model: ImageMoeModel): Map<string, FloatTensor> {
  const out = new Map<string, FloatTensor>();
  for (const p of model.parameters()) out.set(p.name, { shape: [...p.variable.shape], values: Float32Array.from(p.variable.dataSync() as Float32Array) });
  return out;
}

/** model.safetensors bytes. */
export function imageSafetensors(model: ImageMoeModel): Uint8Array {
  return writeSafetensors(imageStateDict(model));
}

/** Assign `sd` to every parameter of `model` whose name it has; returns the names it lacked. Misshaped entries are errors. */
export function assignImageWeights(model: ImageMoeModel, sd: Map<string, FloatTensor>, source: string, skip: (name: string) => boolean = () => false): string[] {
  const missing: string[] = [];
  for (const p of model.parameters()) {
    if (skip(p.name)) continue;
    const t = sd.get(p.name);
    if (!t) { missing.push(p.name); continue; }
    if (t.shape.join() !== p.variable.shape.join()) throw new Error(`${source}: "${p.name}" has shape [${t.shape.join(', ')}], expected [${p.variable.shape.join(', ')}]`);
    tf.tidy(() => p.variable.assign(tf.tensor(t.values, p.variable.shape, 'float32')));
  }
  return missing;
}

/** The model of `dir` (config.json + model.safetensors); every key must match. */
export function loadImageMoeModel(dir: string): ImageMoeModel {
  const cfgFile = join(dir, 'config.json');
  if (!existsSync(cfgFile)) throw new Error(`${cfgFile}: no config.json (not a saved image model folder?)`);
  let parsed: { task?: unknown; model?: unknown };
  try { parsed = JSON.parse(readFileSync(cfgFile, 'utf8')) as typeof parsed; } catch (e) { throw new Error(`${cfgFile}: not valid JSON (${(e as Error).message})`); }
  if (parsed.task !== IMAGE_MODEL_TASK || typeof parsed.model !== 'object' || parsed.model === null) {
    throw new Error(`${cfgFile}: expected {"task": "${IMAGE_MODEL_TASK}", "model": {…}}, got task ${JSON.stringify(parsed.task)}`);
  }
  const model = new ImageMoeModel(parsed.model as Partial<ImageMoeConfig>, 0);
  const file = join(dir, 'model.safetensors');
  const st = openSafetensors(file);
  try {
    const sd = new Map<string, FloatTensor>();
    for (const key of st.entries.keys()) sd.set(key, readTensor(st, key));
    const missing = assignImageWeights(model, sd, file);
    if (missing.length) throw new Error(`${file}: missing ${missing.slice(0, 5).map((k) => `"${k}"`).join(', ')}${missing.length > 5 ? ` (+${missing.length - 5} more)` : ''}`);
    const names = new Set(model.parameters().map((p) => p.name));
    const extra = [...sd.keys()].filter((k) => !names.has(k));
    if (extra.length) throw new Error(`${file}: unexpected keys ${extra.slice(0, 5).map((k) => `"${k}"`).join(', ')} (saved with another router or size?)`);
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    st.close();
  }
  return model;
}
