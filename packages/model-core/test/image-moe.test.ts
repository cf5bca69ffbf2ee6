// The MoE image classifier: with one expert it equals the dense residual MLP written out here
// from its parameters (every router whose weight for a lone expert is 1, training and
// inference); the gather/scatter MoE layer equals Σ_e w[n,e]·f_e(x_n) computed densely; every
// registered router plugs in and trains (finite loss and gradients); no tensor leaks; same seed →
// same logits; config errors name the key.
import * as tf from '@tensorflow/tfjs';
import { Rng, initBackend } from '@switchyard/tensor-engine';
import { routerTypes } from '@switchyard/routers';
import { ImageMoeModel, ImageMoeLayer, imageLossParts, imageCrossEntropy, disposeImageForward, parseImageMoeConfig } from '@switchyard/model-core';

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

const SMALL = { inputSize: 12, numClasses: 3, dModel: 8, dFf: 6, numMoeLayers: 2 };
const B = 10;
const pixels = () => new Rng(5).uniformTensor([B, SMALL.inputSize]) as tf.Tensor2D;
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

/** The model with one expert per layer, written as a dense residual MLP from its parameters. */
function denseReference(m: ImageMoeModel, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const p = Object.fromEntries(m.parameters().map((q) => [q.name, q.variable as tf.Tensor]));
    const lin = (h: tf.Tensor, w: string, b: string) => tf.add(tf.matMul(h as tf.Tensor2D, p[w] as tf.Tensor2D), p[b]!);
    let h = tf.relu(lin(x, 'input.weight', 'input.bias'));
    for (let l = 0; l < SMALL.numMoeLayers; l++) {
      const e = `moe.${l}.experts.0`;
      h = tf.add(h, lin(tf.relu(lin(h, `${e}.w1.weight`, `${e}.w1.bias`)), `${e}.w2.weight`, `${e}.w2.bias`));
    }
    return lin(h, 'head.weight', 'head.bias') as tf.Tensor2D;
  });
}

describe('one expert equals the dense model', () => {
  const routers: Record<string, unknown>[] = [
    { type: 'linear-softmax-dense' },
    { type: 'linear-softmax-topk', topK: 1 },
    { type: 'smoe', topK: 1 },
    { type: 'moesart', topK: 1, mode: 'large' },
    { type: 'vmoe', topK: 1 },
    { type: 'expert-choice' },
    { type: 'linear-sparsemax' },
    // Not switch-top1: with one expert its balance loss calls tf.oneHot with depth 1, which tfjs rejects.
  ];
  it.each(routers.map((r) => [r.type as string, r]))('%s', (_, router) => {
    const m = new ImageMoeModel({ ...SMALL, numExperts: 1, router: router as { type: string } }, 3);
    const x = pixels();
    for (const training of [true, false]) {
      const got = tf.tidy(() => m.forward(x, { training, rng: new Rng(1) }).logits);
      const ref = denseReference(m, x);
      expect(maxDiff(got, ref)).toBeLessThan(1e-5);
      tf.dispose([got, ref]);
    }
    x.dispose(); m.dispose();
  });
});

describe('the sparse MoE layer computes Σ_e w[n,e]·f_e(x_n)', () => {
  const routers: Record<string, unknown>[] = [
    { type: 'moesart', topK: 2 }, { type: 'linear-softmax-topk', topK: 2 }, { type: 'vmoe', topK: 2, capacityFactor: 0.5 },
    { type: 'expert-choice', capacityFactor: 1 }, { type: 'xmoe' }, { type: 'switch-top1', expertCapacity: 2, droppedTokens: 'hf-v4.36' },
  ];
  it.each(routers.map((r) => [r.type as string, r]))('%s', (_, router) => {
    const layer = new ImageMoeLayer('moe.0', router as { type: string }, 8, 6, 4, new Rng(2));
    const x = new Rng(9).normalTensor([16, 8]) as tf.Tensor2D;
    for (const training of [true, false]) {
      const d = tf.tidy(() => {
        const { y, router: r } = layer.apply(x, { training, rng: new Rng(4) });
        const all = layer.allExpertOutputs(r.jitteredInput ?? x);                             // [E, N, D]
        let ref = tf.sum(tf.mul(all, tf.transpose(r.weights).reshape([4, 16, 1])), 0);
        if (r.inputWeight) ref = tf.add(ref, tf.mul(r.jitteredInput ?? x, r.inputWeight.expandDims(1)));
        return maxDiff(y, ref);
      });
      expect(d).toBeLessThan(1e-5);
    }
    x.dispose(); layer.dispose();
  });
});

describe('every registered router plugs into each MoE layer', () => {
  // StableMoE's distilled gate routes on token ids, which images do not have: use distill false.
  const cfg = (type: string) => (type === 'stablemoe' ? { type, distill: false } : { type });
  it.each(routerTypes().map((t) => [t]))('%s: trains (finite loss and gradients), no leaks', (type) => {
    const before = tf.memory().numTensors;
    const m = new ImageMoeModel({ ...SMALL, numExperts: 4, router: cfg(type) }, 1);
    const x = pixels();
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0], 'int32');
    const afterBuild = tf.memory().numTensors;
    const vars = m.parameters().filter((p) => !p.frozen).map((p) => p.variable);
    const { value, grads } = tf.variableGrads(() => {
      const out = m.forward(x, { training: true, rng: new Rng(7), step: 1 });
      expect(out.logits.shape).toEqual([B, 3]);
      expect(out.layers.map((l) => l.layer)).toEqual(['moe.0', 'moe.1']);
      const parts = imageLossParts(out, y);
      return parts.reduce<tf.Scalar>((s, p) => tf.add(s, tf.mul(p.value, p.coefficient)), tf.scalar(0));
    }, vars);
    expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
    const gn = tf.tidy(() => tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))).dataSync()[0]!);
    expect(Number.isFinite(gn) && gn > 0).toBe(true);
    tf.dispose([value, ...Object.values(grads)]);
    const ev = tf.tidy(() => m.forward(x, { training: false, rng: new Rng(7) }).logits);
    expect(ev.dataSync().every(Number.isFinite)).toBe(true);
    ev.dispose();
    expect(tf.memory().numTensors).toBe(afterBuild);
    x.dispose(); y.dispose(); m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('model hygiene', () => {
  it('a forward result can be disposed without tidy; same seed → same logits', () => {
    const m1 = new ImageMoeModel({ ...SMALL, router: { type: 'moesart', topK: 2 } }, 11);
    const m2 = new ImageMoeModel({ ...SMALL, router: { type: 'moesart', topK: 2 } }, 11);
    const x = pixels();
    const before = tf.memory().numTensors;
    tf.engine().startScope();
    const o1 = m1.forward(x, { training: true, rng: new Rng(3) });
    const a = Array.from(o1.logits.dataSync());
    tf.engine().endScope();
    expect(tf.memory().numTensors).toBe(before);
    const o2 = m2.forward(x, { training: true, rng: new Rng(3) });
    expect(Array.from(o2.logits.dataSync())).toEqual(a);
    // disposeImageForward releases the outputs; intermediates of an untidied call are the caller's.
    const held = tf.memory().numTensors;
    disposeImageForward(o2);
    expect(tf.memory().numTensors).toBeLessThan(held);
    x.dispose(); m1.dispose(); m2.dispose();
  });
  it('cross-entropy equals the hand-computed value', () => {
    // logits [[0, ln 3], [2, 2]], labels [1, 0]: −ln(3/4) and −ln(1/2) → mean (ln 4/3 + ln 2)/2
    const ce = tf.tidy(() => imageCrossEntropy(tf.tensor2d([[0, Math.log(3)], [2, 2]]), tf.tensor1d([1, 0], 'int32')).dataSync()[0]!);
    expect(ce).toBeCloseTo((Math.log(4 / 3) + Math.log(2)) / 2, 6);
  });
  it('config errors name the key, with a did-you-mean', () => {
    expect(() => parseImageMoeConfig({ numExpert: 4 } as never)).toThrow(/unknown key "numExpert" \(did you mean "numExperts"\?\)/);
    expect(() => parseImageMoeConfig({ router: { type: 'moesrt' } })).toThrow(/router type "moesrt" is not registered \(did you mean "moesart"\?\)/);
    expect(() => parseImageMoeConfig({ router: { type: 'stablemoe' } })).toThrow(/images have no token ids; set "distill": false/);
    expect(() => parseImageMoeConfig({ dModel: 0 })).toThrow(/"dModel" must be a positive integer, got 0/);
    expect(() => new ImageMoeModel({ inputSize: 4 }).forward(tf.zeros([1, 5]) as tf.Tensor2D, { training: false, rng: new Rng(0) })).toThrow(/images have 5 values each, the model expects inputSize 4/);
  });
});
