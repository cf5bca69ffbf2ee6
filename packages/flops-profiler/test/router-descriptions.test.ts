// flops-profiler prices a router only from the description the router gives of itself: a router
// registered here, in this file alone, is costed from its own description — read from a trained
// model's config.json and from a configured row — and an unknown type is an error naming the file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeTable, writeArrowFile } from '@switchyard/runtime';
import { initBackend } from '@switchyard/tensor-engine';
import { createRouter, registerRouter, type RouterDescription } from '@switchyard/routers';
import { resolveFlopsConfig, runFlopsProfile, type FlopsRow } from '@switchyard/flops-profiler';

// d = 8, E = 4, d_ff = 16, one sparse block per stack (encoder.block.1, decoder.block.1).
const tiny = {
  d_model: 8, d_kv: 4, num_heads: 2, d_ff: 16, num_layers: 2, num_decoder_layers: 2, num_experts: 4,
  encoder_sparse_step: 2, decoder_sparse_step: 2, vocab_size: 20,
};
const S = 5, T = 3, d = 8, E = 4, F = 16;

// A router no other file knows: a low-rank cosine gate of width `width`, α-entmax by 7 bisection
// steps, fixed k, and training steps that evaluate every expert with probability 1/4.
registerRouter({
  type: 'test-lowrank-bisect',
  paper: 'none (test router)',
  properties: { k: { type: 'integer', minimum: 1, default: 3 }, width: { type: 'integer', minimum: 1, default: 3 } },
  // routes like linear-softmax-topk with the same k (only the description matters here)
  create: (o, init) => createRouter({ type: 'linear-softmax-topk', topK: o.k as number }, init),
  describe: (o, dims): RouterDescription => ({
    gate: { kind: 'low-rank-cosine', dModel: dims.dModel, numExperts: dims.numExperts, innerDim: o.width as number },
    normaliser: { kind: 'entmax-bisect', iterations: 7 },
    selectionSort: false,
    activeExperts: { kind: 'fixed', k: o.k as number },
    extraTrainingEvaluations: { expertsPerToken: dims.numExperts, probability: 0.25, winners: o.k as number, elementwisePerToken: 11, reason: 'test' },
    needs: { tokenIds: false, allExpertOutputs: false, step: false },
  }),
});

let dir: string;
beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
  dir = mkdtempSync(path.join(tmpdir(), 'flops-describe-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A trained model's folder: config.json naming its router, routing.arrow with 2 active experts per token. */
function trainedModel(name: string, router: Record<string, unknown>): string {
  const folder = path.join(dir, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'config.json'), JSON.stringify({ ...tiny, switchyard_router: router }));
  writeArrowFile(path.join(folder, 'routing.arrow'), makeTable({
    layer: { kind: 'utf8', values: ['encoder.block.1', 'encoder.block.1', 'decoder.block.1'] },
    active_experts: { kind: 'int32', values: Int32Array.from([2, 2, 2]) },
  }));
  return folder;
}

async function profile(name: string, routers: { router: { type: string; [k: string]: unknown } }[], inputs: Record<string, string>): Promise<FlopsRow[]> {
  const outDir = path.join(dir, `${name}-out`);
  mkdirSync(outDir, { recursive: true });
  const cfg = resolveFlopsConfig({ model: tiny, sourceLength: S, targetLength: T, topK: { gates: ['linear'], kValues: [1] }, routers, published: false, plots: false });
  return (await runFlopsProfile(cfg, { inputs, outDir, seed: 1, log: () => {} })).rows;
}

const sum = (row: FlopsRow, group: string, kind: 'matmul' | 'elementwise', f: 'forward' | 'training') =>
  row.report.terms.filter((t) => t.group === group && t.kind === kind).reduce((a, t) => a + t[f], 0);

describe('a router registered in this test file alone', () => {
  it('is costed from its own description, from the trained model\'s config.json and as a configured row', async () => {
    const train = trainedModel('train', { type: 'test-lowrank-bisect', k: 2, width: 3 });
    const rows = await profile('ok', [{ router: { type: 'test-lowrank-bisect' } }], { train });
    const stats = rows.find((r) => r.source === 'routing-stats')!;
    const configured = rows.find((r) => r.router === 'test-lowrank-bisect' && r.source === 'fixed-k')!;
    expect(stats.router).toBe('test-lowrank-bisect'); // labelled by the router type of config.json
    expect([stats.gate, stats.normaliser]).toEqual(['low-rank-cosine', 'entmax-bisect']);
    // configured with the defaults: k = 3 experts per token, from the description
    expect([configured.k, configured.meanActive]).toEqual([3, 3]);

    const tokens = S + T; // one sparse layer per stack
    for (const row of [stats, configured]) {
      // gate r = xW_r (d → 3) then <r, ê_e>: 2·d·3 + 2·3·E per token
      expect(sum(row, 'router', 'matmul', 'forward')).toBe(tokens * (2 * d * 3 + 2 * 3 * E));
      // 7 bisection steps: 2E + 7·(4E + 2) + E per token; embeddings renormalised per call 2E(3·3 + 1), 2 layers
      expect(sum(row, 'router', 'elementwise', 'forward')).toBe(tokens * (2 * E + 7 * (4 * E + 2) + E) + 2 * 2 * E * (3 * 3 + 1));
      // training: every expert on every token with probability 1/4, forward + backward = 3×; none at inference
      const ffn = 2 * 2 * d * F;
      expect(sum(row, 'training-extra', 'matmul', 'training')).toBe(3 * 0.25 * tokens * E * ffn);
      expect(sum(row, 'training-extra', 'elementwise', 'training')).toBe(3 * 0.25 * tokens * (E * F + 11));
      expect(sum(row, 'training-extra', 'matmul', 'forward')).toBe(0);
    }
    // experts: the statistics' 2 per token vs the configured 3
    expect(sum(configured, 'experts', 'matmul', 'forward') - sum(stats, 'experts', 'matmul', 'forward')).toBe(tokens * 2 * 2 * d * F);
  });
});

describe('an unknown router type', () => {
  it('in the trained model\'s config.json is an error naming that file, with a did-you-mean', async () => {
    const train = trainedModel('typo', { type: 'linear-sparsmax' });
    const file = path.join(train, 'config.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await expect(profile('typo', [], { train })).rejects.toThrow(
      new RegExp(`${file} switchyard_router: unknown router type "linear-sparsmax"; allowed values: .*; did you mean "linear-sparsemax"\\?`),
    );
  });

  it('in a configured row is an error naming the row', async () => {
    const train = trainedModel('row', { type: 'switch-top1' });
    await expect(profile('row', [{ router: { type: 'no-such-router' } }], { train })).rejects.toThrow(/routers\[0\]\.router: unknown router type "no-such-router"/);
  });
});
