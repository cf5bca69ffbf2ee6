import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/runtime';
import { SwitchTransformer, presetConfig, crossEntropyIgnore } from '@switchyard/model-core';
await initBackend('wasm', { quiet: true });
const sig = new Map();
for (const name of (process.env.K ?? 'BatchMatMul').split(',')) {
  const k = tf.getKernel(name, 'wasm'); tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...k, kernelFunc: (args) => { const t0 = performance.now(); try { return k.kernelFunc(args); } finally {
    const key = `${name} ${Object.values(args.inputs).map((t) => t ? t.shape.join('x') : '-').join(' , ')} ${JSON.stringify(Object.fromEntries(Object.entries(args.attrs ?? {}).filter(([a]) => ['transposeA','transposeB','perm','axis'].includes(a))))}`;
    const e = sig.get(key) ?? { n: 0, ms: 0 }; e.n++; e.ms += performance.now() - t0; sig.set(key, e); } } });
}
const cfg = presetConfig('tiny'); const model = new SwitchTransformer(cfg, new Rng(1));
const B = 16, S = 128, T = 32, V = cfg.vocab_size;
const ids = tf.tensor2d(Int32Array.from({ length: B * S }, (_, i) => 2 + ((i * 7919) % (V - 2))), [B, S], 'int32');
const dec = tf.tensor2d(Int32Array.from({ length: B * T }, (_, i) => 2 + ((i * 104729) % (V - 2))), [B, T], 'int32');
const lab = tf.tensor2d(Int32Array.from({ length: B * T }, (_, i) => 2 + ((i * 7907) % (V - 2))), [B, T], 'int32');
const opt = tf.train.adam(1e-3); const vars = model.parameters().map((p) => p.variable);
const step = () => { const l = opt.minimize(() => { const out = model.forward({ inputIds: ids, decoderInputIds: dec }, { training: true });
  let l = crossEntropyIgnore(out.logits, lab); for (const r of out.sparseLayers) for (const [k, v] of Object.entries(r.router.losses)) l = l.add(v.mul(r.router.lossCoefficients[k] ?? 0)); return l; }, true, vars); l.dataSync(); l.dispose(); };
step(); sig.clear(); step();
for (const [k, v] of [...sig].sort((a, b) => b[1].ms - a[1].ms).slice(0, 40)) console.log(v.ms.toFixed(1).padStart(8), String(v.n).padStart(4), k);
