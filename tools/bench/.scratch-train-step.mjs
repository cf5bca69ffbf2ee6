// Scratch: tiny Switch train step on WASM, stock vs fixed, with per-kernel times.
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/runtime';
import { SwitchTransformer, presetConfig, crossEntropyIgnore } from '@switchyard/model-core';
const prof = process.argv.includes('--profile');
await initBackend('wasm', { quiet: true });
const timer = prof ? (await import('/work/main/packages/runtime/dist/kernels/kernel-timer.js')).startKernelTimer('wasm') : null;
const cfg = presetConfig('tiny');
const rng = new Rng(1);
const model = new SwitchTransformer(cfg, rng);
const B = 16, S = 128, T = 32, V = cfg.vocab_size;
const ids = tf.tensor2d(Int32Array.from({ length: B * S }, (_, i) => 2 + ((i * 7919) % (V - 2))), [B, S], 'int32');
const dec = tf.tensor2d(Int32Array.from({ length: B * T }, (_, i) => 2 + ((i * 104729) % (V - 2))), [B, T], 'int32');
const lab = tf.tensor2d(Int32Array.from({ length: B * T }, (_, i) => 2 + ((i * 7907) % (V - 2))), [B, T], 'int32');
const opt = tf.train.adam(1e-3);
const vars = model.parameters().map((p) => p.variable);
const step = () => {
  const loss = opt.minimize(() => {
    const out = model.forward({ inputIds: ids, decoderInputIds: dec }, { training: true });
    let l = crossEntropyIgnore(out.logits, lab);
    for (const r of out.sparseLayers) for (const [k, v] of Object.entries(r.router.losses)) l = l.add(v.mul(r.router.lossCoefficients[k] ?? 0));
    return l;
  }, true, vars);
  const v = loss.dataSync()[0]; loss.dispose(); return v;
};
step();
timer?.reset();
const n = Number(process.env.STEPS ?? 3); const ms = [];
for (let i = 0; i < n; i++) { const t0 = performance.now(); step(); ms.push(performance.now() - t0); }
ms.sort((a, b) => a - b);
const med = ms[n >> 1];
console.log(`fixes=${process.env.SWITCHYARD_WASM_FIXES ?? '1'} step ${med.toFixed(0)} ms  ${(B * (S + T) / med * 1000).toFixed(0)} tokens/s  tensors ${tf.memory().numTensors}`);
if (timer) { let tot = 0; for (const k of timer.report()) tot += k.ms; for (const k of timer.report().slice(0, 25)) console.log(`  ${k.kernel.padEnd(24)} ${(k.calls / n).toFixed(0).padStart(5)} ${(k.ms / n).toFixed(1).padStart(8)} ms`); console.log('  kernel total', (tot / n).toFixed(0)); }
