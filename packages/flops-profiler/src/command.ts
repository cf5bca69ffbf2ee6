// `switchyard flops …` (the integrator wires the CLI flags to these options): the stage's work
// outside a pipeline, reading routing.arrow files or folders given on the command line.
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { assertSchema, initBackend, resolveSeed, type BackendInfo } from '@switchyard/runtime';
import { flopsStageConfigSchema, resolveFlopsConfig, type FlopsStageConfig } from './stage-config.js';
import { runFlopsProfile, type ProfileResult } from './profile.js';

export interface FlopsCommandOptions {
  /** Output folder (created). */
  out: string;
  /** Stage config (same schema as the stage); individual options below override it. */
  config?: Partial<FlopsStageConfig>;
  /** Preset name or a parsed config.json. */
  model?: FlopsStageConfig['model'];
  sourceLength?: number;
  targetLength?: number;
  /** routing.arrow files, or folders holding one; labelled by file/folder name. */
  routing?: string[];
  /** Time one MoE layer per row on the current backend. */
  measure?: boolean;
  backend?: string;
  /** The stage seed (default 0); a `seed` in `config` wins (runtime's seed rule). */
  seed?: number;
  fontPath?: string;
  log?: (message: string) => void;
}

export interface FlopsCommandResult extends ProfileResult {
  outDir: string;
  backend: BackendInfo;
}

export async function runFlopsCommand(opts: FlopsCommandOptions): Promise<FlopsCommandResult> {
  const raw: Record<string, unknown> = { ...(opts.config ?? {}) };
  if (opts.model !== undefined) raw.model = opts.model;
  if (opts.sourceLength !== undefined) raw.sourceLength = opts.sourceLength;
  if (opts.targetLength !== undefined) raw.targetLength = opts.targetLength;
  if (opts.fontPath !== undefined) raw.fontPath = opts.fontPath;
  if (opts.measure !== undefined) raw.measure = { ...((raw.measure as object | undefined) ?? {}), enabled: opts.measure };
  assertSchema(flopsStageConfigSchema, raw, 'switchyard flops');
  const cfg = resolveFlopsConfig(raw as Partial<FlopsStageConfig>);
  const log = opts.log ?? ((m: string) => process.stderr.write(`flops: ${m}\n`));
  const inputs: Record<string, string> = {};
  for (const p of opts.routing ?? []) {
    const abs = path.resolve(p);
    const isDir = statSync(abs).isDirectory();
    // runFlopsProfile looks for <folder>/routing.arrow; a file must carry that name
    if (!isDir && path.basename(abs) !== 'routing.arrow') throw new Error(`${p}: routing statistics must be a folder or a file named routing.arrow`);
    const dir = isDir ? abs : path.dirname(abs);
    const label = path.basename(dir);
    const key = inputs[label] ? `${label}#${Object.keys(inputs).length}` : label;
    inputs[key] = dir;
    // rows are labelled by folder here (several runs of one router type side by side)
    cfg.statistics[key] ??= { label: key };
  }
  const backend = await initBackend(opts.backend, { quiet: true });
  mkdirSync(opts.out, { recursive: true });
  const result = await runFlopsProfile(cfg, { inputs, outDir: opts.out, seed: resolveSeed(cfg, opts.seed ?? 0), log });
  return { ...result, outDir: opts.out, backend };
}
