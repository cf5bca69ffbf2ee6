// Resume through Nx: a `train` stage killed with SIGKILL (the whole `nx` process group) mid-run
// continues from its last good checkpoint on the next `nx run`, and its outputs are byte for byte
// those of an uninterrupted run of the same stage (timing.jsonl, wall-clock, excepted).
import { execa } from 'execa';
import { existsSync, readdirSync, renameSync, rmSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyStageOutput } from '@switchyard/runtime';
import { childEnv, nx, repoRoot } from './nx-env.js';
// @ts-expect-error plain ESM helper without types
import { writeTinySweep, removeFiles } from '../soak/tiny-sweep.mjs';
// @ts-expect-error plain ESM helper without types
import { killTree } from '../soak/kill-tree.mjs';

const require = createRequire(import.meta.url);
const { loadPipeline, stageSpec, encodeSpec } = require('../pipeline/pipeline-model.cjs');

const prefix = `zz-test-resume-${process.pid}`;
const nonce = 1000 + (process.pid % 5000);
let files: string[] = [];
afterAll(() => removeFiles(files));

/** Files whose bytes must not depend on an interruption (all but wall-clock timing). */
function deterministicHashes(dir: string): Record<string, string> {
  const m = verifyStageOutput(dir);
  return Object.fromEntries(Object.entries(m.files).filter(([f]) => f !== 'timing.jsonl').map(([f, r]) => [f, r.sha256]));
}

describe('resume through Nx', () => {
  it('a train stage killed with SIGKILL mid-run resumes from its checkpoint, bit-identical to an uninterrupted run', async () => {
    files = writeTinySweep(repoRoot, prefix, nonce, ['linear-sparsemax'], [1], { trainSteps: 300, checkpointEvery: 20 });
    const name = `${prefix}-linear-sparsemax`;
    const train = loadPipeline(join(repoRoot, 'pipelines', `${name}.json`), repoRoot).stages.find((s: { name: string }) => s.name === 'train');
    const stages = join(repoRoot, 'artifacts', 'stages');
    const finalDir = join(stages, train.key);
    const ckpts = join(stages, `.work-${train.key}`, 'out', 'checkpoints');
    const steps = () => (existsSync(ckpts) ? readdirSync(ckpts).filter((n) => /^step-\d+$/.test(n)).map((n) => Number(n.slice(5))) : []);

    // 1. Run the stage through Nx and SIGKILL nx and every process under it once a checkpoint past step 40 exists.
    const child = execa('npx', ['nx', 'run', `pipeline-${name}:train`, '--output-style=stream'], { cwd: repoRoot, env: childEnv(), extendEnv: false, reject: false, all: true });
    let out = '';
    let exited = false;
    child.all?.on('data', (d: Buffer) => { out += d.toString(); });
    void child.then(() => { exited = true; });
    const end = Date.now() + 240_000;
    while (!steps().some((s) => s >= 40 && s < 300)) {
      if (exited) throw new Error(`nx exited (${child.exitCode}) before a checkpoint past step 40:\n${out}`);
      if (Date.now() > end) throw new Error(`no checkpoint past step 40 after 240 s:\n${out}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    killTree(child.pid!);
    await child;
    expect(existsSync(finalDir)).toBe(false);
    const killedAt = Math.max(...steps());
    expect(killedAt).toBeLessThan(300);

    // 2. The next `nx run` continues from that checkpoint.
    const again = await nx(['run', `pipeline-${name}:train`, '--output-style=stream']);
    if (again.exitCode !== 0) throw new Error(`re-run failed:\n${again.all}`);
    expect(again.all).toContain('continuing the interrupted run');
    expect(again.all).toMatch(new RegExp(`resuming from \\S+step-0*${killedAt} \\(step ${killedAt}\\)`));
    expect(existsSync(join(stages, `.work-${train.key}`))).toBe(false);
    const resumed = deterministicHashes(finalDir);
    expect(Object.keys(resumed)).toEqual(expect.arrayContaining(['model.safetensors', 'metrics.jsonl', 'metrics.arrow', 'routing.arrow']));

    // 3. The same stage uninterrupted (its output moved aside first), outside Nx: same bytes.
    const aside = join(mkdtempSync(join(tmpdir(), 'switchyard-resume-')), 'resumed');
    renameSync(finalDir, aside);
    try {
      const ref = await execa('node', ['tools/pipeline/run-stage.mjs', '--spec', encodeSpec(stageSpec(train))], { cwd: repoRoot, env: childEnv(), extendEnv: false, reject: false, all: true });
      if (ref.exitCode !== 0) throw new Error(`uninterrupted run failed:\n${ref.all}`);
      expect(ref.all).not.toContain('resuming');
      expect(deterministicHashes(finalDir)).toEqual(resumed);
    } finally {
      rmSync(aside, { recursive: true, force: true });
    }
  }, 400_000);
});
