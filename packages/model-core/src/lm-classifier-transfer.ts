// Transfer of a pretrained decoder LM (lm-checkpoint.ts's state dict, torch layout) into an
// LmClassifier (lm-classifier.ts), as the CompeteSMoE fine-tuning starts from the pretrained
// checkpoint of the same method:
//   'blocks'          — the vocabulary changes (word level, built from train + dev): key_pe and every
//                       layer (attention, norms, routers, experts, dense FFNs) are copied; the token
//                       embedding is left at its seeded initialisation, as is the head. The reference
//                       re-initialises embedding and output layer and carries the blocks. Router
//                       tensors indexed by token id (StableMoE's distilled `distill_embed.weight`)
//                       belong to the old vocabulary and are re-initialised too.
//   'keep-vocabulary' — the classifier reads the LM's own byte/char vocabulary: the embedding
//                       `in_emb.weight` is copied too.
// The LM's output layer `out_emb.*` is never used by the classifier (reported as dropped). The
// result lists exactly which tensors were copied, left at their initialisation and dropped.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@switchyard/tensor-engine';
import { createRouter } from '@switchyard/routers';
import { LmClassifier } from './lm-classifier.js';
import { parseLmConfig, type LmConfig } from './lm-config.js';
import { openSafetensors, readTensor, type FloatTensor } from './safetensors.js';

export type LmTransferMode = 'blocks' | 'keep-vocabulary';

export interface LmTransferReport {
  mode: LmTransferMode;
  /** Classifier parameters assigned from the LM, in parameter order. */
  copied: string[];
  /** Classifier parameters left at their seeded initialisation. */
  reinitialised: string[];
  /** LM tensors not used. */
  dropped: string[];
}

/** Config fields that must agree for the blocks to fit (the vocabulary may differ in 'blocks' mode). */
const SHAPE_FIELDS = ['dModel', 'numHeads', 'dFf', 'numLayers', 'architecture', 'numExperts', 'attnSpan', 'compatGlamPairIndexing', 'compatDoubleMoeNorm'] as const;

function torchToTfjs(t: FloatTensor, layout: string): Float32Array {
  if (layout !== 'linear') return t.values;
  const [rows, cols] = t.shape as [number, number];
  const out = new Float32Array(t.values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t.values[r * cols + c]!;
  return out;
}

/**
 * Router parameters indexed by token id: those whose shape changes when a twin router is built for
 * a vocabulary one larger (full state-dict names).
 */
export function vocabularyIndexedRouterParameters(classifier: LmClassifier): Set<string> {
  const out = new Set<string>();
  for (const layer of classifier.lm.moeLayers()) {
    const init = layer.routerInit(new Rng(0));
    const twin = createRouter(layer.slot, { ...init, vocabSize: classifier.config.lm.vocabSize + 1 });
    const shapes = new Map(twin.parameters().map((p) => [p.name, p.variable.shape.join()]));
    for (const p of layer.router.parameters()) if (shapes.get(p.name) !== p.variable.shape.join()) out.add(`${layer.name}.router.${p.name}`);
    twin.dispose();
  }
  return out;
}

/** Copy the LM's tensors into `classifier` (see the file comment); `source` names the origin in errors. */
export function transferLmToClassifier(classifier: LmClassifier, lmConfig: LmConfig, lmState: Map<string, FloatTensor>, mode: LmTransferMode, source = 'LM state dict'): LmTransferReport {
  const target = classifier.config.lm;
  for (const k of SHAPE_FIELDS) {
    if (JSON.stringify(lmConfig[k]) !== JSON.stringify(target[k])) {
      throw new Error(`${source}: the LM's "${k}" is ${JSON.stringify(lmConfig[k])}, the classifier's ${JSON.stringify(target[k])}; build the classifier from the LM's config (classifierConfigFromLm)`);
    }
  }
  if (mode === 'keep-vocabulary' && lmConfig.vocabSize !== target.vocabSize) {
    throw new Error(`${source}: transfer "keep-vocabulary" needs the classifier's vocabulary to be the LM's (${lmConfig.vocabSize} ids), got ${target.vocabSize}; use "blocks" for a new vocabulary`);
  }
  const report: LmTransferReport = { mode, copied: [], reinitialised: [], dropped: [] };
  const used = new Set<string>();
  const assignments: Array<{ variable: tf.Variable; values: Float32Array }> = [];
  const byToken = mode === 'blocks' ? vocabularyIndexedRouterParameters(classifier) : new Set<string>();
  for (const p of classifier.parameters()) {
    const fresh = p.name.startsWith('head.') || (mode === 'blocks' && (p.name === 'in_emb.weight' || byToken.has(p.name)));
    if (fresh) { report.reinitialised.push(p.name); continue; }
    const t = lmState.get(p.name);
    if (!t) {
      const hint = p.name.includes('.moe.router.') ? ' (the LM was trained with another router type; fine-tune with its router, or replace the routers after the transfer)' : '';
      throw new Error(`${source}: missing "${p.name}"${hint}`);
    }
    const want = p.layout === 'linear' ? [...p.variable.shape].reverse() : [...p.variable.shape];
    if (t.shape.join() !== want.join()) throw new Error(`${source}: "${p.name}" has shape [${t.shape.join(', ')}], the classifier needs [${want.join(', ')}]`);
    assignments.push({ variable: p.variable, values: torchToTfjs(t, p.layout) });
    report.copied.push(p.name);
    used.add(p.name);
  }
  // Checked before anything is assigned, so a failed transfer leaves the classifier as it was.
  for (const a of assignments) tf.tidy(() => a.variable.assign(tf.tensor(a.values, a.variable.shape, 'float32')));
  report.dropped = [...lmState.keys()].filter((k) => !used.has(k));
  return report;
}

/** Read an LM checkpoint folder (config.json + model.safetensors, lm-checkpoint.ts) as config and torch-layout state dict. */
export function readLmCheckpoint(dir: string): { config: LmConfig; state: Map<string, FloatTensor> } {
  const cfgFile = path.join(dir, 'config.json');
  const config = parseLmConfig(JSON.parse(readFileSync(cfgFile, 'utf8')) as Record<string, unknown>, cfgFile);
  const st = openSafetensors(path.join(dir, 'model.safetensors'));
  const state = new Map<string, FloatTensor>();
  try { for (const key of st.entries.keys()) state.set(key, readTensor(st, key)); } finally { st.close(); }
  return { config, state };
}
