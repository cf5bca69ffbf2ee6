// Pipeline files as tools/pipeline/pipeline-model.cjs reads them: `extends` (the gating pipelines
// are one base plus a few lines each, with the stage keys they had as full files), and each
// bad-input kind of a pipeline file refused with file, line/column or JSON path: syntax errors,
// duplicate keys, deep nesting, size and stage-count limits, cycles.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './nx-env.js';

const require = createRequire(import.meta.url);
const { loadPipeline, loadSweep, readPipelineData, canonicalJson, LIMITS, PipelineError } = require('../pipeline/pipeline-model.cjs');

type Stage = { name: string; key: string; needs: string[]; config: Record<string, unknown> };

/** A scratch workspace with pipelines/ holding `files` (name → text or object). */
function workspace(files: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-pipefiles-'));
  for (const [name, content] of Object.entries(files)) {
    const path = join(root, 'pipelines', name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return root;
}

/** The problems a load reports (fails the test if it loads). */
function problemsOf(load: () => unknown): string[] {
  try { load(); } catch (e) {
    if (!(e instanceof PipelineError)) throw e;
    return (e as { problems: string[] }).problems;
  }
  throw new Error('expected the file to be refused');
}

const src = (name: string, extra: Record<string, unknown> = {}) => ({ package: '@switchyard/runtime', stage: 'smoke-source', config: { rows: 4 }, ...extra });

describe('the gating pipelines through extends', () => {
  const GATING = ['samsum-switch-top1', 'samsum-linear-softmax-top2', 'samsum-linear-softmax-dense', 'samsum-sparsemax',
    'samsum-attention-softmax-top2', 'samsum-attention-softmax-dense', 'samsum-attention-sparsemax', 'samsum-entmax15'];

  it('keeps the stage keys the full files had (recorded before the conversion)', () => {
    const keys = (name: string) => Object.fromEntries((loadPipeline(join(repoRoot, 'pipelines', `${name}.json`), repoRoot).stages as Stage[]).map((s) => [s.name, s.key]));
    expect(keys('samsum-sparsemax')).toEqual({
      // Recorded from the full (generated) pipeline files at commit 01aac1b, before the conversion.
      'data-prep': 'data-prep-4398caf093c7', 'base-model': 'base-model-248915364318', 'eval-base': 'eval-rouge-295a4acd490a',
      train: 'train-6a7270336912', 'eval-rouge': 'eval-rouge-33d42bc54f04', 'flops-profiler': 'flops-profiler-c50bd8926489', report: 'report-7a56e95d24d2',
    });
    expect(keys('samsum-linear-softmax-top2').train).toBe('train-a4fc98c67166');
    expect(keys('samsum-sparsemax-real-eval')['data-prep']).toBe('data-prep-4fdf0f33a2da');
  });

  it('share data-prep, base-model and eval-base and differ in the router', () => {
    const keys = new Map<string, Set<string>>();
    for (const name of GATING) {
      const p = loadPipeline(join(repoRoot, 'pipelines', `${name}.json`), repoRoot);
      expect(p.files).toEqual([`pipelines/${name}.json`, 'pipelines/bases/samsum-gating.json']);
      for (const s of p.stages as Stage[]) {
        if (!keys.has(s.name)) keys.set(s.name, new Set());
        keys.get(s.name)!.add(s.key);
      }
    }
    for (const shared of ['data-prep', 'base-model', 'eval-base']) expect(keys.get(shared)!.size).toBe(1);
    for (const own of ['train', 'eval-rouge', 'flops-profiler', 'report']) expect(keys.get(own)!.size).toBe(8);
  });

  it('expands the sweep to 8 strategies × 3 seeds with shared base stages', () => {
    const sw = loadSweep(join(repoRoot, 'pipelines', 'sweeps', 'samsum-sweep.json'), repoRoot);
    expect(sw.runs).toHaveLength(24);
    const all = sw.runs.flatMap((r: { resolved: { stages: Stage[] } }) => r.resolved.stages);
    const distinct = (stage: string) => new Set(all.filter((s: Stage) => s.name === stage).map((s: Stage) => s.key)).size;
    expect(distinct('base-model')).toBe(1);
    expect(distinct('train')).toBe(24);
    expect(all.some((s: Stage) => s.name === 'report')).toBe(false);
    expect(Object.keys(sw.report.inputs)).toContain('samsum-sparsemax/seed-2/eval');
  });
});

describe('extends', () => {
  it('merges objects key by key, replaces arrays and scalars, deletes on null, through a chain', () => {
    const root = workspace({
      'bases/a.json': { seed: 1, stages: { s: src('s', { config: { rows: 4, tag: 'a' } }), t: { ...src('t'), needs: ['s'] }, u: src('u') } },
      'bases/b.json': { extends: 'a.json', seed: 2, stages: { t: { needs: [] } } },
      'p.json': { extends: 'bases/b.json', stages: { s: { config: { rows: 9 } }, u: null } },
    });
    const { data, files } = readPipelineData(join(root, 'pipelines', 'p.json'), root);
    expect(files).toEqual(['pipelines/p.json', 'pipelines/bases/b.json', 'pipelines/bases/a.json']);
    expect(data).toEqual({ seed: 2, stages: { s: { ...src('s'), config: { rows: 9, tag: 'a' } }, t: { ...src('t'), needs: [] } } });
  });

  it('names a missing base, a base that is not JSON, and an extends cycle', () => {
    const root = workspace({
      'p.json': { extends: 'bases/none.json', stages: {} },
      'q.json': { extends: 'bases/bad.json', stages: {} },
      'bases/bad.json': '{ "stages": { ,',
      'r.json': { extends: 'bases/r1.json' },
      'bases/r1.json': { extends: 'r2.json' },
      'bases/r2.json': { extends: 'r1.json' },
    });
    expect(problemsOf(() => loadPipeline(join(root, 'pipelines', 'p.json'), root))).toEqual(['/extends: pipelines/bases/none.json: file not found']);
    expect(problemsOf(() => loadPipeline(join(root, 'pipelines', 'q.json'), root))).toEqual([expect.stringMatching(/^\/extends: pipelines\/bases\/bad\.json: line 1, column 15: expected a property name in double quotes, found ","$/)]);
    expect(problemsOf(() => loadPipeline(join(root, 'pipelines', 'r.json'), root)).join('\n')).toMatch(/pipelines\/bases\/r1\.json → pipelines\/bases\/r2\.json → pipelines\/bases\/r1\.json extends itself/);
  });
});

describe('bad pipeline files', () => {
  it('gives a JSON syntax error with its line and column', () => {
    const root = workspace({ 'p.json': '{\n  "stages": {\n    "a": { "package": "@switchyard/runtime" "stage": "smoke-source" }\n  }\n}\n' });
    expect(problemsOf(() => loadPipeline(join(root, 'pipelines', 'p.json'), root)))
      .toEqual(['line 3, column 45: expected "," or "}" after the value of "package", found "\\""']);
  });

  it('calls an empty file empty', () => {
    const root = workspace({ 'p.json': '  \n' });
    expect(problemsOf(() => loadPipeline(join(root, 'pipelines', 'p.json'), root))).toEqual(['the file is empty (expected JSON)']);
  });

  it('rejects a duplicate key naming both lines', () => {
    const root = workspace({ 'p.json': '{\n "stages": {\n  "a": { "package": "@switchyard/runtime", "stage": "smoke-source" },\n  "b": {},\n  "a": { "package": "@switchyard/runtime", "stage": "smoke-summary" }\n }\n}' });
    expect(problemsOf(() => loadPipeline(join(root, 'pipelines', 'p.json'), root)))
      .toEqual(['line 5, column 3: duplicate key "a" (also on line 3); each key may appear once per object']);
  });

  it('refuses deep nesting without overflowing the stack', () => {
    const depth = 200_000;
    const prefix = '{"stages":{"a":{"package":"@switchyard/runtime","stage":"smoke-source","config":{"x":';
    const root = workspace({ 'p.json': `${prefix}${'['.repeat(depth)}${']'.repeat(depth)}}}}}` });
    // Four objects are open at the first "["; the one that would open level maxDepth + 1 is refused.
    const column = prefix.length + (LIMITS.maxDepth + 1 - 4);
    expect(problemsOf(() => loadPipeline(join(root, 'pipelines', 'p.json'), root)))
      .toEqual([`line 1, column ${column}: nested more than ${LIMITS.maxDepth} levels deep (the limit for this file)`]);
    // The key function guards its own recursion too, for values that did not come from a file.
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(/nested more than 256 levels deep/);
  });

  it('refuses a file over the size limit before reading it, and too many stages', () => {
    const stages: Record<string, unknown> = {};
    for (let i = 0; i < 60_000; i++) stages[`s${i}`] = src(`s${i}`);
    const big = JSON.stringify({ stages });
    expect(big.length).toBeGreaterThan(LIMITS.maxFileBytes);
    const few: Record<string, unknown> = {};
    for (let i = 0; i <= LIMITS.maxStages; i++) few[`s${i}`] = src(`s${i}`);
    const root = workspace({ 'big.json': big, 'many.json': { stages: few } });
    const t0 = Date.now();
    expect(problemsOf(() => loadPipeline(join(root, 'pipelines', 'big.json'), root)))
      .toEqual([`the file is ${Buffer.byteLength(big)} bytes; the limit is ${LIMITS.maxFileBytes} bytes`]);
    expect(Date.now() - t0).toBeLessThan(200);
    expect(problemsOf(() => loadPipeline(join(root, 'pipelines', 'many.json'), root)))
      .toEqual([`/stages: ${LIMITS.maxStages + 1} stages; the limit is ${LIMITS.maxStages} per pipeline`]);
  });

  it('lists only the stages of a cycle, in order', () => {
    // "aa" (first in name order) needs the cycle but is not part of it; "z" is unrelated.
    const root = workspace({ 'p.json': { stages: {
      aa: { ...src('aa'), needs: ['c'] }, b: { ...src('b'), needs: ['d'] }, c: { ...src('c'), needs: ['b'] },
      d: { ...src('d'), needs: ['c'] }, z: src('z'),
    } } });
    expect(problemsOf(() => loadPipeline(join(root, 'pipelines', 'p.json'), root))).toEqual(['/stages: the inputs form a cycle: c → b → d → c']);
  });
});
