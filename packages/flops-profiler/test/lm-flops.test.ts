// The decoder-LM FLOPs count (src/lm-flops.ts) against two independent expectations: a count done
// by hand for a toy shape, and the matrix products tfjs actually runs in a DecoderLM forward pass
// (tf.profile's kernel list: every BatchMatMul / _FusedMatMul with its input and output shapes).
import * as tf from '@tensorflow/tfjs';
import { DecoderLM, lmLayerKinds, parseLmConfig } from '@switchyard/model-core';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { describeRouter } from '@switchyard/routers';
import { costSpecOf, lmFlopsModel, LmFlopsError, type LmShape } from '@switchyard/flops-profiler';

describe('lmFlopsModel', () => {
  it('matches a count by hand: d 4, 2 heads, F 6, V 10, M 2, L 3, one MoE layer of 2 experts, linear top-1', () => {
    const shape: LmShape = { vocabSize: 10, dModel: 4, numHeads: 2, dFf: 6, blockSize: 2, attnSpan: 3, layerKinds: ['moe'], numExperts: 2, doubleMoeNorm: false };
    const r = lmFlopsModel(shape, [{ layer: 'layers.0.moe', router: { gate: 'linear', normaliser: 'softmax', selectionSort: true }, activeEval: 1, activeTraining: 1 }]);
    // Per block of 2 tokens. Matmuls: projections 4·2·16 + 4·5·16 = 448; content 2·2·5·4 = 80;
    // position 2·2·3·4 = 48; weighted sum 80; expert 2·1·4·4·6 = 192; router 2·(2·4·2) = 32;
    // head 2·2·4·10 = 160 → 1040. Elementwise: scores 2·2·3·7 = 84; expert bias/ReLU/bias/combine
    // 2·(6+6+4+8) = 48; router 2·(2 + 10 + 2) = 28; norms 2·2·32 = 128; residual 2·2·4 = 16;
    // head bias 20; loss 2·42 = 84 → 408.
    expect(r.perToken.forwardMatmul).toBe(1040 / 2);
    expect(r.perToken.forwardAll).toBe((1040 + 408) / 2);
    // Training: 3× every term, plus the embedding's scatter-add of d per token.
    expect(r.perToken.trainingAll).toBe((3 * 1448 + 2 * 4) / 2);
    expect(r.meanActiveExperts).toBe(1);
  });

  it('adds the declared extra training evaluations (CompeteSMoE) to training only, and the measured training k', () => {
    const shape: LmShape = { vocabSize: 10, dModel: 4, numHeads: 2, dFf: 6, blockSize: 2, attnSpan: 3, layerKinds: ['moe', 'dense'], numExperts: 4, doubleMoeNorm: false };
    const plain = { gate: 'linear' as const, normaliser: 'softmax' as const, selectionSort: true };
    const a = lmFlopsModel(shape, [{ layer: 'layers.0.moe', router: plain, activeEval: 2, activeTraining: 2 }]);
    const b = lmFlopsModel(shape, [{ layer: 'layers.0.moe', router: { ...plain, extraTraining: { expertsPerToken: 4, probability: 0.5, elementwisePerToken: 10 } }, activeEval: 2, activeTraining: 3 }]);
    expect(b.perToken.forwardAll).toBe(a.perToken.forwardAll);
    // per token: one more training expert 3·(2·2·4·6 + 6+6+4+8) = 360; extra 3·0.5·(4·96 + 4·16 + 10) = 687
    expect(b.perToken.trainingAll - a.perToken.trainingAll).toBeCloseTo(360 + 687, 9);
  });

  it('refuses a layer count that does not match the model, and k above E', () => {
    const shape: LmShape = { vocabSize: 10, dModel: 4, numHeads: 2, dFf: 6, blockSize: 2, attnSpan: 3, layerKinds: ['moe', 'moe'], numExperts: 2, doubleMoeNorm: false };
    const l = { layer: 'layers.0.moe', router: { gate: 'linear' as const }, activeEval: 1, activeTraining: 1 };
    expect(() => lmFlopsModel(shape, [l])).toThrow(LmFlopsError);
    expect(() => lmFlopsModel(shape, [l, { ...l, activeEval: 3 }])).toThrow(/activeEval must be in \[0, 2\]/);
  });
});

/** 2·|A|·n over every matrix-product kernel of a profile: A [..., m, k] · B → out [..., m, n]. */
function profiledMatmulFlops(kernels: { name: string; inputShapes: number[][]; outputShapes: number[][] }[]): number {
  let flops = 0;
  for (const k of kernels) {
    if (k.name !== 'BatchMatMul' && k.name !== '_FusedMatMul') continue;
    const a = k.inputShapes[0]!, out = k.outputShapes[0]!;
    const prod = (s: number[]) => s.reduce((x, y) => x * y, 1);
    // inner dim = |A| / (batch · m) with batch · m = |out| / n
    const n = out[out.length - 1]!;
    const inner = (prod(a) * n) / prod(out);
    flops += 2 * prod(out) * inner;
  }
  return flops;
}

describe('lmFlopsModel against the matrix products a DecoderLM forward runs', () => {
  beforeAll(async () => { await initBackend('wasm', { quiet: true }); });
  for (const [architecture, router] of [['transformer', { type: 'smoe', topK: 2 }], ['glam', { type: 'xmoe', topK: 2, variant: 'competesmoe' }]] as const) {
    it(`${architecture}, ${router.type}: forward matmul FLOPs per token equal the profiled kernels`, async () => {
      const cfg = parseLmConfig({ vocabSize: 11, dModel: 8, numHeads: 2, dFf: 12, numLayers: 2, architecture, numExperts: 4, blockSize: 5, attnSpan: 7, dropout: 0, router });
      const model = new DecoderLM(cfg, new Rng(3));
      const B = 3;
      const ids = tf.tensor2d(Array.from({ length: B * 5 }, (_, i) => (i * 7) % 11), [B, 5], 'int32');
      const before = tf.memory().numTensors;
      const info = await tf.profile(() => { tf.tidy(() => { model.forward(ids); }); });
      expect(tf.memory().numTensors).toBe(before);
      const measured = profiledMatmulFlops(info.kernels as never);
      const kinds = lmLayerKinds(cfg);
      const desc = describeRouter(router, { dModel: 8, numExperts: 4 });
      const moe = kinds.flatMap((k, i) => (k === 'moe' ? [{ layer: `layers.${i}.moe`, router: costSpecOf(desc), activeEval: 2, activeTraining: 2 }] : []));
      const r = lmFlopsModel({ vocabSize: 11, dModel: 8, numHeads: 2, dFf: 12, blockSize: 5, attnSpan: 7, layerKinds: kinds, numExperts: 4, doubleMoeNorm: false }, moe);
      expect(r.perToken.forwardMatmul * B * 5).toBeCloseTo(measured, 6);
      ids.dispose();
      model.dispose();
    });
  }
});
