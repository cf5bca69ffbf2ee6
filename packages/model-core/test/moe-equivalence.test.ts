// megablocks-style equivalence: a one-expert MoE (top-1 weight = softmax of one logit = 1) with
// the dense FFN's weights copied into its expert equals the dense model, in outputs and gradients.
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { registerRouter, type Router, type RouterOutput } from '@switchyard/routers';
import { SwitchTransformer, presetConfig, crossEntropyIgnore, type ModelParameter } from '@switchyard/model-core';

// switch-top1 cannot run with E = 1 yet (its balance loss calls tf.oneHot with depth 1, which
// tfjs rejects; see ROUTER-NEEDS.md). This stand-in routes like a one-expert top-1 router:
// probs = softmax of one logit = 1, every token dispatched to expert 0 with weight 1.
function oneExpertRouter(): Router {
  return {
    type: 'test-one-expert', options: {}, numExperts: 1,
    route: (x): RouterOutput => tf.tidy(() => {
      const logits = tf.zeros([x.shape[0], 1]) as tf.Tensor2D;
      const probs = tf.softmax(logits) as tf.Tensor2D;
      const ones = tf.onesLike(probs) as tf.Tensor2D;
      return { logits, probs, weights: probs, dispatch: ones, selected: ones.clone(), losses: {}, lossCoefficients: {}, denseCompute: false } as unknown as tf.TensorContainer;
    }) as unknown as RouterOutput,
    parameters: () => [],
    dispose: () => {},
  };
}

beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
  registerRouter({ type: 'test-one-expert', paper: 'test stand-in', properties: {}, create: () => oneExpertRouter() });
});

test('one-expert MoE == dense FFN: logits and every gradient', () => {
  const sparse = new SwitchTransformer(presetConfig('micro', { num_experts: 1, switchyard_router: { type: 'test-one-expert' } }), new Rng(1));
  const dense = new SwitchTransformer(presetConfig('micro', { num_experts: 1, encoder_sparse_step: 0, decoder_sparse_step: 0 }), new Rng(2));
  expect(sparse.sparseLayers().length).toBe(2);
  expect(dense.sparseLayers().length).toBe(0);
  const toDense = (name: string) => name.replace('.mlp.experts.expert_0.', '.mlp.');
  const sparseByName = new Map(sparse.parameters().map((p) => [toDense(p.name), p]));
  for (const p of dense.parameters()) p.variable.assign(sparseByName.get(p.name)!.variable);

  const rng = new Rng(9);
  const ids = tf.tensor2d(Array.from({ length: 3 * 7 }, () => 2 + rng.int(60)), [3, 7], 'int32');
  const mask = tf.tensor2d([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0], [3, 7], 'int32');
  const dec = tf.tensor2d(Array.from({ length: 3 * 5 }, () => rng.int(64)), [3, 5], 'int32');
  const labels = tf.tensor2d(Array.from({ length: 3 * 5 }, () => 2 + rng.int(60)), [3, 5], 'int32');
  const run = (m: SwitchTransformer, params: ModelParameter[]) => tf.variableGrads(
    () => crossEntropyIgnore(m.forward({ inputIds: ids, attentionMask: mask, decoderInputIds: dec }).logits, labels),
    params.map((p) => p.variable),
  );
  const denseParams = dense.parameters();
  const expertParams = denseParams.map((p) => sparseByName.get(p.name)!);
  const logitsD = tf.tidy(() => dense.forward({ inputIds: ids, attentionMask: mask, decoderInputIds: dec }).logits);
  const logitsS = tf.tidy(() => sparse.forward({ inputIds: ids, attentionMask: mask, decoderInputIds: dec }).logits);
  expect(tf.max(tf.abs(tf.sub(logitsD, logitsS))).dataSync()[0]).toBeLessThan(1e-6);
  const gd = run(dense, denseParams);
  const gs = run(sparse, expertParams);
  expect(Math.abs(gd.value.dataSync()[0]! - gs.value.dataSync()[0]!)).toBeLessThan(1e-6);
  let worst = 0;
  let nonzero = 0;
  for (let i = 0; i < denseParams.length; i++) {
    const a = gd.grads[denseParams[i]!.variable.name]!;
    const b = gs.grads[expertParams[i]!.variable.name]!;
    worst = Math.max(worst, tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
    if (tf.max(tf.abs(a)).dataSync()[0]! > 0) nonzero++;
  }
  expect(worst).toBeLessThan(1e-6);
  expect(nonzero).toBe(denseParams.length); // every parameter actually receives gradient
  tf.dispose([ids, mask, dec, labels, logitsD, logitsS, gd.value, gs.value, ...Object.values(gd.grads), ...Object.values(gs.grads)]);
  sparse.dispose(); dense.dispose();
});

test('gather/scatter dispatch equals the dense formula Σ_e w·f_e(x) + inputWeight·x (E = 4, capacity binding)', () => {
  const model = new SwitchTransformer(presetConfig('micro', { expert_capacity: 2 }), new Rng(4));
  const layer = model.sparseLayers()[0]!;
  const rng = new Rng(5);
  const x = rng.normalTensor([2 * 9, 32]) as tf.Tensor2D;
  const ctx = { training: false, rng };
  const { y, dropped } = tf.tidy(() => {
    const out = layer.apply(x, 2, 9, ctx);
    const r = layer.router.route(x, { ...ctx, groupSize: 9 });
    const all = layer.allExpertOutputs(x);                                   // [E, N, D]
    let ref = tf.sum(tf.mul(all, tf.transpose(r.weights).expandDims(2)), 0);
    if (r.inputWeight) ref = tf.add(ref, tf.mul(x, r.inputWeight.expandDims(1)));
    return { y: tf.max(tf.abs(tf.sub(out.y, ref))), dropped: tf.sub(18, tf.sum(r.dispatch)) };
  });
  expect(dropped.dataSync()[0]).toBeGreaterThan(0); // capacity 2 of 9 tokens over 4 experts must drop some
  expect(y.dataSync()[0]).toBeLessThan(1e-6);
  tf.dispose([x, y, dropped]);
  model.dispose();
});

test('with jitter in training, experts and the dropped-token copy see the jittered input (HF fp32 in-place)', () => {
  const model = new SwitchTransformer(presetConfig('micro', { expert_capacity: 2, router_jitter_noise: 0.2 }), new Rng(4));
  const layer = model.sparseLayers()[0]!;
  const x = new Rng(6).normalTensor([2 * 9, 32]) as tf.Tensor2D;
  const rng = new Rng(8);
  const replay = new Rng(rng.state());
  const [diff, plain] = tf.tidy(() => {
    const out = layer.apply(x, 2, 9, { training: true, rng });
    const r = layer.router.route(x, { training: true, rng: replay, groupSize: 9 });
    expect(r.jitteredInput).toBeDefined();
    const xj = r.jitteredInput!;
    const ref = tf.add(tf.sum(tf.mul(layer.allExpertOutputs(xj), tf.transpose(r.weights).expandDims(2)), 0), tf.mul(xj, r.inputWeight!.expandDims(1)));
    const refPlain = tf.add(tf.sum(tf.mul(layer.allExpertOutputs(x), tf.transpose(r.weights).expandDims(2)), 0), tf.mul(x, r.inputWeight!.expandDims(1)));
    return [tf.max(tf.abs(tf.sub(out.y, ref))), tf.max(tf.abs(tf.sub(out.y, refPlain)))];
  });
  expect(diff!.dataSync()[0]).toBeLessThan(1e-6);
  expect(plain!.dataSync()[0]).toBeGreaterThan(1e-3);
  tf.dispose([x, diff!, plain!]);
  model.dispose();
});
