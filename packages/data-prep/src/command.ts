// `runDataPrepCommand`: data-prep outside a pipeline (the `switchyard data-prep` CLI). Builds
// the output under a temporary sibling folder and renames it into place, so a failed run
// leaves nothing that looks complete; writes a manifest.json with the records a pipeline
// manifest would carry under `extra`.
import { readFileSync, existsSync, writeFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { writeFolderAtomically } from '@switchyard/runtime';
import { resolveConfig, type DataPrepConfig } from './config.js';
import type { PreparedStats } from './tasks/summarisation/prepare.js';
import { prepareTask } from './stage.js';
import { DataPrepError } from './errors.js';
import { readJsonFile } from './text-file.js';

export interface DataPrepCommandOptions {
  /** The config object, or a path to a JSON file holding it. */
  config: unknown;
  /** Output folder (replaced if it exists). */
  out: string;
  log?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface DataPrepCommandResult { outDir: string; config: DataPrepConfig; stats: PreparedStats; records: Record<string, unknown> }

export async function runDataPrepCommand(opts: DataPrepCommandOptions): Promise<DataPrepCommandResult> {
  let raw = opts.config;
  let where = 'data-prep config';
  if (typeof raw === 'string') {
    where = resolve(raw);
    if (!existsSync(where)) throw new DataPrepError('config file not found', { file: where });
    raw = readJsonFile(where, 'a data-prep config JSON object');
  }
  const config = resolveConfig(raw, where);
  const log = opts.log ?? ((m: string) => process.stderr.write(`[data-prep] ${m}\n`));
  const outDir = resolve(opts.out);
  const records: Record<string, unknown> = { config };
  const stats = await writeFolderAtomically(outDir, async (tmp) => {
    const stats = (await prepareTask(config, tmp, { log, record: (k, v) => { records[k] = v; }, env: opts.env })) as PreparedStats;
    const files: Record<string, string> = {};
    for (const f of readdirSync(tmp).sort()) files[f] = createHash('sha256').update(readFileSync(join(tmp, f))).digest('hex');
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify({ stage: 'data-prep', config, files, extra: records }, null, 2) + '\n');
    return stats;
  });
  return { outDir, config, stats, records };
}
