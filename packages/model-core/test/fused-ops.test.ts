// The fused native kernels (runtime's rmsNorm and sparseSoftmaxCrossEntropy) against
// the tfjs compositions they replace, inside the model: the micro model's loss parts and every
// parameter gradient agree on WASM with the fused path on and off, and crossEntropyIgnore keeps
// its −100 semantics. Skipped, with a message, when the native addon is not built.
import * as tf from '@tensorflow/tfjs';
import { fusedOpActive, setFusedOps } from '@switchyard/tensor-engine/testing';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { SwitchTransformer, presetConfig, modelLossParts, totalLoss, shiftRight, crossEntropyIgnore, variableGradsComplete } from '@switchyard/model-core';

let fused = false;
beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
  fused = fusedOpActive('rmsNorm') && fusedOpActive('crossEntropy');
  if (!fused) console.log('model-core fused-ops: the native fused kernels are not registered (addon not built or SWITCHYARD_NATIVE=0); skipping');
});
afterAll(() => { setFusedOps(true); });

/** max |a − b| / max |b| */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, s = 1e-30;
  for (let i = 0; i < b.length; i++) { d = Math.max(d, Math.abs(a[i]! - b[i]!)); s = Math.max(s, Math.abs(b[i]!)); }
  return d / s;
}

/** f with the fused kernels, then with the compositions. */
function bothPaths<T>(f: () => T): { fusedRun: T; composedRun: T } {
  setFusedOps(true);
  const fusedRun = f();
  setFusedOps(false);
  try { return { fusedRun, composedRun: f() }; } finally { setFusedOps(true); }
}

test('micro model: total loss and every gradient agree with the fused kernels on and off', () => {
  if (!fused) return;
  const model = new SwitchTransformer(presetConfig('micro', { expert_capacity: 3 }), new Rng(7));
  const rng = new Rng(8);
  const ids = tf.tensor2d(Array.from({ length: 4 * 8 }, () => 2 + rng.int(60)), [4, 8], 'int32');
  const mask = tf.tensor2d(Array.from({ length: 4 * 8 }, (_, i) => (i % 8 < 8 - (i >> 3) ? 1 : 0)), [4, 8], 'int32');
  const labels = tf.tensor2d(Array.from({ length: 4 * 6 }, (_, i) => (i % 7 === 3 ? -100 : 2 + rng.int(60))), [4, 6], 'int32');
  const dec = shiftRight(labels, 0, 0);
  const params = model.parameters().filter((p) => !p.frozen);
  const run = () => {
    const { value, grads } = variableGradsComplete(() => totalLoss(modelLossParts(model.forward({ inputIds: ids, attentionMask: mask, decoderInputIds: dec }), labels, { pooling: 'hf-stack', config: model.config })),
      params.map((p) => p.variable));
    const out = { total: value.dataSync()[0]!, grads: params.map((p) => grads[p.variable.name]!.dataSync().slice()) };
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  };
  const { fusedRun, composedRun } = bothPaths(run);
  expect(Math.abs(fusedRun.total - composedRun.total) / composedRun.total).toBeLessThan(1e-5);
  const worst = params.map((p, i) => ({ name: p.name, err: relErr(fusedRun.grads[i]!, composedRun.grads[i]!) })).filter((e) => !(e.err <= 1e-5));
  expect(worst).toEqual([]);
  tf.dispose([ids, mask, labels, dec]);
  model.dispose();
});

test('crossEntropyIgnore: −100 rows, an all-ignored batch and large logits, fused and composed', () => {
  if (!fused) return;
  const rng = new Rng(3);
  const logits = tf.add(rng.normalTensor([2, 5, 300], 0, 4), 1e3) as tf.Tensor3D;
  const labels = tf.tensor2d([[1, -100, 299, 0, 7], [-100, 2, 3, -100, 150]], [2, 5], 'int32');
  const allIgnored = tf.fill([2, 5], -100, 'int32') as tf.Tensor2D;
  const run = (lab: tf.Tensor2D) => () => {
    const { value, grad } = tf.valueAndGrad((lg: tf.Tensor) => crossEntropyIgnore(lg as tf.Tensor3D, lab))(logits);
    const out = { value: value.dataSync()[0]!, grad: grad.dataSync().slice() };
    tf.dispose([value, grad]);
    return out;
  };
  const some = bothPaths(run(labels));
  expect(Math.abs(some.fusedRun.value - some.composedRun.value) / some.composedRun.value).toBeLessThan(1e-5);
  expect(relErr(some.fusedRun.grad, some.composedRun.grad)).toBeLessThan(1e-5);
  // Ignored rows (flat rows 1, 5, 8) get exactly zero gradient on the fused path.
  for (const row of [1, 5, 8]) expect(Array.from(some.fusedRun.grad.slice(row * 300, (row + 1) * 300)).every((g) => g === 0)).toBe(true);
  const none = bothPaths(run(allIgnored));
  expect([none.fusedRun.value, none.composedRun.value]).toEqual([0, 0]);
  expect(none.fusedRun.grad.every((g) => g === 0)).toBe(true);
  tf.dispose([logits, labels, allIgnored]);
});
