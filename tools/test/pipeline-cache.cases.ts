// Caching contract of the Nx pipelines, exercised through `nx` itself
// on copies of the smoke pipeline with a fresh nonce so earlier runs cannot pre-fill the cache.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nx, RunLog, removeTestPipelines, repoRoot } from './nx-env.js';

const nonce = 20 + (process.pid % 5000);
const name = `zz-test-cache-${process.pid}`;
const file = join(repoRoot, 'pipelines', `${name}.json`);
const twin = join(repoRoot, 'pipelines', `${name}-twin.json`);
const bad = join(repoRoot, 'pipelines', `${name}-bad.json`);
const broken = join(repoRoot, 'pipelines', `${name}-broken.json`);
const log = new RunLog();

function writePipeline(path: string, transformAmount: number, statistic: string, extra: Record<string, unknown> = {}): void {
  const p = JSON.parse(readFileSync(join(repoRoot, 'pipelines', 'smoke.json'), 'utf8'));
  p.stages.source.config.rows = nonce;
  p.stages.transform.config.amount = transformAmount;
  p.stages.summary.config.statistic = statistic;
  Object.assign(p.stages.transform.config, extra);
  writeFileSync(path, JSON.stringify(p, null, 2));
}

async function run(pipeline: string): Promise<string[]> {
  const r = await nx(['run', `pipeline:${pipeline}`], log.env());
  if (r.exitCode !== 0) throw new Error(`nx run pipeline:${pipeline} failed:\n${r.all}`);
  return log.take();
}

// Nothing stays in pipelines/ or artifacts/ (the edits above change the keys: each run's are removed as it goes).
afterAll(() => removeTestPipelines([name, `${name}-twin`, `${name}-bad`, `${name}-broken`]));

describe('pipeline caching through Nx', () => {
  it('runs every stage once, then serves all from cache, and re-runs only what an edit touches', async () => {
    writePipeline(file, 2, 'mean');
    expect(await run(name)).toEqual(['smoke-source', 'smoke-summary', 'smoke-transform']);
    expect(await run(name)).toEqual([]);

    // Downstream edit: only the summary stage re-runs.
    writePipeline(file, 2, 'max');
    expect(await run(name)).toEqual(['smoke-summary']);
    // Revert: everything comes from the cache again.
    writePipeline(file, 2, 'mean');
    expect(await run(name)).toEqual([]);
    // Middle edit: that stage and its descendant re-run, the source does not.
    writePipeline(file, 3, 'mean');
    expect(await run(name)).toEqual(['smoke-summary', 'smoke-transform']);
  }, 300000);

  it('shares an identical stage between two pipelines (content-keyed)', async () => {
    writePipeline(file, 2, 'mean');
    await run(name);
    writePipeline(twin, 5, 'max');
    // The twin's source stage has the same config and seed: it is not run again.
    expect(await run(`${name}-twin`)).toEqual(['smoke-summary', 'smoke-transform']);
  }, 300000);

  it('reports a bad pipeline with file, JSON path and allowed values, without breaking nx', async () => {
    writePipeline(bad, 2, 'mean', { operation: 'scal', fator: 2 });
    writeFileSync(broken, JSON.stringify({ stages: { a: { package: '@switchyard/runtime', stage: 'smoke-source', neds: [] } } }));
    const v = await nx(['run', 'pipeline:validate']);
    expect(v.exitCode).not.toBe(0);
    expect(v.all).toContain(`pipelines/${name}-bad.json: /stages/transform/config/operation: "scal" is not allowed; allowed values: "scale", "shift"`);
    expect(v.all).toContain(`pipelines/${name}-bad.json: /stages/transform/config: unknown key "fator"; allowed keys: operation, amount`);
    expect(v.all).toContain(`pipelines/${name}-broken.json: /stages/a: unknown key "neds"; allowed keys: package, stage, inputs, needs, seed, config`);
    expect(v.all).toMatch(/✓ pipelines\/smoke\.json/);

    // Asked by name: a full `nx show projects` (~700 lines) through a pipe was seen cut at 8 KiB under load.
    const shown = await nx(['show', 'projects', '--projects=pipeline,pipeline-smoke,@switchyard/routers']);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout.split('\n').filter(Boolean).sort()).toEqual(['@switchyard/routers', 'pipeline', 'pipeline-smoke']);
    rmSync(bad); rmSync(broken);
    const ok = await nx(['run', 'pipeline:validate']);
    if (ok.exitCode !== 0) throw new Error(`validate failed without the bad files:\n${ok.all}`);
  }, 300000);
});
