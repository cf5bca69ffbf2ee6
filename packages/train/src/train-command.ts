// `switchyard train` outside a pipeline: same work as the train stage, but the run folder
// persists, so an interrupted run resumes from its last good checkpoint (bit-identical result).
//   <out>/run/    checkpoints/, metrics.jsonl, timing.jsonl, *.arrow
//   <out>/model/  config.json + model.safetensors + tokenizer.json + switchyard-text.json (atomically, at the end)
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initBackend, parseJsonFile, resolveSeed } from '@switchyard/runtime';
import { resolveTrainConfig } from './config.js';
import { fineTune, type FineTuneSummary } from './stages.js';
import { writeDirAtomic } from './atomic-dir.js';

export interface TrainCommandOptions {
  /** data-prep output folder. */
  data: string;
  /** base-model output folder (or any HF checkpoint folder). */
  base: string;
  /** Output folder (created). */
  out: string;
  /** The train config object, or a path to a JSON file holding it. */
  config: unknown;
  /** The stage seed, default 42 (HF Trainer's default); a `seed` in the config wins (runtime's seed rule). */
  seed?: number;
  /** Tensor backend (else SWITCHYARD_BACKEND, else the best available). */
  backend?: string;
  /** Continue from <out>/run's last good checkpoint. Defaults to true. */
  resume?: boolean;
  log?: (m: string) => void;
}

export interface TrainCommandResult extends FineTuneSummary { modelDir: string; runDir: string }

export async function runTrainCommand(opts: TrainCommandOptions): Promise<TrainCommandResult> {
  let raw = opts.config;
  let where = 'train config';
  if (typeof raw === 'string') {
    where = resolve(raw);
    if (!existsSync(where)) throw new Error(`${where}: config file not found`);
    raw = parseJsonFile(where); // errors name file, line and column
  }
  const cfg = resolveTrainConfig(raw, where);
  await initBackend(opts.backend);
  const out = resolve(opts.out);
  const runDir = join(out, 'run');
  const staging = join(out, '.model-staging');
  mkdirSync(staging, { recursive: true });
  const log = opts.log ?? ((m: string) => process.stderr.write(`[train] ${m}\n`));
  const r = await fineTune({ cfg, seed: resolveSeed(cfg, opts.seed ?? 42), baseDir: resolve(opts.base), dataDir: resolve(opts.data), outDir: staging, runDir, resume: opts.resume ?? true, log });
  const modelDir = join(out, 'model');
  // config.json + model.safetensors, and the tokenizer.json + switchyard-text.json fineTune copied.
  writeDirAtomic(modelDir, Object.fromEntries(readdirSync(staging).filter((f) => !f.startsWith('.')).map((f) => [f, readFileSync(join(staging, f))])));
  rmSync(staging, { recursive: true, force: true });
  return { ...r, modelDir, runDir };
}
