import {
  flopsModel, deltaFlopsPerExpert, resolveModel, sparseBlocks, FlopsModelError,
} from '@switchyard/flops-profiler';

const base16 = { model: 'switch-base-16', sourceLength: 128, targetLength: 64 } as const;

describe('switch-base-16, 128 source / 64 target tokens, teacher-forced forward', () => {
  it('has 6 + 6 sparse blocks at the odd indices (HF rule i % 2 == 1)', () => {
    const m = resolveModel('switch-base-16');
    expect(m.encoderSparse).toEqual([1, 3, 5, 7, 9, 11]);
    expect(m.decoderSparse).toEqual([1, 3, 5, 7, 9, 11]);
    expect(sparseBlocks(4, 1)).toEqual([0, 1, 2, 3]);
    expect(sparseBlocks(4, 0)).toEqual([]);
  });

  it('adds exactly 6·128·4·768·3072 + 6·64·4·768·3072 = 1.0872e10 FLOPs per extra active expert', () => {
    const expected = 6 * 128 * 4 * 768 * 3072 + 6 * 64 * 4 * 768 * 3072;
    expect(expected).toBe(10871635968);
    expect(deltaFlopsPerExpert('switch-base-16', 128, 64)).toBe(expected);
    for (const gate of ['linear', 'attention'] as const) {
      for (let k = 0; k < 16; k++) {
        const a = flopsModel({ ...base16, router: { gate }, activeExperts: k }).forward.matmul;
        const b = flopsModel({ ...base16, router: { gate }, activeExperts: k + 1 }).forward.matmul;
        expect(b - a).toBe(expected);
        // training = 3 × forward for matrix products
        const ta = flopsModel({ ...base16, router: { gate }, activeExperts: k }).training.matmul;
        expect(ta).toBe(3 * a);
      }
    }
  });

  it('charges the attention router 2·768² per token per sparse layer more than the linear router', () => {
    const perLayerToken = 2 * 768 * 768;
    const tokens = 6 * 128 + 6 * 64;
    for (const k of [1, 2, 7, 16]) {
      const lin = flopsModel({ ...base16, router: { gate: 'linear' }, activeExperts: k });
      const att = flopsModel({ ...base16, router: { gate: 'attention' }, activeExperts: k });
      expect(att.forward.matmul - lin.forward.matmul).toBe(perLayerToken * tokens); // 1.359e9 (docs/routers.md §4: ≈ +1.36e9)
    }
  });

  it('has a k-independent base of ≈3.14e10 (docs/routers.md §4) built from the closed-form parts', () => {
    // Closed form for switch-base: encoder 12 blocks self-attention over 128, decoder 12 blocks self
    // (64) + cross (64 over 128), 6 dense FFN blocks per stack, LM head, linear routers.
    const d = 768, i = 768, F = 3072, h = 12, dk = 64, V = 32128, S = 128, T = 64, E = 16;
    const encAttn = 12 * (4 * 2 * S * d * i + 2 * 2 * h * S * S * dk);
    const decSelf = 12 * (4 * 2 * T * d * i + 2 * 2 * h * T * T * dk);
    const decCross = 12 * (2 * 2 * T * d * i + 2 * 2 * S * d * i + 2 * 2 * h * T * S * dk);
    const dense = 6 * S * 4 * d * F + 6 * T * 4 * d * F;
    const head = 2 * T * d * V;
    const router = (6 * S + 6 * T) * 2 * d * E;
    const f0 = flopsModel({ ...base16, router: { gate: 'linear' }, activeExperts: 0 }).forward.matmul;
    expect(f0).toBe(encAttn + decSelf + decCross + dense + head + router);
    expect(f0 / 1e10).toBeCloseTo(3.14, 2);
  });

  it('counts more with all FLOPs than with matmuls only, by a small elementwise share', () => {
    const r = flopsModel({ ...base16, router: { gate: 'linear' }, activeExperts: 2 });
    expect(r.forward.all).toBeGreaterThan(r.forward.matmul);
    expect((r.forward.all - r.forward.matmul) / r.forward.matmul).toBeLessThan(0.01);
    expect(r.perToken.forwardMatmul).toBeCloseTo(r.forward.matmul / 192, 6);
  });

  it('rejects impossible inputs', () => {
    expect(() => flopsModel({ ...base16, router: { gate: 'linear' }, activeExperts: 17 })).toThrow(FlopsModelError);
    expect(() => flopsModel({ ...base16, sourceLength: 0, router: { gate: 'linear' }, activeExperts: 1 })).toThrow(/sourceLength/);
    expect(() => resolveModel('switch-base-7')).toThrow(/known: switch-base-8/);
  });
});

describe('a 1-layer toy model against a hand computation', () => {
  // d=4, d_kv=2, 2 heads (inner 4), d_ff=8, 1 encoder + 1 decoder block, both sparse (step 1),
  // E=4, V=10, S=3 source and T=2 target tokens, k=2, linear router (bias), softmax, top-k.
  const toy = {
    d_model: 4, d_kv: 2, num_heads: 2, d_ff: 8, num_layers: 1, num_decoder_layers: 1, num_experts: 4,
    encoder_sparse_step: 1, decoder_sparse_step: 1, vocab_size: 10,
  };
  const r = flopsModel({ model: toy, sourceLength: 3, targetLength: 2, router: { gate: 'linear', selectionSort: true }, activeExperts: 2 });

  it('matches the matmul count worked out by hand', () => {
    // Encoder self-attention: Q, K, V, O projections 4 × 2·3·4·4 = 384; scores 2·2·3·3·2 = 72;
    //   weighted sum 72                                                               → 528
    // Encoder experts: 3 tokens × 2 experts × (2 matrices · 2·4·8 = 128)              → 768
    // Encoder router: 3 tokens × 2·4·4                                                → 96
    // Decoder self-attention: 4 × 2·2·4·4 = 256; scores 2·2·2·2·2 = 32; weighted 32    → 320
    // Decoder cross-attention: Q, O 2 × 2·2·4·4 = 128; K, V from 3 source tokens
    //   2 × 2·3·4·4 = 192; scores 2·2·2·3·2 = 48; weighted 48                         → 416
    // Decoder experts: 2 tokens × 2 × 128                                             → 512
    // Decoder router: 2 × 32                                                          → 64
    // LM head: 2·2·4·10                                                               → 160
    // Total: 528 + 768 + 96 + 320 + 416 + 512 + 64 + 160                              = 2864
    expect(r.forward.matmul).toBe(2864);
    expect(r.training.matmul).toBe(3 * 2864);
  });

  it('matches the all-FLOPs count worked out by hand', () => {
    // Attention bias + softmax, 6 per score: enc 6·2·3·3 = 108, dec self 6·2·2·2 = 48,
    //   cross 6·2·2·3 = 72                                                            → 228
    // Experts: (6 + 4) active pairs × (ReLU 8 + weight multiply 4 + accumulate 4)     → 160
    // Router per token: bias 4 + softmax 5·4 + top-k sort 4·⌈log2 4⌉ = 32; 5 tokens    → 160
    // RMS norms, 4·4 + 3 = 19 each: encoder (2 + 1)·3 = 9, decoder (3 + 1)·2 = 8       → 323
    // Residual adds: encoder 2·3·4 = 24, decoder 3·2·4 = 24                            → 48
    // Head rescale (tied embeddings) 2·4 = 8; cross-entropy 2·(4·10 + 2) = 84          → 92
    // Elementwise total 228 + 160 + 160 + 323 + 48 + 92 = 1011; all = 2864 + 1011      = 3875
    expect(r.forward.all).toBe(3875);
    // Training: 3 × 3875 plus the embedding gradient's scatter-add (3 + 2)·4 = 20.
    expect(r.training.all).toBe(3 * 3875 + 20);
  });
});

describe('router cost per gate type (per token per sparse layer, matmul FLOPs)', () => {
  const toy = {
    d_model: 4, d_kv: 2, num_heads: 2, d_ff: 8, num_layers: 1, num_decoder_layers: 1, num_experts: 4,
    encoder_sparse_step: 1, decoder_sparse_step: 1, vocab_size: 10,
  };
  const routerMm = (router: Parameters<typeof flopsModel>[0]['router']) =>
    flopsModel({ model: toy, sourceLength: 3, targetLength: 2, router, activeExperts: 1 }).terms
      .filter((t) => t.group === 'router' && t.kind === 'matmul').reduce((a, t) => a + t.forward, 0);
  it.each([
    // 5 routed tokens (3 + 2), d = 4, E = 4
    [{ gate: 'linear' as const }, 5 * 2 * 4 * 4],
    [{ gate: 'linear-no-bias' as const }, 5 * 2 * 4 * 4],
    [{ gate: 'attention' as const }, 5 * (2 * 16 + 2 * 4 * 4)],
    // key projection once per layer call: 2·E·d² per layer, 2 layers
    [{ gate: 'attention-keyproj' as const }, 5 * (2 * 16 + 2 * 4 * 4) + 2 * 2 * 4 * 16],
    [{ gate: 'low-rank-cosine' as const, innerDim: 3 }, 5 * 2 * (4 * 3 + 3 * 4)],
    [{ gate: 'cosine' as const }, 5 * 2 * 4 * 4],
    // token-id embedding of width 3 (a gather) then the combine gate <x, c_e>: 2·r·E + 2·d
    [{ gate: 'token-embedding' as const, innerDim: 3 }, 5 * (2 * 3 * 4 + 2 * 4)],
  ])('%j', (router, expected) => {
    expect(routerMm(router)).toBe(expected);
  });

  it('counts extra training evaluations (CompeteSMoE: all E experts per token) with their probability, in training only', () => {
    const opts = { model: toy, sourceLength: 3, targetLength: 2, activeExperts: 2 } as const;
    const extra = (probability: number) => ({ gate: 'linear' as const, extraTraining: { expertsPerToken: 4, probability, elementwisePerToken: 7 } });
    const smoe = flopsModel({ ...opts, router: { gate: 'linear' } });
    const comp = flopsModel({ ...opts, router: extra(1) });
    const half = flopsModel({ ...opts, router: extra(0.5) });
    // eval forward: no competition
    expect(comp.forward.matmul).toBe(smoe.forward.matmul);
    expect(comp.forward.all).toBe(smoe.forward.all);
    // training: + 3 × (5 tokens × E=4 × 128) matmul FLOPs
    expect(comp.training.matmul - smoe.training.matmul).toBe(3 * 5 * 4 * 128);
    expect(half.training.matmul - smoe.training.matmul).toBe(1.5 * 5 * 4 * 128);
    // elementwise: + 3 × 5 tokens × (4 ReLUs of 8 + 7)
    expect((comp.training.all - comp.training.matmul) - (smoe.training.all - smoe.training.matmul)).toBe(3 * 5 * (4 * 8 + 7));
    expect(() => flopsModel({ ...opts, router: extra(1.5) })).toThrow(/probability/);
  });
});
