// Export/import of DecoderLM weights in torch layout under the state-dict names listed in
// decoder-lm.ts (`linear` weights transposed to torch's [out, in]), so a PyTorch twin
// (tools/bench/torch-lm.py) loads them with one lookup per name. A folder holds `config.json`
// (the LmConfig) and `model.safetensors` (F32).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@switchyard/tensor-engine';
import { DecoderLM } from './decoder-lm.js';
import { parseLmConfig } from './lm-config.js';
import { openSafetensors, readTensor, writeSafetensors, type FloatTensor } from './safetensors.js';
import { torchStateDict, transpose2d } from './torch-layout.js';

/** Every parameter in torch layout, by state-dict name. */
export function lmStateDict(model: DecoderLM): Map<string, FloatTensor> {
  return torchStateDict(model.parameters());
}

/** Assign every parameter from a torch-layout state dict; a missing, extra or misshaped key is an error. */
export function loadLmStateDict(model: DecoderLM, sd: Map<string, FloatTensor>, source = 'state dict'): void {
  const names = new Set<string>();
  for (const p of model.parameters()) {
    names.add(p.name);
    const t = sd.get(p.name);
    if (!t) throw new Error(`${source}: missing "${p.name}"`);
    const want = p.layout === 'linear' ? [...p.variable.shape].reverse() : [...p.variable.shape];
    if (t.shape.join() !== want.join()) throw new Error(`${source}: "${p.name}" has shape [${t.shape.join(', ')}], expected [${want.join(', ')}]`);
    const values = p.layout === 'linear' ? transpose2d(t.values, t.shape[0]!, t.shape[1]!) : t.values;
    tf.tidy(() => p.variable.assign(tf.tensor(values, p.variable.shape, 'float32')));
  }
  const extra = [...sd.keys()].filter((k) => !names.has(k));
  if (extra.length) throw new Error(`${source}: unexpected keys ${extra.slice(0, 5).map((k) => `"${k}"`).join(', ')}${extra.length > 5 ? ` (+${extra.length - 5} more)` : ''}`);
}

/** Write `config.json` and `model.safetensors` into `dir`. */
export function saveLmCheckpoint(model: DecoderLM, dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(model.config, null, 2) + '\n');
  writeFileSync(path.join(dir, 'model.safetensors'), writeSafetensors(lmStateDict(model), { format: 'pt' }));
}

/** Build the model of `dir/config.json` and load `dir/model.safetensors` into it. */
export function loadLmCheckpoint(dir: string, rng: Rng): DecoderLM {
  const cfgFile = path.join(dir, 'config.json');
  const cfg = parseLmConfig(JSON.parse(readFileSync(cfgFile, 'utf8')) as Record<string, unknown>, cfgFile);
  const model = new DecoderLM(cfg, rng);
  const file = path.join(dir, 'model.safetensors');
  const st = openSafetensors(file);
  const sd = new Map<string, FloatTensor>();
  try {
    for (const key of st.entries.keys()) sd.set(key, readTensor(st, key));
    loadLmStateDict(model, sd, file);
  } catch (e) { model.dispose(); throw e; } finally { st.close(); }
  return model;
}
