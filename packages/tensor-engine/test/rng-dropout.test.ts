// Rng.dropoutMaskTensor against the composition it replaces, bit for bit, and the generator state
// after it: the decoder LM, the LM classifier and the Switch model draw their dropout masks with it,
// so a change here would silently change every trained model.
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

describe('Rng.dropoutMaskTensor', () => {
  for (const [shape, rate] of [[[7], 0.1], [[3, 5, 11], 0.1], [[2, 4, 16, 33], 0.25], [[1000], 0.5], [[64, 9], 0], [[4099], 0.999]] as [number[], number][]) {
    it(`equals mul(cast(greaterEqual(uniformTensor, ${rate})), 1/(1 − ${rate})) for shape [${shape.join(', ')}]`, () => {
      const before = tf.memory().numTensors;
      const a = new Rng(42).fork('layers.3.dropout');
      const b = new Rng(42).fork('layers.3.dropout');
      const expected = tf.tidy(() => tf.mul(tf.cast(tf.greaterEqual(a.uniformTensor(shape), rate), 'float32'), 1 / (1 - rate)));
      const got = b.dropoutMaskTensor(shape, rate);
      expect(got.shape).toEqual(shape);
      expect(got.dtype).toBe('float32');
      const e = expected.dataSync() as Float32Array, g = got.dataSync() as Float32Array;
      expect(Buffer.from(g.buffer, g.byteOffset, g.byteLength).equals(Buffer.from(e.buffer, e.byteOffset, e.byteLength))).toBe(true);
      // the same stream afterwards
      expect(b.state()).toEqual(a.state());
      expect(b.nextU32()).toBe(a.nextU32());
      tf.dispose([expected, got]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('keeps about 1 − rate of the entries, each scaled by 1/(1 − rate)', () => {
    const m = new Rng(7).dropoutMaskTensor([200000], 0.1);
    const v = m.dataSync();
    let kept = 0;
    const values = new Set<number>();
    for (const x of v) { values.add(x); if (x !== 0) kept++; }
    expect([...values].sort()).toEqual([0, Math.fround(1 / 0.9)]);
    // binomial(200000, 0.9): sd ≈ 134; 6 sd either side
    expect(Math.abs(kept - 180000)).toBeLessThan(810);
    m.dispose();
  });

  it('refuses a rate outside [0, 1)', () => {
    expect(() => new Rng(1).dropoutMaskTensor([3], 1)).toThrow(/\[0, 1\)/);
    expect(() => new Rng(1).dropoutMaskTensor([3], -0.1)).toThrow(/\[0, 1\)/);
  });
});

describe('keepThreshold (the integer form of draw ≥ rate)', () => {
  it('is the first 32-bit draw whose float32 uniform reaches the float32 rate', async () => {
    const { keepThreshold } = await import('../src/rng.js');
    for (const rate of [0, 1e-9, 0.1, 0.25, 1 / 3, 0.5, 0.9, 0.999999]) {
      const t = keepThreshold(rate);
      const f = (r: number) => Math.fround(r / 4294967296);
      expect(f(t) >= Math.fround(rate)).toBe(true);
      if (t > 0) expect(f(t - 1) < Math.fround(rate)).toBe(true);
    }
    expect(keepThreshold(0)).toBe(0);
  });
});
