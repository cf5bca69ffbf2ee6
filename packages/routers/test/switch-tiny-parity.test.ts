// switch-top1 against the HF transformers v4.36.2 tiny Switch model (golden switch_tiny, router
// slice extracted into fixtures/switch-tiny-router.json): logits, probs, chosen/kept experts,
// hf_expert_index and the per-stack aux and z losses (each stack has one sparse layer).
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Rng } from '@switchyard/tensor-engine';
import { createRouter } from '@switchyard/routers';
import { maxAbsDiff, setupBackend, values } from './helpers.js';

interface T { shape: number[]; data: number[] }
interface Layer { router_input: T; router_logits: T; router_probs: T; top1_prob: T; chosen_expert: T; kept: T; hf_expert_index: T; classifier_weight: T; aux_loss: number; z_loss: number }
const here = path.dirname(fileURLToPath(import.meta.url));
const fx = JSON.parse(readFileSync(path.join(here, 'fixtures', 'switch-tiny-router.json'), 'utf8')) as { runs: Record<string, { expert_capacity: number; layers: Record<string, Layer> }> };

beforeAll(setupBackend);

const cases = Object.entries(fx.runs).flatMap(([tag, run]) => Object.entries(run.layers).map(([name, l]) => [`${tag} ${name}`, run.expert_capacity, l] as const));

describe('switch-top1 matches HF v4.36.2 switch_tiny routers', () => {
  test.each(cases)('%s', (_name, capacity, l) => {
    const [b, len, d] = l.router_input.shape as [number, number, number];
    const e = l.classifier_weight.shape[0]!;
    const r = createRouter({ type: 'switch-top1', expertCapacity: capacity, droppedTokens: 'hf-v4.36', jitterNoise: 0 }, { dModel: d, numExperts: e, rng: new Rng(0) });
    const w = tf.transpose(tf.tensor2d(l.classifier_weight.data, [e, d]));   // torch [E, D] → tfjs [D, E]
    r.parameters()[0]!.variable.assign(w);
    const x = tf.tensor2d(l.router_input.data, [b * len, d]);
    const o = r.route(x, { training: false, rng: new Rng(0), groupSize: len });
    expect(maxAbsDiff(values(o.logits), l.router_logits.data)).toBeLessThan(1e-5);
    expect(maxAbsDiff(values(o.probs), l.router_probs.data)).toBeLessThan(1e-5);
    const sel = values(o.selected), disp = values(o.dispatch), wts = values(o.weights);
    const n = b * len;
    const chosen = [], kept = [], top1 = [];
    for (let t = 0; t < n; t++) {
      const row = sel.slice(t * e, t * e + e);
      const c = row.indexOf(1);
      chosen.push(c);
      kept.push(disp[t * e + c]!);
      top1.push(Math.max(...values(o.probs).slice(t * e, t * e + e)));
      expect(wts[t * e + c]!).toBeCloseTo(kept[t]! ? l.top1_prob.data[t]! : 0, 5);
    }
    expect(chosen).toEqual(l.chosen_expert.data);
    expect(kept).toEqual(l.kept.data);
    expect(values(o.hfExpertIndex!)).toEqual(l.hf_expert_index.data);
    expect(maxAbsDiff(top1, l.top1_prob.data)).toBeLessThan(1e-5);
    expect(maxAbsDiff(values(o.inputWeight!), top1.map((p, t) => (kept[t] ? 0 : p)))).toBeLessThan(1e-6);
    const bal = o.losses.balance!.dataSync()[0]!, z = o.losses.z!.dataSync()[0]!;
    expect(Math.abs(bal - l.aux_loss) / l.aux_loss).toBeLessThan(1e-5);
    expect(Math.abs(z - l.z_loss) / l.z_loss).toBeLessThan(1e-5);
    tf.dispose([w, x, o.logits, o.probs, o.weights, o.dispatch, o.selected, o.hfExpertIndex!, o.inputWeight!, ...Object.values(o.losses)]);
    r.dispose();
  });
  test('the small-capacity run actually drops tokens', () => {
    const dropped = Object.values(fx.runs.cap_small!.layers).reduce((s, l) => s + l.kept.data.filter((k) => k === 0).length, 0);
    expect(dropped).toBe(9); // 6 encoder + 3 decoder tokens (the golden switch_tiny set, ../shared/golden/switch_tiny)
  });
});
