// Where the corpus comes from (docs/design.md §6). A source is
//   "samsum"            → SAMSUM_DIR → the Hugging Face datasets cache → the embedded corpus
//   "embedded"          → datasets/embedded-samsum (synthetic, committed with the repo)
//   { "path": "..." }   → that file or folder (relative paths from the working directory)
// and the choice is logged in one line and recorded in the manifest.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { homedir } from 'node:os';
import type { FileFormat } from './types.js';
import { DataPrepError } from './errors.js';
import { embeddedDatasetDir } from './embedded-datasets.js';
import { discoverSplits, splitFolderFiles, type SplitLocation } from './discover.js';
import { formatOf } from './loaders/index.js';

export type SourceSpec = 'samsum' | 'embedded' | { path: string; format?: FileFormat };

export interface ResolvedSource {
  /** How the path was chosen. */
  via: 'config' | 'SAMSUM_DIR' | 'hf-cache' | 'embedded';
  path: string;
  format?: FileFormat;
  /** The one-line notice printed and recorded. */
  notice: string;
}

/** datasets/embedded-samsum, found from this file (src/ and dist/ sit at the same depth). */
export function embeddedCorpusDir(): string {
  return embeddedDatasetDir('embedded-samsum', 'train.json', 'SWITCHYARD_EMBEDDED_SAMSUM');
}

/** The Hugging Face datasets cache root, as `datasets` itself picks it. */
export function hfDatasetsCache(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_DATASETS_CACHE) return resolve(env.HF_DATASETS_CACHE);
  if (env.HF_HOME) return join(resolve(env.HF_HOME), 'datasets');
  return join(env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache'), 'huggingface', 'datasets');
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/**
 * A samsum folder in the HF cache: `<cache>/samsum/...` or `<cache>/<owner>___samsum/...`; the
 * cache nests `<config>/<version>/<hash>/samsum-<split>.arrow`. Takes the last (name order)
 * folder holding split files so the pick is deterministic.
 */
export function findInHfCache(cache: string, name = 'samsum'): string | undefined {
  if (!isDir(cache)) return undefined;
  const roots = readdirSync(cache).sort().filter((d) => (d === name || d.endsWith(`___${name}`)) && isDir(join(cache, d)));
  let best: string | undefined;
  const walk = (dir: string, depth: number) => {
    const entries = readdirSync(dir).sort();
    if (entries.some((e) => e.endsWith('.arrow') && /-(train|validation|test)(-\d{5}-of-\d{5})?\.arrow$/.test(e)) || entries.includes('dataset_dict.json')) {
      best = dir;
    }
    if (depth < 5) for (const e of entries) if (isDir(join(dir, e)) && !e.startsWith('.') && !e.endsWith('.incomplete')) walk(join(dir, e), depth + 1);
  };
  for (const r of roots) walk(join(cache, r), 0);
  return best;
}

export function resolveSource(spec: SourceSpec, env: NodeJS.ProcessEnv = process.env): ResolvedSource {
  if (typeof spec === 'object') {
    const path = resolve(spec.path);
    if (!existsSync(path)) throw new DataPrepError('source path not found', { file: path });
    return { via: 'config', path, format: spec.format, notice: `data source: ${path} (from the config)` };
  }
  if (spec === 'embedded') {
    const path = embeddedCorpusDir();
    return { via: 'embedded', path, notice: `data source: embedded synthetic corpus ${path}` };
  }
  if (env.SAMSUM_DIR) {
    const path = resolve(env.SAMSUM_DIR);
    if (!existsSync(path)) throw new DataPrepError('SAMSUM_DIR is set but does not exist', { file: path });
    return { via: 'SAMSUM_DIR', path, notice: `data source: SAMSum from SAMSUM_DIR=${path}` };
  }
  const cache = hfDatasetsCache(env);
  const cached = findInHfCache(cache);
  if (cached) return { via: 'hf-cache', path: cached, notice: `data source: SAMSum from the Hugging Face datasets cache ${cached}` };
  const path = embeddedCorpusDir();
  return {
    via: 'embedded', path,
    notice: `data source: embedded synthetic corpus ${path} (no SAMSUM_DIR, no samsum in ${cache}; results are not SAMSum results)`,
  };
}

/** A source opened: either one split (a file, or a split folder) or named splits. */
export type OpenedSource = { kind: 'single'; location: SplitLocation } | { kind: 'splits'; splits: Map<string, SplitLocation> };

export function openSource(src: ResolvedSource): OpenedSource {
  const p = src.path;
  if (!isDir(p)) {
    const format = src.format ?? formatOf(p);
    if (!format) throw new DataPrepError('unknown file format (expected .json, .jsonl, .csv, .parquet or .arrow)', { file: p });
    return { kind: 'single', location: { files: [p], format, path: p } };
  }
  if (existsSync(join(p, 'state.json'))) return { kind: 'single', location: splitFolderFiles(p)! };
  const splits = discoverSplits(p);
  if (splits.size === 0) {
    const loc = splitFolderFiles(p);
    if (loc) return { kind: 'single', location: loc };
    throw new DataPrepError('no splits found (expected files like train.json, val.json, test.jsonl, train.csv, *.parquet, samsum-train.arrow or split folders)', { file: p });
  }
  if (src.format) for (const loc of splits.values()) loc.format = src.format;
  return { kind: 'splits', splits };
}
