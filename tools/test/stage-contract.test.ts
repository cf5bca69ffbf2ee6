// The stage contract under failure: a stage killed mid-write leaves nothing a
// re-run accepts, and a single flipped byte in an Arrow output is rejected by the reader.
import { execa } from 'execa';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyStageOutput } from '@switchyard/runtime';
import { childEnv, repoRoot } from './nx-env.js';

const require = createRequire(import.meta.url);
const { stageKey, stageSpec, encodeSpec } = require('../pipeline/pipeline-model.cjs');

function sourceSpec(rows: number) {
  const s = { package: '@switchyard/runtime', stage: 'smoke-source', config: { rows }, seed: 11, inputs: {} };
  return stageSpec({ ...s, key: stageKey(s) });
}

async function runSpec(spec: object, env: Record<string, string> = {}) {
  return execa('node', ['tools/pipeline/run-stage.mjs', '--spec', encodeSpec(spec)], { cwd: repoRoot, env: childEnv(env), extendEnv: false, reject: false, all: true });
}

/** Poll `cond`; fail with `why()` (e.g. the child's exit and output) when `gaveUp()` or after `ms`. */
async function waitFor(cond: () => boolean, ms: number, why: () => string, gaveUp: () => boolean = () => false): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (gaveUp()) throw new Error(`stopped waiting: ${why()}`);
    if (Date.now() > end) throw new Error(`timed out waiting after ${ms} ms: ${why()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The stage outputs these tests write into artifacts/stages (keys unique to the test) are removed.
const written: string[] = [];
afterAll(() => { for (const k of written) rmSync(join(repoRoot, 'artifacts', 'stages', k), { recursive: true, force: true }); });

describe('stage contract', () => {
  it('leaves no acceptable output when the stage is SIGKILLed mid-write', async () => {
    const spec = sourceSpec(1000 + (process.pid % 1000));
    written.push(spec.key);
    const stages = join(repoRoot, 'artifacts', 'stages');
    const finalDir = join(stages, spec.key);
    const child = execa('node', ['tools/pipeline/run-stage.mjs', '--spec', encodeSpec(spec)], {
      cwd: repoRoot, env: childEnv({ SWITCHYARD_TEST_PAUSE_BEFORE_COMMIT_MS: '60000' }), extendEnv: false, reject: false, all: true,
    });
    let exited = false, output = '';
    child.all?.on('data', (d: Buffer) => { output += d.toString(); });
    void child.then(() => { exited = true; });
    // The stage writes into its work folder (packages/runtime/src/stage-work-dir.ts).
    const work = join(stages, `.work-${spec.key}`);
    const tmp = join(work, 'out');
    // Generous: on a loaded 2-core machine the child's start-up (Node, tfjs, the WASM backend) is slow.
    await waitFor(() => existsSync(join(tmp, 'values.arrow')), 90_000,
      () => `stage child ${exited ? `exited (${child.exitCode})` : 'still running'}; its output: ${output.trim() || '(none)'}; final dir exists: ${existsSync(finalDir)}`,
      () => exited);
    child.kill('SIGKILL');
    await child;
    expect(existsSync(finalDir)).toBe(false);
    expect(() => verifyStageOutput(tmp)).toThrow(/no manifest\.json: the stage did not finish/);

    // A re-run cleans the leftovers and commits a verified output.
    const again = await runSpec(spec);
    expect(again.exitCode).toBe(0);
    expect(again.all).toMatch(/discarding the work folder of an interrupted run \(stage does not resume\)/);
    expect(existsSync(work)).toBe(false);
    expect(verifyStageOutput(finalDir).files['values.arrow']!.rows).toBe(spec.config.rows);
  });

  it('rejects an output whose Arrow file has one flipped byte, and downstream stages refuse it', async () => {
    const spec = sourceSpec(300 + (process.pid % 500));
    written.push(spec.key);
    expect((await runSpec(spec)).exitCode).toBe(0);
    const good = join(repoRoot, 'artifacts', 'stages', spec.key);
    const copy = join(mkdtempSync(join(tmpdir(), 'switchyard-flip-')), 'out');
    cpSync(good, copy, { recursive: true });
    const arrow = join(copy, 'values.arrow');
    const bytes = readFileSync(arrow);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    writeFileSync(arrow, bytes);
    expect(() => verifyStageOutput(copy)).toThrow(/values\.arrow: sha256 [0-9a-f]+ does not match the manifest's/);

    // Corrupt the real output and run a consumer of it: the runner refuses its input.
    cpSync(arrow, join(good, 'values.arrow'));
    const down = { package: '@switchyard/runtime', stage: 'smoke-transform', config: { operation: 'shift', amount: 1 }, seed: 11, inputs: { source: spec.key } };
    const r = await runSpec(stageSpec({ ...down, key: stageKey(down) }));
    expect(r.exitCode).toBe(1);
    expect(r.all).toMatch(/values\.arrow: sha256 .* does not match/);
  });
});
