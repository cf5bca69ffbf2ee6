// The PyTorch twin of the decoder-only MoE LM (tools/bench/torch-lm.py) reproduces Switchyard's
// evaluation NLL of a fixed stream (the embedded enwik8 slice, blocks with the cache) from the
// exported weights to ≤ 1e-5 relative: the cpu-mini Transformer with SMoE top-2 (span 256 over
// blocks of 128), and a 4-layer GLaM with SMoE-Dropout at eval k = 3 and every compat option.
// Runs tools/bench/torch-lm-check.mjs, which imports the built packages (npm test builds first).
// Skipped, with a message, when /usr/bin/python3 has no torch (Debian python3-torch).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './nx-env.js';

const PY = '/usr/bin/python3';
const probe = spawnSync(PY, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
const haveTorch = !probe.error && probe.status === 0;
if (!haveTorch) console.warn(`torch-lm-twin.test: skipped — ${PY} with torch and numpy is not available (apt-get install python3-torch)`);
const maybe = haveTorch ? test : test.skip;

function check(args: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, [join(repoRoot, 'tools/bench/torch-lm-check.mjs'), ...args, '--python', PY], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`torch-lm-check exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

maybe('cpu-mini Transformer, SMoE top-2: NLL within 1e-5 relative', () => {
  const r = check(['--preset', 'cpu-mini', '--blocks', '3', '--batch', '2']);
  expect(r.ok).toBe(true);
  expect(r.relErr as number).toBeLessThanOrEqual(1e-5);
});

maybe('GLaM (4 layers, reference pair indexing, double MoE norm, zero cache), SMoE-Dropout eval k 3', () => {
  const r = check(['--preset', 'lm-micro', '--architecture', 'glam', '--overrides', '{"numLayers":4,"attnSpan":12}',
    '--router', '{"type":"smoe-dropout","evalK":3}', '--compat', 'glam-pairs,double-norm,zero-cache', '--blocks', '4']);
  expect(r.ok).toBe(true);
  expect(r.relErr as number).toBeLessThanOrEqual(1e-5);
});
