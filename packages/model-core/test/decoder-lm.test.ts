// The decoder-only MoE LM (src/decoder-lm.ts) against independent expectations: a naive dense
// reference forward (test/lm-reference.ts) for a one-expert MoE (outputs and every gradient);
// causality; block-by-block with the cache == one pass over the whole sequence; the GLaM layer
// layout against the reference repo's index arithmetic; routers given what they need
// (SMoE-Dropout's k(t) and eval k, CompeteSMoE's competition, StableMoE's token ids and stages,
// the per-iteration switch); export/import; no tensor leaks.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import {
  DecoderLM, lmPresetConfig, lmLayerKinds, parseLmConfig, lmLossParts, lmTotalLoss, lmStateDict, evaluateLm,
  saveLmCheckpoint, loadLmCheckpoint, variableGradsComplete, type LmConfig,
} from '@switchyard/model-core';
import { referenceLogits, type Weights } from './lm-reference.js';

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

function randomIds(rng: Rng, b: number, t: number, v: number): tf.Tensor2D {
  return tf.tensor2d(Array.from({ length: b * t }, () => rng.int(v)), [b, t], 'int32');
}

function maxAbs(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** Mean −log p(target), written out (not the fused cross-entropy the model's loss uses). */
function meanNll(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Scalar {
  const v = logits.shape[2];
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(targets, v)), -1))) as tf.Scalar;
}

describe('one-expert MoE LM == dense reference LM', () => {
  test('logits and the gradient of every parameter', () => {
    const cfg = lmPresetConfig('lm-micro', { numExperts: 1, router: { type: 'smoe', topK: 1 }, attnSpan: 5 });
    const model = new DecoderLM(cfg, new Rng(1));
    const rng = new Rng(2);
    const ids = randomIds(rng, 2, 12, cfg.vocabSize);
    const targets = randomIds(rng, 2, 12, cfg.vocabSize);
    const sd = lmStateDict(model);
    const w: Weights = {};
    for (const [k, t] of sd) w[k] = tf.tensor(t.values, t.shape);
    const ffn = (i: number) => `layers.${i}.moe.experts.0`;
    // Outputs: the whole 12-token sequence as one block (span 5 < 12, so the span limit matters).
    const diff = tf.tidy(() => maxAbs(model.forward(ids).logits, referenceLogits(cfg, w, ids, ffn)));
    expect(diff).toBeLessThan(2e-5);
    // Gradients of the mean NLL with respect to every parameter.
    const params = model.parameters();
    const { value, grads } = variableGradsComplete(() => meanNll(model.forward(ids).logits, targets), params.map((p) => p.variable));
    const names = Object.keys(w).filter((k) => !k.includes('.router.'));
    const ref = tf.grads((...xs: tf.Tensor[]) => {
      const ws: Weights = { ...w };
      names.forEach((n, i) => { ws[n] = xs[i]!; });
      return meanNll(referenceLogits(cfg, ws, ids, ffn), targets);
    })(names.map((n) => w[n]!));
    const refByName = new Map(names.map((n, i) => [n, ref[i]!]));
    for (const p of params) {
      const g = grads[p.variable.name]!;
      if (p.name.includes('.router.')) {
        // The one expert's combine weight is softmax of one logit = 1: no gradient reaches the gate.
        expect(tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!)).toBeLessThan(1e-7);
        continue;
      }
      const r = refByName.get(p.name)!;
      const ours = p.layout === 'linear' ? tf.transpose(g) : g.reshape(r.shape);
      const scale = tf.tidy(() => tf.max(tf.abs(r)).dataSync()[0]!);
      const d = maxAbs(ours, r);
      if (!(d <= 1e-3 * scale + 1e-6)) throw new Error(`gradient of ${p.name}: max |diff| ${d} (max |ref| ${scale})`);
      if (ours !== g) ours.dispose();
    }
    expect(refByName.get('layers.0.moe.experts.0.fc1.weight')).toBeDefined();
    tf.dispose([value, ...Object.values(grads), ...ref, ...Object.values(w), ids, targets]);
    model.dispose();
  });
});

describe('attention span and cache', () => {
  const cfgFor = (over: Record<string, unknown>): LmConfig => lmPresetConfig('lm-micro', { attnSpan: 6, ...over });

  test('causality: logits at t do not depend on tokens after t', () => {
    const model = new DecoderLM(cfgFor({}), new Rng(3));
    const rng = new Rng(4);
    const a = randomIds(rng, 2, 10, 32);
    const tail = randomIds(rng, 2, 4, 32);
    const b = tf.concat([a.slice([0, 0], [-1, 6]), tail], 1) as tf.Tensor2D;
    const [prefix, changed] = tf.tidy(() => {
      const la = model.forward(a).logits, lb = model.forward(b).logits;
      return [maxAbs(la.slice([0, 0, 0], [-1, 6, -1]), lb.slice([0, 0, 0], [-1, 6, -1])), maxAbs(la.slice([0, 6, 0], [-1, 4, -1]), lb.slice([0, 6, 0], [-1, 4, -1]))];
    });
    expect(prefix).toBe(0);
    expect(changed).toBeGreaterThan(1e-3);   // the test can fail: later positions do see the change
    tf.dispose([a, b, tail]);
    model.dispose();
  });

  for (const compat of [false, true]) {
    test(`three blocks of 4 with the cache == one block of 12 (span 6 > block${compat ? ', compatZeroInitialCache' : ''})`, () => {
      const model = new DecoderLM(cfgFor({ compatZeroInitialCache: compat, architecture: 'glam' }), new Rng(5));
      const ids = randomIds(new Rng(6), 3, 12, 32);
      const diff = tf.tidy(() => {
        const whole = model.forward(ids).logits;
        let cache = model.initialCache(3);
        const parts: tf.Tensor[] = [];
        for (let k = 0; k < 3; k++) {
          const out = model.forward(ids.slice([0, 4 * k], [-1, 4]) as tf.Tensor2D, { cache });
          parts.push(out.logits);
          cache = out.cache;
        }
        return maxAbs(whole, tf.concat(parts, 1));
      });
      expect(diff).toBeLessThan(1e-5);
      ids.dispose();
      model.dispose();
    });
  }

  for (const withMask of [false, true]) {
    test(`a trimmed first block (trimEmptyCache) == the full span: states, next cache and gradients${withMask ? ', left-padded rows' : ''}`, () => {
      const model = new DecoderLM(cfgFor({ attnSpan: 9, architecture: 'glam' }), new Rng(11));
      const ids = randomIds(new Rng(12), 3, 5, 32);
      const mask = withMask ? tf.tensor2d([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1], [0, 0, 0, 0, 1]], [3, 5]) : undefined;
      const before = tf.memory().numTensors;
      const params = model.parameters().filter((p) => p.variable.trainable).map((p) => p.variable);
      const run = (trim: boolean) => tf.variableGrads(() => {
        const out = model.forwardHidden(ids, { attentionMask: mask, trimEmptyCache: trim });
        return tf.sum(tf.mul(out.hidden, tf.range(0, 3 * 5 * 16).reshape(out.hidden.shape).div(100))) as tf.Scalar;
      }, params);
      const [full, trimmed] = [run(false), run(true)];
      expect(Math.abs(full.value.dataSync()[0]! - trimmed.value.dataSync()[0]!)).toBeLessThan(1e-3);
      const worst = Math.max(...Object.keys(full.grads).map((n) => maxAbs(full.grads[n]!, trimmed.grads[n]!)));
      expect(worst).toBeLessThan(1e-5);
      const [h, c] = tf.tidy(() => {
        const a = model.forwardHidden(ids, { attentionMask: mask }), b = model.forwardHidden(ids, { attentionMask: mask, trimEmptyCache: true });
        expect(b.cache.hidden[0]!.shape).toEqual([3, 9, 16]);
        return [maxAbs(a.hidden, b.hidden), Math.max(...a.cache.hidden.map((x, i) => maxAbs(x, b.cache.hidden[i]!)))];
      });
      expect(h).toBeLessThan(1e-5);
      expect(c).toBeLessThan(1e-5);
      tf.dispose([full.value, trimmed.value, ...Object.values(full.grads), ...Object.values(trimmed.grads)]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([ids, ...(mask ? [mask] : [])]);
      model.dispose();
    });
  }

  test('the zero initial cache of the reference changes the first positions only', () => {
    const masked = new DecoderLM(cfgFor({}), new Rng(7));
    const zero = new DecoderLM(cfgFor({ compatZeroInitialCache: true }), new Rng(7));
    const ids = randomIds(new Rng(8), 1, 12, 32);
    const [early, late] = tf.tidy(() => {
      // Warm both caches with one block, so the next block sees 6 real positions in either model.
      const a1 = masked.forward(ids.slice([0, 0], [-1, 6]) as tf.Tensor2D);
      const b1 = zero.forward(ids.slice([0, 0], [-1, 6]) as tf.Tensor2D);
      const a2 = masked.forward(ids.slice([0, 6], [-1, 6]) as tf.Tensor2D, { cache: a1.cache });
      const b2 = zero.forward(ids.slice([0, 6], [-1, 6]) as tf.Tensor2D, { cache: a1.cache });
      return [maxAbs(a1.logits, b1.logits), maxAbs(a2.logits, b2.logits)];
    });
    expect(early).toBeGreaterThan(1e-4);
    expect(late).toBeLessThan(1e-5);
    ids.dispose();
    masked.dispose(); zero.dispose();
  });
});

describe('layouts and configs', () => {
  test('GLaM alternates MoE and dense; compatGlamPairIndexing reproduces the reference indexing', () => {
    // The reference builds pair i from characters 2i, 2i+1 (MoE if 'g') and 2i+2, 2i+3 (dense if 'f')
    // of the architecture string "sgsf" × pairs.
    const pairs = 4, arch = 'sgsf'.repeat(pairs);
    const ref: string[] = [];
    for (let i = 0; i < pairs; i++) ref.push(arch[2 * i + 1] === 'g' ? 'moe' : 'none', arch[2 * i + 3] === 'f' ? 'dense' : 'none');
    expect(lmLayerKinds({ numLayers: 8, architecture: 'glam', compatGlamPairIndexing: true })).toEqual(ref);
    expect(ref).toEqual(['moe', 'dense', 'none', 'none', 'moe', 'dense', 'none', 'none']);
    expect(lmLayerKinds({ numLayers: 6, architecture: 'glam', compatGlamPairIndexing: false })).toEqual(['moe', 'dense', 'moe', 'dense', 'moe', 'dense']);
    expect(lmLayerKinds({ numLayers: 3, architecture: 'transformer', compatGlamPairIndexing: false })).toEqual(['moe', 'moe', 'moe']);
    const m = new DecoderLM(lmPresetConfig('lm-micro', { architecture: 'glam', numLayers: 4, compatGlamPairIndexing: true, compatDoubleMoeNorm: true }), new Rng(1));
    const names = m.parameters().map((p) => p.name);
    expect(names.filter((n) => n.endsWith('.fc1.weight'))).toEqual([0, 1, 2, 3].map((e) => `layers.0.moe.experts.${e}.fc1.weight`).concat(['layers.1.ff.fc1.weight']));
    expect(names).toContain('layers.0.moe.layer_norm.weight');
    expect(names.some((n) => n.startsWith('layers.2.norm2') || n.startsWith('layers.3.norm2'))).toBe(false);
    m.dispose();
  });

  test('presets and errors', () => {
    expect(lmPresetConfig('transformer-s')).toMatchObject({ numLayers: 6, dModel: 264, dFf: 264, numHeads: 8, numExperts: 16, blockSize: 512, attnSpan: 2048, dropout: 0.1 });
    expect(lmPresetConfig('transformer-m')).toMatchObject({ numLayers: 8, dModel: 352 });
    expect(lmPresetConfig('wikitext-s', { vocabSize: 1000 })).toMatchObject({ numLayers: 3, dModel: 128, blockSize: 256, attnSpan: 256 });
    expect(() => lmPresetConfig('wikitext-s')).toThrow(/needs "vocabSize"/);
    expect(() => parseLmConfig({ numExpert: 4 })).toThrow(/unknown key "numExpert" \(did you mean "numExperts"\?\)/);
    expect(() => parseLmConfig({ dModel: 10, numHeads: 4 })).toThrow(/multiple of "numHeads"/);
    expect(() => parseLmConfig({ architecture: 'glam', numLayers: 2, routerByLayer: { 1: { type: 'smoe' } } })).toThrow(/layer 1 has no MoE sub-layer \(it is dense\)/);
    expect(() => new DecoderLM(parseLmConfig({ router: { type: 'smoe-dropot' } }), new Rng(1))).toThrow(/unknown router type "smoe-dropot"/);
  });

  test('any router in any MoE layer', () => {
    const cfg = lmPresetConfig('lm-micro', { routerByLayer: { 1: { type: 'xmoe', variant: 'competesmoe' } } });
    const m = new DecoderLM(cfg, new Rng(1));
    expect(m.moeLayers().map((l) => l.router.type)).toEqual(['smoe', 'xmoe']);
    m.dispose();
  });
});

describe('what the routers need', () => {
  test("SMoE-Dropout: k(t) from the global step and totalSteps, and an eval-time k", () => {
    // E = 4: kMin = 2, kMax = 4; k(t) = clip(round_half_even(2·t/100) + 2, 2, 4).
    const cfg = lmPresetConfig('lm-micro', { router: { type: 'smoe-dropout' }, totalSteps: 100 });
    const m = new DecoderLM(cfg, new Rng(1));
    expect(m.moeLayers()[0]!.slot.totalSteps).toBe(100);
    const ids = randomIds(new Rng(2), 2, 8, 32);
    const kAt = (opts: { training: boolean; step?: number }) => tf.tidy(() => {
      const rec = m.forward(ids, { ...opts, rng: new Rng(3) }).moeLayers[0]!;
      return [...tf.sum(rec.router.dispatch, 1).dataSync()];
    });
    const expected: [number, number][] = [[0, 2], [24, 2], [25, 2], [26, 3], [50, 3], [74, 3], [75, 4], [100, 4], [500, 4]];
    for (const [step, k] of expected) expect(new Set(kAt({ training: true, step }))).toEqual(new Set([k]));
    expect(new Set(kAt({ training: false }))).toEqual(new Set([4]));
    const before = tf.memory().numTensors;
    const slim = m.withRouterOptions({ evalK: 1 }, () => kAt({ training: false }));
    expect(new Set(slim)).toEqual(new Set([1]));
    expect(tf.memory().numTensors).toBe(before);
    expect(new Set(kAt({ training: false }))).toEqual(new Set([4]));   // restored
    // The frozen random gate is excluded from training.
    expect(m.parameters().filter((p) => p.name.includes('.router.')).every((p) => p.frozen)).toBe(true);
    ids.dispose();
    m.dispose();
  });

  test('CompeteSMoE: a competition step runs every expert, routes to the top-k by output norm, and trains the router toward them', () => {
    const cfg = lmPresetConfig('lm-micro', { router: { type: 'competesmoe', topK: 2 } });
    const m = new DecoderLM(cfg, new Rng(11));
    const ids = randomIds(new Rng(12), 2, 8, 32);
    const layer = m.moeLayers()[0]!;
    const gate = layer.routerParameters().map((p) => p.variable);
    const winnerMass = (): { mass: number; winners: number[][] } => tf.tidy(() => {
      const rec = m.forward(ids, { training: true, rng: new Rng(13) }).moeLayers[0]!;
      expect(rec.router.denseCompute).toBe(true);
      // Independent winners: ‖f_e(x)‖₂ of every expert on the router input, top-2.
      const x = rec.routerInput;
      const norms = layer.experts.map((ex) => tf.norm(ex.apply(x, { training: false, rng: new Rng(0), step: 0, dropout: 0, tokenIds: ids } as never), 2, 1).arraySync() as number[]);
      const n = x.shape[0];
      const winners = Array.from({ length: n }, (_, t) => [0, 1, 2, 3].sort((a, b) => norms[b]![t]! - norms[a]![t]! || a - b).slice(0, 2).sort());
      const dispatch = rec.router.dispatch.arraySync() as number[][];
      for (let t = 0; t < n; t++) expect(dispatch[t]!.flatMap((v, e) => (v ? [e] : []))).toEqual(winners[t]);
      const probs = rec.router.probs.arraySync() as number[][];
      let mass = 0;
      for (let t = 0; t < n; t++) for (const e of winners[t]!) mass += probs[t]![e]!;
      return { mass: mass / n, winners };
    });
    const before = winnerMass();
    // Gradient steps on the router's compete loss alone (the NLL does not reach the gate).
    const opt = tf.train.sgd(0.5);
    for (let s = 0; s < 5; s++) {
      const { value, grads } = variableGradsComplete(() => {
        const parts = lmLossParts(m.forward(ids, { training: true, rng: new Rng(13) }), ids);
        expect(parts.find((p) => p.name === 'compete')!.coefficient).toBeCloseTo(0.05, 10);
        return lmTotalLoss(parts.filter((p) => p.name === 'compete' && p.layer === layer.name));
      }, gate);
      opt.applyGradients(grads);
      tf.dispose([value, ...Object.values(grads)]);
    }
    const after = winnerMass();
    expect(after.winners).toEqual(before.winners);   // experts untouched: same winners
    expect(after.mass).toBeGreaterThan(before.mass + 1e-3);
    // Inference routes with the router's own top-k (no competition).
    tf.tidy(() => expect(m.forward(ids).moeLayers[0]!.router.denseCompute).toBe(false));
    opt.dispose();
    ids.dispose();
    m.dispose();
  });

  test('CompeteSMoE freqType "function" with routerIterationSteps: one switch per layer per iteration', () => {
    const cfg = lmPresetConfig('lm-micro', { router: { type: 'competesmoe', freqType: 'function', iterationSteps: 10 }, routerIterationSteps: 10 });
    const m = new DecoderLM(cfg, new Rng(21));
    const ids = randomIds(new Rng(22), 1, 8, 32);
    const seen: boolean[][] = [];
    for (let it = 0; it < 6; it++) {
      const perStep = [0, 3, 9].map((o) => tf.tidy(() => m.forward(ids, { training: true, rng: new Rng(100 + o), step: it * 10 + o }).moeLayers.map((r) => r.router.denseCompute)));
      for (const s of perStep) expect(s).toEqual(perStep[0]);   // constant within the iteration
      seen.push(perStep[0]!);
    }
    const flat = seen.flat();
    expect(flat.some((v) => v) && flat.some((v) => !v)).toBe(true);   // and it does switch
    ids.dispose();
    m.dispose();
  });

  test('StableMoE (two-stage) gets the token ids: distillation in stage 1, frozen id routing from the configured step', () => {
    const cfg = lmPresetConfig('lm-micro', { router: { type: 'stablemoe', twoStageUpdates: 50, distillDim: 4 } });
    const m = new DecoderLM(cfg, new Rng(31));
    const ids = randomIds(new Rng(32), 2, 8, 32);
    const lossesAt = (step: number) => tf.tidy(() => Object.keys(m.forward(ids, { training: true, step, rng: new Rng(1) }).moeLayers[0]!.router.losses).sort());
    expect(lossesAt(49)).toEqual(['balance', 'distill']);
    expect(lossesAt(50)).toEqual([]);
    // From stage 2 on, routing is a function of the token id alone (same id → same expert).
    tf.tidy(() => {
      const rec = m.forward(ids, { training: true, step: 50, rng: new Rng(1) }).moeLayers[0]!;
      const sel = rec.router.selected.arraySync() as number[][];
      const flat = ids.reshape([-1]).arraySync() as number[];
      const byId = new Map<number, string>();
      flat.forEach((id, t) => { const s = sel[t]!.join(); if (byId.has(id)) expect(byId.get(id)).toBe(s); byId.set(id, s); });
    });
    ids.dispose();
    m.dispose();
  });
});

describe('evaluation, export, memory', () => {
  test('evaluateLm: complete blocks only, NLL over all predicted positions, BPC and PPL', () => {
    const m = new DecoderLM(lmPresetConfig('lm-micro', { attnSpan: 8 }), new Rng(41));
    const tokens = Int32Array.from({ length: 70 }, (_, i) => (i * 5 + 3) % 32);
    // 2 rows of 35 tokens; blocks of 8 need 9 tokens: 4 blocks per row (positions 0..32 → targets to 33).
    const r = evaluateLm(m, tokens, { batchSize: 2, blockSize: 8 });
    expect(r).toMatchObject({ blocks: 4, tokens: 64, rowLength: 35 });
    // Independent: the same NLL from the rows as one 32-token block each (the span covers nothing
    // that blocks would not: blocks with the cache == one pass, tested above).
    const rows = [tokens.subarray(0, 35), tokens.subarray(35, 70)];
    const x = tf.tensor2d([...rows[0]!.subarray(0, 32), ...rows[1]!.subarray(0, 32)], [2, 32], 'int32');
    const y = tf.tensor2d([...rows[0]!.subarray(1, 33), ...rows[1]!.subarray(1, 33)], [2, 32], 'int32');
    const nll = tf.tidy(() => meanNll(m.forward(x).logits, y).dataSync()[0]!);
    expect(Math.abs(r.nll - nll) / nll).toBeLessThan(1e-5);
    expect(r.bpc).toBeCloseTo(r.nll / Math.log(2), 12);
    expect(r.ppl).toBeCloseTo(Math.exp(r.nll), 9);
    expect(() => evaluateLm(m, tokens.subarray(0, 17), { batchSize: 2, blockSize: 8 })).toThrow(/8 tokens per row; a complete block needs 9/);
    expect(() => evaluateLm(m, Int32Array.of(1, 2, 40, 3), { batchSize: 1, blockSize: 2 })).toThrow(/token 2 is 40, outside the model's vocabulary \[0, 32\)/);
    tf.dispose([x, y]);
    m.dispose();
  });

  test('save → load reproduces the logits', () => {
    const m = new DecoderLM(lmPresetConfig('lm-micro', { architecture: 'glam', router: { type: 'competesmoe' } }), new Rng(51));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sy-lm-'));
    try {
      saveLmCheckpoint(m, dir);
      const back = loadLmCheckpoint(dir, new Rng(999));
      const ids = randomIds(new Rng(52), 2, 8, 32);
      expect(tf.tidy(() => maxAbs(m.forward(ids).logits, back.forward(ids).logits))).toBe(0);
      ids.dispose();
      back.dispose();
    } finally { rmSync(dir, { recursive: true, force: true }); m.dispose(); }
  });

  test('forward, train steps (dropout, competition), evaluation: no leaks; dispose frees all', () => {
    const start = tf.memory().numTensors;
    const m = new DecoderLM(lmPresetConfig('lm-micro', { architecture: 'glam', dropout: 0.1, router: { type: 'competesmoe', freq: 0.5 } }), new Rng(61));
    const ids = randomIds(new Rng(62), 2, 8, 32);
    const opt = tf.train.adam(1e-3);
    const vars = m.parameters().filter((p) => !p.frozen).map((p) => p.variable);
    let cache = m.initialCache(2);
    const rng = new Rng(63);
    const step = (s: number) => {
      let next: tf.Tensor3D[] = [];
      const { value, grads } = variableGradsComplete(() => {
        const out = m.forward(ids, { training: true, rng, step: s, cache });
        next = out.cache.hidden.map((h) => tf.keep(h));
        return lmTotalLoss(lmLossParts(out, ids));
      }, vars);
      opt.applyGradients(grads);
      tf.dispose([value, ...Object.values(grads), ...cache.hidden]);
      cache = { hidden: next, pastLength: 8 };
    };
    step(0);   // Adam creates its slots
    const base = tf.memory().numTensors;
    for (let s = 1; s < 4; s++) step(s);
    expect(tf.memory().numTensors).toBe(base);
    tf.tidy(() => { m.forward(ids, { training: true, rng }); });
    evaluateLm(m, Int32Array.from({ length: 40 }, (_, i) => i % 32), { batchSize: 2 });
    m.withRouterOptions({ topK: 1 }, () => 0);
    expect(tf.memory().numTensors).toBe(base);
    tf.dispose([...cache.hidden, ids]);
    opt.dispose();
    m.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
