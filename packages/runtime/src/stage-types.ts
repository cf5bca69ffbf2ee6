// The stage contract (docs/design.md §3), as seen by a stage implementation.
// A stage reads only its validated config and its upstream stages' output folders, and writes
// only into `outDir` (a temporary folder the runner renames into place once the stage returns
// and the manifest is written). Tables are Arrow IPC *file* format; weights are safetensors +
// config.json. The runner hashes every file written and records it in manifest.json.
import type { BackendInfo } from './tensor-backend.js';

export interface StageContext<C = unknown> {
  /** The stage's config after schema validation and defaults. */
  config: C;
  /** Seed for every random draw of this stage (from the config's `seed`, else the pipeline's). */
  seed: number;
  /** Input role (as the stage's package.json declares it) → the (verified) output folder of the upstream stage the pipeline maps to it. Read-only. */
  inputs: Record<string, string>;
  /** The folder to write into (temporary; renamed into place on success). */
  outDir: string;
  /**
   * True when `outDir` holds what an interrupted run of this very stage (same content key, same
   * Nx task hash) left behind, for a `resumable` stage to continue from; it must verify what it
   * reuses (e.g. checkpoint hashes). Always false for stages that are not resumable.
   */
  resume?: boolean;
  /** Active tensor backend, when the stage declared `usesTensors`. */
  backend?: BackendInfo;
  /** A progress/log line on stderr, prefixed with the stage name. */
  log(message: string): void;
  /** Add fields to manifest.json under `extra` (e.g. data source used, aggregates). */
  record(key: string, value: unknown): void;
}

export interface StageDefinition<C = unknown> {
  /** Name used in pipeline files (`"package": "@switchyard/train", "stage": "train"`). */
  name: string;
  /** JSON Schema (2020-12) of the config; unknown keys must be rejected (`additionalProperties: false`). */
  configSchema: Record<string, unknown>;
  /** Whether the runner must initialise a tensor backend before `run`. */
  usesTensors?: boolean;
  /**
   * Whether the runner keeps `outDir` of a killed or failed run for the next run to resume from
   * (train/base-model: their loop checkpoints). Other stages always start from an empty folder.
   */
  resumable?: boolean;
  run(ctx: StageContext<C>): Promise<void>;
}

/**
 * The output folder playing input role `role` (declared in the stage's package.json under
 * `switchyard.stages.<stage>.inputs`; the pipeline maps it to one of its stages), or an error
 * saying how to map it.
 */
export function roleInput(ctx: Pick<StageContext, 'inputs'>, role: string, what = 'output'): string {
  const dir = ctx.inputs[role];
  if (!dir) throw new Error(`stage needs its "${role}" input (${what}); map the role to a stage in the pipeline's "inputs", e.g. "inputs": { "${role}": "<stage>" }; inputs: ${Object.keys(ctx.inputs).join(', ') || '(none)'}`);
  return dir;
}
