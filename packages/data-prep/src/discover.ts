// Finds the train / validation / test splits in a folder by the names corpora usually use:
//   train.json  val.json | validation.json | valid.json | dev.json  test.json   (any of the formats)
//   train-00000-of-00002.parquet ...                     (Hugging Face hub shards)
//   samsum-train.arrow                                   (Hugging Face datasets cache)
//   train/ (data-00000-of-00001.arrow + state.json)      (save_to_disk)
//   test.data-00000-of-00001.arrow                       (save_to_disk shards flattened with a prefix)
// A split found in two formats in one folder is an error (say which file to use instead).
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';
import type { FileFormat } from './types.js';
import { DataPrepError } from './errors.js';
import { formatOf } from './loaders/index.js';
import { readJsonFile } from './text-file.js';

export interface SplitLocation {
  /** Files in reading order (shards concatenated). */
  files: string[];
  format: FileFormat;
  /** Where the split was found, for messages and the manifest. */
  path: string;
}

const ALIASES: Record<string, string> = { train: 'train', training: 'train', validation: 'validation', val: 'validation', valid: 'validation', dev: 'validation', test: 'test', testing: 'test' };
const SHARD = /[-_.](?:data-)?\d{5}-of-\d{5}$/;

/** The canonical split a file or folder name stands for, if any. */
export function splitOfName(name: string): string | undefined {
  let stem = name.toLowerCase();
  const fmt = formatOf(stem);
  if (fmt) { stem = stem.replace(/\.gz$/, ''); stem = stem.slice(0, stem.lastIndexOf('.')); }
  stem = stem.replace(SHARD, '');
  if (ALIASES[stem]) return ALIASES[stem];
  // `samsum-train`, `knkarthick--samsum-test`: the last dash-separated word.
  const last = stem.split('-').pop()!;
  if (stem.includes('-') && ALIASES[last]) return ALIASES[last];
  return undefined;
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** Files of a split folder: save_to_disk's state.json order, else all data files sorted. */
export function splitFolderFiles(dir: string): SplitLocation | undefined {
  const state = join(dir, 'state.json');
  if (existsSync(state)) {
    const parsed = readJsonFile<{ _data_files?: unknown } | null>(state, 'a save_to_disk state.json object with "_data_files"');
    const list = parsed && typeof parsed === 'object' ? parsed._data_files : undefined;
    if (list !== undefined && (!Array.isArray(list) || list.some((d) => !d || typeof (d as { filename?: unknown }).filename !== 'string'))) {
      throw new DataPrepError('"_data_files" must be a list of {"filename": "..."} objects', { file: state, field: '_data_files' });
    }
    const files = ((list ?? []) as { filename: string }[]).map((d) => join(dir, d.filename));
    if (files.length === 0) throw new DataPrepError('state.json lists no _data_files', { file: state });
    for (const f of files) if (!existsSync(f)) throw new DataPrepError(`listed in ${state} (_data_files) but missing`, { file: f });
    return { files, format: 'arrow', path: dir };
  }
  const data = readdirSync(dir).filter((f) => formatOf(f) && !isMetaFile(f)).sort();
  if (data.length === 0) return undefined;
  const formats = new Set(data.map((f) => formatOf(f)!));
  if (formats.size > 1) throw new DataPrepError(`split folder mixes formats (${[...formats].join(', ')}); keep one`, { file: dir });
  return { files: data.map((f) => join(dir, f)), format: [...formats][0]!, path: dir };
}

function isMetaFile(name: string): boolean {
  return /(^|\.)(dataset_info|state|dataset_dict)\.json$/.test(name) || name === 'cache-info.json';
}

/** Discover the splits of a corpus folder (and, when it has none at the top, its `data/` folder). */
export function discoverSplits(dir: string): Map<string, SplitLocation> {
  if (!isDir(dir)) throw new DataPrepError('corpus folder not found', { file: dir });
  const found = new Map<string, { path: string; files: string[]; format: FileFormat }[]>();
  const add = (split: string, loc: SplitLocation) => {
    const list = found.get(split) ?? [];
    list.push(loc);
    found.set(split, list);
  };
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const split = splitOfName(name);
    if (!split) continue;
    if (isDir(p)) {
      const loc = splitFolderFiles(p);
      if (loc) add(split, loc);
    } else {
      const fmt = formatOf(name);
      if (fmt && !isMetaFile(name)) add(split, { files: [p], format: fmt, path: p });
    }
  }
  const out = new Map<string, SplitLocation>();
  for (const [split, locs] of found) {
    // Shards of one split in one format are read in name order; two formats are ambiguous.
    const formats = new Set(locs.map((l) => l.format));
    const folders = locs.filter((l) => l.files.length !== 1 || l.files[0] !== l.path);
    if (formats.size > 1 || folders.length > 0 && locs.length > 1) {
      throw new DataPrepError(`split "${split}" is found more than once: ${locs.map((l) => basename(l.path)).join(', ')}; point the config at one of them`, { file: dir });
    }
    const files = locs.flatMap((l) => l.files);
    out.set(split, { files, format: locs[0]!.format, path: files.length === 1 ? files[0]! : dir });
  }
  if (out.size === 0 && isDir(join(dir, 'data'))) return discoverSplits(join(dir, 'data'));
  return out;
}
