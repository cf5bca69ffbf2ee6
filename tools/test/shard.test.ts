// Splitting a sweep over machines (tools/pipeline/shard.mjs), on the real 24-run gating sweep:
// shards are disjoint in runs, cover every run, and each carries every stage its runs need.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from './nx-env.js';
// @ts-expect-error plain ESM module without types
import { parseShard, shardOf } from '../pipeline/shard.mjs';

const require = createRequire(import.meta.url);
const { loadSweep } = require('../pipeline/pipeline-model.cjs');

type Stage = { key: string; name: string };
type Run = { pipeline: string; seed: number; resolved: { stages: Stage[] } };

describe('sweep shards', () => {
  const sw = loadSweep(join(repoRoot, 'pipelines', 'sweeps', 'samsum-sweep.json'), repoRoot);

  it.each([1, 2, 3, 5, 24, 30])('N=%i: every run in exactly one shard, dealt round-robin, with all the stages it needs', (n) => {
    const seen: string[] = [];
    for (let i = 1; i <= n; i++) {
      const { runs, keys } = shardOf(sw, i, n);
      // Round-robin: shard i holds runs i-1, i-1+n, … of the file order.
      expect(runs).toEqual(sw.runs.filter((_: Run, k: number) => k % n === i - 1));
      for (const r of runs as Run[]) {
        seen.push(`${r.pipeline}/${r.seed}`);
        for (const s of r.resolved.stages) expect(keys).toContain(s.key);
      }
      expect(new Set(keys).size).toBe(keys.length);
    }
    expect(seen.sort()).toEqual(sw.runs.map((r: Run) => `${r.pipeline}/${r.seed}`).sort());
    expect(new Set(seen).size).toBe(24);
  });

  it('two shards share only the stages every run shares (data-prep, base-model, eval-base)', () => {
    const a = new Set(shardOf(sw, 1, 2).keys as string[]);
    const shared = (shardOf(sw, 2, 2).keys as string[]).filter((k) => a.has(k));
    expect(shared.map((k) => k.replace(/-[0-9a-f]{12}$/, '')).sort()).toEqual(['base-model', 'data-prep', 'eval-rouge']);
  });

  it('parses I/N and says what is wrong otherwise', () => {
    expect(parseShard('2/3')).toEqual({ i: 2, n: 3 });
    expect(String(parseShard('3/2'))).toBe('Error: --shard=3/2: I must be between 1 and N');
    expect(String(parseShard('0/2'))).toBe('Error: --shard=0/2: I must be between 1 and N');
    expect(String(parseShard('1of2'))).toBe('Error: --shard=1of2: expected I/N, e.g. --shard=1/2');
    expect(String(parseShard(undefined))).toBe('Error: --shard=: expected I/N, e.g. --shard=1/2');
  });
});
