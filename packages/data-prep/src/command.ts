// `runDataPrepCommand`: data-prep outside a pipeline (the `switchyard data-prep` CLI). Builds
// the output under a temporary sibling folder and renames it into place, so a failed run
// leaves nothing that looks complete; writes a manifest.json with the records a pipeline
// manifest would carry under `extra`.
import { mkdirSync, readFileSync, renameSync, rmSync, existsSync, writeFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve, basename } from 'node:path';
import { resolveConfig, type DataPrepConfig } from './config.js';
import { prepareData, type PreparedStats } from './prepare.js';
import { DataPrepError } from './errors.js';
import { JsonFileError, parseJsonFile } from '@switchyard/runtime';

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
    try { raw = parseJsonFile(where); } catch (e) {
      if (!(e instanceof JsonFileError)) throw e;
      throw new DataPrepError(`malformed JSON: ${e.reason}${e.column !== undefined ? ` (column ${e.column})` : ''}`, { file: where, line: e.line });
    }
  }
  const config = resolveConfig(raw, where);
  const log = opts.log ?? ((m: string) => process.stderr.write(`[data-prep] ${m}\n`));
  const outDir = resolve(opts.out);
  const tmp = join(dirname(outDir), `.${basename(outDir)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const records: Record<string, unknown> = { config };
  try {
    const stats = await prepareData(config, tmp, { log, record: (k, v) => { records[k] = v; }, env: opts.env });
    const files: Record<string, string> = {};
    for (const f of readdirSync(tmp).sort()) files[f] = createHash('sha256').update(readFileSync(join(tmp, f))).digest('hex');
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify({ stage: 'data-prep', config, files, extra: records }, null, 2) + '\n');
    rmSync(outDir, { recursive: true, force: true });
    renameSync(tmp, outDir);
    return { outDir, config, stats, records };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
