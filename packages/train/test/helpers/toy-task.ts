// A toy MoE token classifier for the loop's tests, independent of model-core:
// ids [B, L] → embedding [V, D] → jitter (from the step's Rng) → softmax gate [D, E] →
// dense mixture of E linear experts [D, C] → + frozen bias [C] → masked CE against labels
// (−100 ignored), plus a balance loss E·Σ_e mean_n(p_e)² and a z-loss mean(lse²).
// Dims: B batch, L length, N = B·L tokens, V vocab, D width, E experts, C classes.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@switchyard/tensor-engine';
import { maskedCrossEntropy, LABEL_PAD } from '../../src/tasks/summarisation/batching.js';
import type { BatchSource, ForwardContext, ForwardResult, TrainParameter, TrainTask } from '../../src/types.js';

let instances = 0;

export const V = 16, D = 8, E = 4, C = 4, L = 6;

export interface ToyBatch { ids: tf.Tensor2D; labels: tf.Tensor2D }

export class ToyTask implements TrainTask<ToyBatch> {
  readonly params: TrainParameter[];
  constructor(seed: number, readonly jitter = 0.01) {
    const r = new Rng(seed).fork('toy-init');
    instances += 1;
    const v = (name: string, shape: number[], std: number, frozen = false): TrainParameter => {
      const init = r.normalTensor(shape, 0, std);
      const variable = tf.variable(init, !frozen, `toy${instances}/${name}`);
      init.dispose();
      return { name, variable, frozen };
    };
    this.params = [
      v('embed.weight', [V, D], 1),
      v('router.classifier.weight', [D, E], 0.1),
      v('experts.weight', [E, D, C], 0.3),
      v('head.bias', [C], 0.5, true),
    ];
  }
  parameters(): TrainParameter[] { return this.params; }
  private p(name: string): tf.Variable { return this.params.find((x) => x.name === name)!.variable; }

  forward(b: ToyBatch, ctx: ForwardContext): ForwardResult {
    const n = b.ids.size;
    let x = tf.gather(this.p('embed.weight'), tf.reshape(b.ids, [-1]));          // [N, D]
    if (ctx.training && this.jitter > 0) x = tf.mul(x, ctx.rng.uniformTensor([n, D], 1 - this.jitter, 1 + this.jitter));
    const logits = tf.matMul(x, this.p('router.classifier.weight'));              // [N, E]
    const probs = tf.softmax(logits) as tf.Tensor2D;                              // [N, E]
    const perExpert = tf.stack(Array.from({ length: E }, (_, e) => tf.matMul(x, tf.squeeze(tf.slice(this.p('experts.weight'), [e, 0, 0], [1, D, C]), [0])))); // [E, N, C]
    const mixed = tf.sum(tf.mul(tf.expandDims(tf.transpose(probs), -1), perExpert), 0); // [N, C]
    const out = tf.add(mixed, this.p('head.bias'));                               // [N, C]
    const ce = maskedCrossEntropy(out, b.labels);
    const balance = tf.mul(tf.sum(tf.square(tf.mean(probs, 0))), E) as tf.Scalar;
    const z = tf.mean(tf.square(tf.logSumExp(logits, -1))) as tf.Scalar;
    const res: ForwardResult = {
      parts: [
        { name: 'ce', value: ce, coefficient: 1 },
        { name: 'aux', value: balance, coefficient: 0.01, layer: 'moe.0' },
        { name: 'z', value: z, coefficient: 0.001, layer: 'moe.0' },
      ],
    };
    if (ctx.wantRouting) {
      const top = tf.oneHot(tf.argMax(probs, -1), E).asType('float32') as tf.Tensor2D; // [N, E]
      const mask = tf.cast(tf.notEqual(tf.reshape(b.labels, [-1]), LABEL_PAD), 'float32') as tf.Tensor1D;
      res.routing = [{ layer: 'moe.0', probs, dispatch: top, selected: top.clone(), tokenMask: mask }];
    }
    return res;
  }

  dispose(): void { for (const p of this.params) p.variable.dispose(); }
}

/** Seeded synthetic data: label = (3·id + position) mod C, one label in five ignored (−100). */
export function toyData(seed: number, numExamples: number): { ids: Int32Array[]; labels: Int32Array[] } {
  const r = new Rng(seed).fork('toy-data');
  const ids: Int32Array[] = [], labels: Int32Array[] = [];
  for (let i = 0; i < numExamples; i++) {
    const a = new Int32Array(L), y = new Int32Array(L);
    for (let j = 0; j < L; j++) { a[j] = r.int(V); y[j] = r.int(5) === 0 ? LABEL_PAD : (3 * a[j]! + j) % C; }
    ids.push(a); labels.push(y);
  }
  return { ids, labels };
}

export class ToySource implements BatchSource<ToyBatch> {
  private readonly d: ReturnType<typeof toyData>;
  constructor(seed: number, readonly numExamples: number) { this.d = toyData(seed, numExamples); }
  makeBatch(indices: Int32Array): ToyBatch {
    const b = indices.length;
    const ids = new Int32Array(b * L), labels = new Int32Array(b * L);
    indices.forEach((k, i) => { ids.set(this.d.ids[k]!, i * L); labels.set(this.d.labels[k]!, i * L); });
    return { ids: tf.tensor2d(ids, [b, L], 'int32'), labels: tf.tensor2d(labels, [b, L], 'int32') };
  }
  tokenCount(b: ToyBatch): number { return b.ids.size; }
  disposeBatch(b: ToyBatch): void { b.ids.dispose(); b.labels.dispose(); }
}
