// Files of a fine-tuned LmClassifier (lm-classifier.ts): `config.json` = { "kind": "lm-classifier",
// ...LmClassifierConfig } and `model.safetensors` (F32) with the classifier's parameters under
// their state-dict names in torch layout (`linear` weights [out, in]), as lm-checkpoint.ts writes an LM.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@switchyard/tensor-engine';
import { LmClassifier, parseLmClassifierConfig } from './lm-classifier.js';
import { openSafetensors, readTensor, writeSafetensors, type FloatTensor } from './safetensors.js';
import { torchStateDict, transpose2d } from './torch-layout.js';

export const LM_CLASSIFIER_KIND = 'lm-classifier';

/** Every classifier parameter in torch layout, by state-dict name. */
export function classifierStateDict(model: LmClassifier): Map<string, FloatTensor> {
  return torchStateDict(model.parameters());
}

/** The two files of a classifier folder (the safetensors built when called). */
export function classifierFiles(model: LmClassifier): { 'config.json': string; 'model.safetensors': () => Uint8Array } {
  return {
    'config.json': `${JSON.stringify({ kind: LM_CLASSIFIER_KIND, ...model.config }, null, 2)}\n`,
    'model.safetensors': () => writeSafetensors(classifierStateDict(model), { format: 'pt' }),
  };
}

export function saveLmClassifier(model: LmClassifier, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const f = classifierFiles(model);
  writeFileSync(path.join(dir, 'config.json'), f['config.json']);
  writeFileSync(path.join(dir, 'model.safetensors'), f['model.safetensors']());
}

/** Whether `dir/config.json` is a classifier's (else, e.g., an LM checkpoint's). */
export function isLmClassifierDir(dir: string): boolean {
  const file = path.join(dir, 'config.json');
  if (!existsSync(file)) return false;
  try { return (JSON.parse(readFileSync(file, 'utf8')) as { kind?: unknown }).kind === LM_CLASSIFIER_KIND; } catch { return false; }
}

/** Build the classifier of `dir/config.json` and load its weights; a missing, extra or misshaped tensor is an error. */
export function loadLmClassifier(dir: string, rng: Rng): LmClassifier {
  const cfgFile = path.join(dir, 'config.json');
  const raw = JSON.parse(readFileSync(cfgFile, 'utf8')) as Record<string, unknown>;
  if (raw.kind !== LM_CLASSIFIER_KIND) throw new Error(`${cfgFile}: "kind" is ${JSON.stringify(raw.kind)}, expected "${LM_CLASSIFIER_KIND}" (an LM checkpoint is transferred with transferLmToClassifier, not loaded)`);
  const { kind: _kind, ...rest } = raw;
  const model = new LmClassifier(parseLmClassifierConfig(rest, cfgFile), rng);
  const file = path.join(dir, 'model.safetensors');
  const st = openSafetensors(file);
  try {
    const names = new Set<string>();
    for (const p of model.parameters()) {
      names.add(p.name);
      if (!st.entries.has(p.name)) throw new Error(`${file}: missing "${p.name}"`);
      const t = readTensor(st, p.name);
      const want = p.layout === 'linear' ? [...p.variable.shape].reverse() : [...p.variable.shape];
      if (t.shape.join() !== want.join()) throw new Error(`${file}: "${p.name}" has shape [${t.shape.join(', ')}], expected [${want.join(', ')}]`);
      const values = p.layout === 'linear' ? transpose2d(t.values, t.shape[0]!, t.shape[1]!) : t.values;
      tf.tidy(() => p.variable.assign(tf.tensor(values, p.variable.shape, 'float32')));
    }
    const extra = [...st.entries.keys()].filter((k) => !names.has(k));
    if (extra.length) throw new Error(`${file}: unexpected tensors ${extra.slice(0, 5).map((k) => `"${k}"`).join(', ')}`);
  } catch (e) { model.dispose(); throw e; } finally { st.close(); }
  return model;
}
