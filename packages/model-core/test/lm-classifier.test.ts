// The classification head on the decoder LM (src/lm-classifier.ts), its transfer from an LM
// checkpoint (src/lm-classifier-transfer.ts), its files, the fine-tuning router replacement and
// leaks. The hand-built model's logits are recomputed here in plain JS arrays from the definition
// (span attention over real keys only, LayerNorm, a two-expert softmax MoE, the tanh head).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { routerTypes } from '@switchyard/routers';
import {
  LmClassifier, DecoderLM, classifierConfigFromLm, classifierLossParts, lmPresetConfig, parseLmConfig, parseLmClassifierConfig,
  lmStateDict, saveLmCheckpoint, readLmCheckpoint, transferLmToClassifier, saveLmClassifier, loadLmClassifier,
  collateClassification, disposeClassificationBatch, replaceLmRouters, lmTotalLoss, variableGradsComplete, type LmClassifierConfig,
} from '@switchyard/model-core';

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

// ---- plain-JS reference --------------------------------------------------------------------
type W = Record<string, { shape: number[]; v: number[] }>;
const lin = (x: number[], w: { shape: number[]; v: number[] }, b?: { v: number[] }): number[] => {
  const [n, m] = w.shape as [number, number];
  return Array.from({ length: m }, (_, o) => x.reduce((s, xi, i) => s + xi * w.v[i * m + o]!, 0) + (b ? b.v[o]! : 0));
};
const ln = (x: number[], w: number[], b: number[], eps: number): number[] => {
  const mu = x.reduce((s, v) => s + v, 0) / x.length;
  const va = x.reduce((s, v) => s + (v - mu) ** 2, 0) / x.length;
  return x.map((v, i) => ((v - mu) / Math.sqrt(va + eps)) * w[i]! + b[i]!);
};
const softmax = (z: number[]): number[] => { const m = Math.max(...z); const e = z.map((v) => Math.exp(v - m)); const s = e.reduce((a, b) => a + b, 0); return e.map((v) => v / s); };

/** One sequence (left-padded, mask) through 1 layer (one head, E experts, softmax over all E) and the head, last or mean pooling. */
function referenceLogits(cfg: LmClassifierConfig, w: W, ids: number[], mask: number[], pooling: 'last' | 'mean'): number[] {
  const { dModel: d, attnSpan: l, numExperts: e, layerNormEps: eps } = cfg.lm;
  const t = ids.length;
  const h = ids.map((id) => w['in_emb.weight']!.v.slice(id * d, id * d + d));
  const q = h.map((x) => lin(x, w['layers.0.attn.proj_query.weight']!));
  const k = h.map((x) => lin(x, w['layers.0.attn.proj_key.weight']!));
  const v = h.map((x) => lin(x, w['layers.0.attn.proj_val.weight']!));
  const pe = w['key_pe']!.v; // [1, K=d, L]
  const h1 = h.map((x, i) => {
    const keys: number[] = [], scores: number[] = [];
    for (let p = 0; p < t; p++) {
      const dist = i - p;
      if (dist < 1 || dist > l || mask[p] === 0) continue;
      let s = 0;
      for (let c = 0; c < d; c++) s += q[i]![c]! * (k[p]![c]! + pe[c * l + (l - dist)]!);
      keys.push(p); scores.push(s / Math.sqrt(d));
    }
    const a = keys.length ? softmax(scores) : [];
    const ctx = Array.from({ length: d }, (_, c) => keys.reduce((s, p, j) => s + a[j]! * v[p]![c]!, 0));
    const att = lin(ctx, w['layers.0.attn.proj_out.weight']!);
    return ln(x.map((xv, c) => xv + att[c]!), w['layers.0.norm1.weight']!.v, w['layers.0.norm1.bias']!.v, eps);
  });
  const h2 = h1.map((x) => {
    const gate = softmax(lin(x, w['layers.0.moe.router.gate.weight']!, w['layers.0.moe.router.gate.bias']));
    const y = new Array<number>(d).fill(0);
    for (let j = 0; j < e; j++) {
      const p = `layers.0.moe.experts.${j}`;
      const inner = lin(x, w[`${p}.fc1.weight`]!, w[`${p}.fc1.bias`]).map((z) => Math.max(0, z));
      lin(inner, w[`${p}.fc2.weight`]!, w[`${p}.fc2.bias`]).forEach((z, c) => { y[c]! += gate[j]! * z; });
    }
    return ln(x.map((xv, c) => xv + y[c]!), w['layers.0.norm2.weight']!.v, w['layers.0.norm2.bias']!.v, eps);
  });
  let pooled: number[];
  if (pooling === 'last') pooled = h2[t - 1]!;
  else {
    const real = h2.filter((_, i) => mask[i] === 1);
    pooled = Array.from({ length: d }, (_, c) => real.reduce((s, r) => s + r[c]!, 0) / real.length);
  }
  const z = lin(pooled, w['head.dense.weight']!, w['head.dense.bias']).map(Math.tanh);
  return lin(z, w['head.out.weight']!, w['head.out.bias']);
}

/** Every parameter set by hand (a fixed formula per name), in tfjs layout. */
function handSet(model: LmClassifier): W {
  const w: W = {};
  model.parameters().forEach((p, n) => {
    const size = p.variable.size;
    const v = Array.from({ length: size }, (_, i) => Math.round(100 * Math.sin(1.3 * n + 0.71 * i + 0.2)) / 100 * (p.name.includes('norm') ? 0.5 : 0.8) + (p.name.endsWith('norm1.weight') || p.name.endsWith('norm2.weight') ? 1 : 0));
    p.variable.assign(tf.tensor(v, p.variable.shape, 'float32'));
    w[p.name] = { shape: [...p.variable.shape], v };
  });
  return w;
}

const tinyLm = (over: Record<string, unknown> = {}) => parseLmConfig({
  vocabSize: 7, dModel: 4, numHeads: 1, dFf: 3, numLayers: 1, numExperts: 2, blockSize: 8, attnSpan: 4, dropout: 0,
  router: { type: 'smoe', topK: 2 }, ...over,
});

const logitsOf = (m: LmClassifier, rows: number[][], labels?: number[]): number[][] => tf.tidy(() => {
  const b = collateClassification(rows, labels ?? rows.map(() => 0), 0);
  const out = m.forward(b.ids, b.attentionMask).logits.arraySync() as number[][];
  disposeClassificationBatch(b);
  return out;
});

describe('LmClassifier on a hand-built model', () => {
  for (const pooling of ['last', 'mean'] as const) {
    it(`gives the logits computed by hand (${pooling} pooling, a left-padded batch, a span shorter than the longest example)`, () => {
      const cfg = parseLmClassifierConfig({ lm: tinyLm(), numClasses: 3, pooling });
      const m = new LmClassifier(cfg, new Rng(1));
      const w = handSet(m);
      const rows = [[3, 1, 4, 1, 5, 6], [2, 6], [5]];
      const got = logitsOf(m, rows);
      rows.forEach((r, i) => {
        const pad = 6 - r.length;
        const ids = [...new Array<number>(pad).fill(0), ...r];
        const mask = [...new Array<number>(pad).fill(0), ...r.map(() => 1)];
        const want = referenceLogits(cfg, w, ids, mask, pooling);
        got[i]!.forEach((g, c) => expect(g).toBeCloseTo(want[c]!, 5));
      });
      // the head is not degenerate: the three examples get different logits
      expect(Math.abs(got[0]![0]! - got[1]![0]!)).toBeGreaterThan(1e-3);
      m.dispose();
    });
  }
});

describe('attention masks', () => {
  const cfgOf = (o: Record<string, unknown>) => parseLmClassifierConfig({ lm: lmPresetConfig('lm-micro', { vocabSize: 20 }), numClasses: 4, ...o });
  const example = [5, 9, 2, 17, 3];
  const padded = (n: number) => [...new Array<number>(n).fill(0), ...example];

  it.each(['last', 'mean'])('the same example with 0, 3 or 9 tokens of left padding gets the same logits (%s pooling)', (pooling) => {
    const m = new LmClassifier(cfgOf({ pooling }), new Rng(4));
    // batch partners force the padding: [example] alone, with a 8-token partner, with a 14-token partner
    const alone = logitsOf(m, [example])[0]!;
    const three = logitsOf(m, [example, [1, 2, 3, 4, 5, 6, 7, 8]])[0]!;
    const nine = logitsOf(m, [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], example])[1]!;
    for (let c = 0; c < 4; c++) { expect(three[c]).toBeCloseTo(alone[c]!, 5); expect(nine[c]).toBeCloseTo(alone[c]!, 5); }
    m.dispose();
  });

  it('compatIgnoreAttentionMask attends to the padding (logits change with it), as the reference', () => {
    const m = new LmClassifier(cfgOf({ compatIgnoreAttentionMask: true }), new Rng(4));
    const honoured = new LmClassifier(cfgOf({}), new Rng(4));
    const alone = logitsOf(m, [example])[0]!;
    const ids = tf.tensor2d([padded(3)], [1, 8], 'int32');
    const withPad = tf.tidy(() => m.forward(ids, tf.ones([1, 8])).logits.arraySync() as number[][])[0]!;
    const honouredPad = tf.tidy(() => honoured.forward(ids, tf.tensor2d([[0, 0, 0, 1, 1, 1, 1, 1]])).logits.arraySync() as number[][])[0]!;
    ids.dispose();
    expect(Math.max(...withPad.map((v, c) => Math.abs(v - alone[c]!)))).toBeGreaterThan(1e-4);
    honouredPad.forEach((v, c) => expect(v).toBeCloseTo(alone[c]!, 5));
    m.dispose(); honoured.dispose();
  });

  it('compatCarryCache carries the previous batch as context; resetCache starts a fresh stream', () => {
    const m = new LmClassifier(cfgOf({ compatCarryCache: true }), new Rng(4));
    const fresh = new LmClassifier(cfgOf({}), new Rng(4));
    const first = logitsOf(m, [example, [4, 4, 4]]);
    expect(first[0]).toEqual(logitsOf(fresh, [example, [4, 4, 4]])[0]);
    const second = logitsOf(m, [example, [4, 4, 4]]);
    expect(Math.max(...second[0]!.map((v, c) => Math.abs(v - first[0]![c]!)))).toBeGreaterThan(1e-4);
    m.resetCache();
    logitsOf(m, [example, [4, 4, 4]])[0]!.forEach((v, c) => expect(v).toBeCloseTo(first[0]![c]!, 6));
    m.dispose(); fresh.dispose();
  });
});

describe('transfer from an LM checkpoint', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'lm-cls-transfer-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const lmCfg = lmPresetConfig('lm-micro', { vocabSize: 32 });

  it("'blocks' copies key_pe and every layer byte for byte; in_emb and the head keep the seeded init; out_emb is dropped", () => {
    const lm = new DecoderLM(lmCfg, new Rng(11));
    const lmDir = path.join(dir, 'lm');
    saveLmCheckpoint(lm, lmDir);
    const src = lmStateDict(lm);
    lm.dispose();
    const { config, state } = readLmCheckpoint(lmDir);
    const cfg = classifierConfigFromLm(config, { vocabSize: 50, numClasses: 3 });
    const cls = new LmClassifier(cfg, new Rng(99));
    const twin = new LmClassifier(cfg, new Rng(99)); // the seeded init, untouched
    const report = transferLmToClassifier(cls, config, state, 'blocks', lmDir);
    const byName = new Map(cls.parameters().map((p) => [p.name, p]));
    const twinByName = new Map(twin.parameters().map((p) => [p.name, p]));
    const layerNames = [...src.keys()].filter((k) => k.startsWith('layers.') || k === 'key_pe');
    expect(report.copied).toEqual(cls.parameters().map((p) => p.name).filter((n) => layerNames.includes(n)));
    expect([...report.copied].sort()).toEqual([...layerNames].sort());
    expect(report.reinitialised).toEqual(['in_emb.weight', 'head.dense.weight', 'head.dense.bias', 'head.out.weight', 'head.out.bias']);
    expect(report.dropped.sort()).toEqual(['in_emb.weight', 'out_emb.bias', 'out_emb.weight']);
    const mine = (n: string) => {
      const p = byName.get(n)!;
      const v = p.variable.dataSync() as Float32Array;
      if (p.layout !== 'linear') return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      const [a, b] = p.variable.shape as [number, number];
      const t = new Float32Array(v.length);
      for (let r = 0; r < a; r++) for (let c = 0; c < b; c++) t[c * a + r] = v[r * b + c]!;
      return Buffer.from(t.buffer);
    };
    for (const n of report.copied) {
      const s = src.get(n)!.values;
      expect(mine(n).equals(Buffer.from(s.buffer, s.byteOffset, s.byteLength))).toBe(true);
    }
    for (const n of report.reinitialised) {
      const a = byName.get(n)!.variable.dataSync(), b = twinByName.get(n)!.variable.dataSync();
      expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true); // the seeded init, bit for bit
    }
    const emb = byName.get('in_emb.weight')!.variable.dataSync();
    const srcEmb = src.get('in_emb.weight')!.values;
    expect(emb.length).not.toBe(srcEmb.length); // 50 × 16 vs 32 × 16
    expect(Array.from(emb.slice(0, 32)).some((v, i) => v !== srcEmb[i])).toBe(true);
    cls.dispose(); twin.dispose();
  });

  it('GLaM: the dense FFN layers are blocks too, and padding invariance holds through them', () => {
    const glam = lmPresetConfig('lm-micro', { vocabSize: 32, architecture: 'glam', numLayers: 4 });
    const lm = new DecoderLM(glam, new Rng(13));
    const state = lmStateDict(lm);
    lm.dispose();
    const cls = new LmClassifier(classifierConfigFromLm(glam, { vocabSize: 9, numClasses: 2 }), new Rng(2));
    const r = transferLmToClassifier(cls, glam, state, 'blocks');
    expect(r.copied).toEqual(expect.arrayContaining(['layers.1.ff.fc1.weight', 'layers.3.ff.fc2.bias', 'layers.2.moe.router.gate.weight']));
    expect(r.copied.length + r.reinitialised.length).toBe(cls.parameters().length);
    const alone = logitsOf(cls, [[3, 4, 5]])[0]!;
    logitsOf(cls, [[1, 2, 3, 4, 5, 6, 7], [3, 4, 5]])[1]!.forEach((v, c) => expect(v).toBeCloseTo(alone[c]!, 5));
    cls.dispose();
  });

  it.each(routerTypes())('router %s: transfer, fine-tuning router and a training step (finite loss, a gradient for every tensor, no leaks)', (type) => {
    const lmCfg = lmPresetConfig('lm-micro', { vocabSize: 32, router: { type } }); // the router's defaults
    const lm = new DecoderLM(lmCfg, new Rng(14));
    const state = lmStateDict(lm);
    lm.dispose();
    const start = tf.memory().numTensors;
    const cls = new LmClassifier(classifierConfigFromLm(lmCfg, { vocabSize: 9, numClasses: 3 }), new Rng(2));
    const r = transferLmToClassifier(cls, lmCfg, state, 'blocks');
    expect(r.copied.length + r.reinitialised.length).toBe(cls.parameters().length);
    expect(r.copied).toEqual(expect.arrayContaining(['layers.1.moe.experts.3.fc2.bias', 'layers.0.attn.proj_key.weight']));
    if (type === 'stablemoe') expect(r.reinitialised).toContain('layers.0.moe.router.distill_embed.weight'); // indexed by the old vocabulary
    replaceLmRouters(cls.lm, cls.config.lm.router, new Rng(3));
    const b = collateClassification([[1, 2, 3, 4], [5, 6]], [2, 0], 0);
    const vars = cls.parameters().filter((p) => !p.frozen).map((p) => p.variable);
    const { value, grads } = variableGradsComplete(() => lmTotalLoss(classifierLossParts(cls.forward(b.ids, b.attentionMask, { training: true, step: 1 }), b.labels)), vars);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(Object.keys(grads).length).toBe(vars.length);
    tf.dispose([value, ...Object.values(grads)]);
    disposeClassificationBatch(b);
    cls.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it("'keep-vocabulary' also copies the embedding; a mismatched size is named", () => {
    const lm = new DecoderLM(lmCfg, new Rng(12));
    const state = lmStateDict(lm);
    lm.dispose();
    const cls = new LmClassifier(classifierConfigFromLm(lmCfg, { vocabSize: 32, numClasses: 2 }), new Rng(5));
    const r = transferLmToClassifier(cls, lmCfg, state, 'keep-vocabulary');
    expect(r.copied).toContain('in_emb.weight');
    expect(r.reinitialised).toEqual(['head.dense.weight', 'head.dense.bias', 'head.out.weight', 'head.out.bias']);
    expect(r.dropped.sort()).toEqual(['out_emb.bias', 'out_emb.weight']);
    expect(Array.from(cls.lm.inEmb.dataSync())).toEqual(Array.from(state.get('in_emb.weight')!.values));
    cls.dispose();
    const wide = new LmClassifier(classifierConfigFromLm(lmCfg, { vocabSize: 40, numClasses: 2 }), new Rng(5));
    expect(() => transferLmToClassifier(wide, lmCfg, state, 'keep-vocabulary')).toThrow(/keep-vocabulary.*32 ids.*got 40/);
    wide.dispose();
    const other = new LmClassifier(classifierConfigFromLm({ ...lmCfg, dModel: 32, dFf: 32 }, { vocabSize: 40, numClasses: 2 }), new Rng(5));
    expect(() => transferLmToClassifier(other, lmCfg, state, 'blocks', 'lm/')).toThrow(/lm\/: the LM's "dModel" is 16, the classifier's 32/);
    other.dispose();
  });
});

describe('files, routers and leaks', () => {
  it('a saved classifier reloads with the same logits', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lm-cls-ckpt-'));
    const m = new LmClassifier(parseLmClassifierConfig({ lm: lmPresetConfig('lm-micro', { vocabSize: 20 }), numClasses: 3, pooling: 'mean' }), new Rng(2));
    saveLmClassifier(m, dir);
    const back = loadLmClassifier(dir, new Rng(777));
    expect(logitsOf(back, [[1, 2, 3], [4]])).toEqual(logitsOf(m, [[1, 2, 3], [4]]));
    expect(back.config).toEqual(m.config);
    m.dispose(); back.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fine-tuning routers: competition off unless asked; same type keeps the trained gate, another type is fresh', () => {
    const lmCfg = lmPresetConfig('lm-micro', { vocabSize: 20, router: { type: 'competesmoe', topK: 2 } });
    expect(classifierConfigFromLm(lmCfg, { vocabSize: 20, numClasses: 2 }).lm.router).toEqual({ type: 'competesmoe', topK: 2, freq: 0 });
    expect(classifierConfigFromLm(lmCfg, { vocabSize: 20, numClasses: 2, competition: true }).lm.router).toEqual({ type: 'competesmoe', topK: 2 });
    const m = new LmClassifier(parseLmClassifierConfig({ lm: lmCfg, numClasses: 2 }), new Rng(3));
    const gate = () => Array.from(m.parameters().find((p) => p.name === 'layers.0.moe.router.gate.weight')!.variable.dataSync());
    const before = gate();
    expect(replaceLmRouters(m.lm, { type: 'competesmoe', topK: 2, freq: 0 }, new Rng(8))).toEqual({ kept: ['layers.0.moe', 'layers.1.moe'], fresh: [] });
    expect(gate()).toEqual(before);
    expect(m.config.lm.router).toEqual({ type: 'competesmoe', topK: 2, freq: 0 });
    expect(replaceLmRouters(m.lm, { type: 'smoe', topK: 1 }, new Rng(8)).fresh).toEqual(['layers.0.moe', 'layers.1.moe']);
    expect(gate()).not.toEqual(before);
    m.dispose();
  });

  it('forward, loss and gradients leak no tensors; dispose frees every tensor (also with the carried cache)', () => {
    const start = tf.memory().numTensors;
    const m = new LmClassifier(parseLmClassifierConfig({ lm: lmPresetConfig('lm-micro', { vocabSize: 20, router: { type: 'competesmoe', topK: 2 } }), numClasses: 3, compatCarryCache: true }), new Rng(6));
    const b = collateClassification([[1, 2, 3], [4, 5]], [2, 0], 0);
    const afterBuild = tf.memory().numTensors;
    const vars = m.parameters().map((p) => p.variable);
    for (let step = 0; step < 2; step++) {
      const { value, grads } = variableGradsComplete(() => lmTotalLoss(classifierLossParts(m.forward(b.ids, b.attentionMask, { training: true, step }), b.labels)), vars);
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      expect(Object.keys(grads).length).toBe(vars.length);
      tf.dispose([value, ...Object.values(grads)]);
    }
    m.resetCache();
    expect(tf.memory().numTensors).toBe(afterBuild);
    disposeClassificationBatch(b);
    m.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
