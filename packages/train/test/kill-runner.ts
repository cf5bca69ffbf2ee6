// Child process for the SIGKILL test: a toy training run that, when it reaches `--pause-at`,
// writes `<runDir>/paused` and waits to be killed. Run with
//   node --import packages/train/test/helpers/register-ts.mjs packages/train/test/kill-runner.ts <runDir> [pauseAt]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@switchyard/tensor-engine';
import { runToy } from './helpers/run-toy.js';

const [runDir, pauseAt] = process.argv.slice(2);
await initBackend('wasm', { quiet: true });
const pause = pauseAt ? Number(pauseAt) : -1;
const r = await runToy({
  runDir: runDir!,
  onStep: async ({ step }) => {
    if (step === pause) {
      writeFileSync(join(runDir!, 'paused'), String(step));
      await new Promise((res) => setTimeout(res, 120_000)); // the test SIGKILLs us here
    }
  },
});
process.stdout.write(JSON.stringify({ steps: r.steps, finalCheckpoint: r.finalCheckpoint, resumedFrom: r.resumedFrom ?? null }) + '\n');
