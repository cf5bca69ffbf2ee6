// Must-show 2: a training child process is SIGKILLed at a step after a checkpoint, resumed,
// and ends with weights (and metrics) bit-identical to an uninterrupted run.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listCheckpoints } from '../src/checkpoint.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '../../..');
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

function startRunner(runDir: string, pauseAt?: number) {
  const args = ['--import', join(here, 'helpers/register-ts.mjs'), join(here, 'kill-runner.ts'), runDir, ...(pauseAt ? [String(pauseAt)] : [])];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((res) => child.on('close', (code, signal) => res({ code, signal, out, err })));
  return { child, done };
}

async function waitFor(path: string, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!existsSync(path)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${path}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let root: string;
beforeAll(() => { root = mkdtempSync(join(tmpdir(), 'sy-kill-')); });
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('SIGKILL after a checkpoint, resume → weights bit-identical to an uninterrupted run', async () => {
  const full = startRunner(join(root, 'full'));
  const killedDir = join(root, 'killed');
  const first = startRunner(killedDir, 6); // checkpoints every 4 steps: killed at 6, after step-000004
  await waitFor(join(killedDir, 'paused'), 60_000);
  // A stale temp folder of an interrupted checkpoint write must be ignored and cleaned up.
  mkdirSync(join(killedDir, 'checkpoints', '.tmp-step-000008-99999'), { recursive: true });
  writeFileSync(join(killedDir, 'checkpoints', '.tmp-step-000008-99999', 'weights.safetensors'), 'partial');
  first.child.kill('SIGKILL');
  const killed = await first.done;
  expect(killed.signal).toBe('SIGKILL');
  expect(listCheckpoints(join(killedDir, 'checkpoints')).map((c) => c.step)).toEqual([4]);
  expect(existsSync(join(killedDir, 'metrics.arrow'))).toBe(false);

  const resumed = await startRunner(killedDir).done;
  expect(resumed.code).toBe(0);
  expect(JSON.parse(resumed.out).resumedFrom).toBe(4);
  const uninterrupted = await full.done;
  expect(uninterrupted.code).toBe(0);
  expect(JSON.parse(uninterrupted.out).resumedFrom).toBeNull();

  const a = join(root, 'full', 'checkpoints', 'step-000012');
  const b = join(killedDir, 'checkpoints', 'step-000012');
  expect(sha(join(b, 'weights.safetensors'))).toBe(sha(join(a, 'weights.safetensors')));
  expect(sha(join(b, 'optimizer.safetensors'))).toBe(sha(join(a, 'optimizer.safetensors')));
  expect(readFileSync(join(killedDir, 'metrics.jsonl'), 'utf8')).toBe(readFileSync(join(root, 'full', 'metrics.jsonl'), 'utf8'));
  expect(sha(join(killedDir, 'metrics.arrow'))).toBe(sha(join(root, 'full', 'metrics.arrow')));
  expect(existsSync(join(killedDir, 'checkpoints', '.tmp-step-000008-99999'))).toBe(false);
});
