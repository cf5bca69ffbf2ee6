import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/runtime';
import { SwitchTransformer, presetConfig, crossEntropyIgnore } from '@switchyard/model-core';
await initBackend('wasm', { quiet: true });
const sig = new Map();
for (const name of ['BatchMatMul', '_FusedMatMul']) {
  const k = tf.getKernel(name, 'wasm'); tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...k, kernelFunc: (args) => { const t0 = performance.now(); const r = k.kernelFunc(args); const dt = performance.now() - t0;
    const { a, b } = args.inputs; const { transposeA: ta, transposeB: tb } = args.attrs;
    const ra = a.shape.length; const M = ta ? a.shape[ra-1] : a.shape[ra-2], K = ta ? a.shape[ra-2] : a.shape[ra-1];
    const N = tb ? b.shape[b.shape.length-2] : b.shape[b.shape.length-1];
    const batch = r.shape.slice(0, -2).reduce((x, y) => x * y, 1);
    const key = `${name} ${a.shape.join('x')} ${b.shape.join('x')} ${ta?'T':'N'}${tb?'T':'N'}`;
    const e = sig.get(key) ?? { n: 0, ms: 0, fl: 0 }; e.n++; e.ms += dt; e.fl += 2 * batch * M * N * K; sig.set(key, e); return r; } });
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
const n = 1024; const a = tf.randomNormal([n, n]), b = tf.randomNormal([n, n]); tf.matMul(a, b).dispose();
const t0 = performance.now(); tf.matMul(a, b).dataSync(); const ref = 2 * n ** 3 / (performance.now() - t0) / 1e6;
let tot = 0, totf = 0; for (const v of sig.values()) { tot += v.ms; totf += v.fl; }
console.log(`reference 1024³ ${ref.toFixed(1)} GFLOP/s; matmul total ${tot.toFixed(0)} ms, ${(totf/1e9).toFixed(2)} GFLOP, ${(totf/tot/1e6).toFixed(1)} GFLOP/s`);
for (const [k, v] of [...sig].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30)) console.log(v.ms.toFixed(1).padStart(8), String(v.n).padStart(4), (v.fl / v.ms / 1e6).toFixed(1).padStart(6), k);
