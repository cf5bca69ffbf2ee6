// Resolves the config's sources and split mapping to files, and loads validated examples.
import { SPLITS, type Example, type FieldNames, type InvalidPolicy, type SkipRecord, type SplitName } from './types.js';
import { DataPrepError, withSkipped } from './errors.js';
import { readJsonFile } from './text-file.js';
import { openSource, resolveSource, type OpenedSource, type ResolvedSource, type SourceSpec } from './source.js';
import type { SplitLocation } from './discover.js';
import type { SplitSpec } from './config.js';
import { readRecords } from './loaders/index.js';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { validateRecords } from './records.js';

export interface LoadedSplit {
  split: SplitName;
  /** The split's name in its source (e.g. "validation" used as train). */
  sourceSplit: string;
  source: ResolvedSource;
  location: SplitLocation;
  examples: Example[];
  skipped: SkipRecord[];
  /** Records read (valid + skipped, before maxRows). */
  recordsRead: number;
  /** From a Hugging Face dataset_info.json beside the files, when there is one. */
  datasetInfo?: { file: string; builder?: string; license?: string; expectedRows?: number };
}

export interface CorpusPlan { split: SplitName; sourceSplit: string; source: ResolvedSource; location: SplitLocation }

/** Which file(s) each requested split comes from; errors say what the source has instead. */
export function planCorpus(source: SourceSpec, splits: Partial<Record<SplitName, SplitSpec>> | undefined, env: NodeJS.ProcessEnv = process.env, log: (m: string) => void = () => {}): CorpusPlan[] {
  const opened = new Map<string, { resolved: ResolvedSource; opened: OpenedSource }>();
  const open = (spec: SourceSpec) => {
    const key = JSON.stringify(spec);
    let o = opened.get(key);
    if (!o) {
      const resolved = resolveSource(spec, env);
      log(resolved.notice);
      o = { resolved, opened: openSource(resolved) };
      opened.set(key, o);
    }
    return o;
  };
  const mapping: [SplitName, SplitSpec][] = splits ? SPLITS.filter((s) => splits[s] !== undefined).map((s) => [s, splits[s]!]) : SPLITS.map((s) => [s, s]);
  const plans: CorpusPlan[] = [];
  const missing: string[] = [];
  let missingFrom: { resolved: ResolvedSource; opened: OpenedSource } | undefined;
  for (const [split, spec] of mapping) {
    const from = typeof spec === 'string' ? source : spec.from ?? source;
    const name = typeof spec === 'string' ? spec : spec.split ?? split;
    const o = open(from);
    if (o.opened.kind === 'single') {
      if (!splits) throw new DataPrepError('the source is a single split (one file or a split folder); say which split it is, e.g. "splits": {"test": "test"}, or give each split its own "from"', { file: o.resolved.path });
      plans.push({ split, sourceSplit: name, source: o.resolved, location: o.opened.location });
      continue;
    }
    const loc = o.opened.splits.get(name);
    if (!loc) { missing.push(`${split}${name !== split ? ` (as "${name}")` : ''}`); missingFrom = o; continue; }
    plans.push({ split, sourceSplit: name, source: o.resolved, location: loc });
  }
  if (missing.length) {
    const o = missingFrom!;
    const has = o.opened.kind === 'splits' ? [...o.opened.splits.keys()] : [];
    throw new DataPrepError(
      `no ${missing.join(', ')} split in ${o.resolved.path} (${o.resolved.via}); it has ${has.length ? has.join(', ') : 'no recognised splits'}. ` +
      `Map splits explicitly, e.g. "splits": {"train": {"from": "embedded"}, "validation": "validation", "test": "test"}`,
    );
  }
  return plans;
}

export async function loadPlannedSplit(plan: CorpusPlan, fields: FieldNames, policy: InvalidPolicy, maxRows?: number): Promise<LoadedSplit> {
  const columns = [fields.id, fields.dialogue, fields.summary];
  const seen = new Map();
  const examples: Example[] = [];
  const skipped: SkipRecord[] = [];
  try {
    for (const file of plan.location.files) {
      const raw = await readRecords(file, columns, plan.location.format);
      const v = validateRecords(raw, fields, policy, plan.split, seen);
      examples.push(...v.examples);
      skipped.push(...v.skipped);
    }
    if (examples.length === 0) {
      const files = plan.location.files.length === 1 ? '' : ` (${plan.location.files.length} files)`;
      throw new DataPrepError(skipped.length ? `split "${plan.split}" has no valid rows: all ${skipped.length} were skipped${files}` : `split "${plan.split}" has no records${files}`, { file: plan.location.path });
    }
  } catch (e) {
    // A failing split still says which rows it had skipped (they are otherwise only in the manifest).
    throw withSkipped(e, skipped);
  }
  const datasetInfo = readDatasetInfo(plan.location.files, plan.sourceSplit);
  return { ...plan, examples: maxRows ? examples.slice(0, maxRows) : examples, skipped, recordsRead: examples.length + skipped.length, ...(datasetInfo ? { datasetInfo } : {}) };
}

/**
 * HF `datasets` writes dataset_info.json next to the data (`<split>.dataset_info.json` in the
 * flattened layout); its split sizes let a truncated copy be noticed.
 */
function readDatasetInfo(files: string[], split: string): LoadedSplit['datasetInfo'] {
  const f = files[0];
  if (!f) return undefined;
  const dir = dirname(f);
  const prefix = basename(f).split('.')[0]!;
  for (const cand of [join(dir, 'dataset_info.json'), join(dir, `${prefix}.dataset_info.json`)]) {
    if (!existsSync(cand)) continue;
    const info = readJsonFile<{ builder_name?: string; license?: string; splits?: Record<string, { num_examples?: number }> } | null>(cand, 'a Hugging Face dataset_info.json object');
    if (info === null || typeof info !== 'object' || Array.isArray(info)) throw new DataPrepError('dataset_info.json is not a JSON object', { file: cand });
    return { file: cand, builder: info.builder_name, license: info.license, expectedRows: info.splits?.[split]?.num_examples };
  }
  return undefined;
}

/** Convenience: load one corpus folder's splits (all present ones) with default options. */
export async function loadCorpus(path: string, opts: { fields?: FieldNames; onInvalid?: InvalidPolicy; format?: SplitLocation['format'] } = {}): Promise<Map<string, Example[]>> {
  const resolved = resolveSource({ path, format: opts.format });
  const o = openSource(resolved);
  const fields = opts.fields ?? { id: 'id', dialogue: 'dialogue', summary: 'summary' };
  const out = new Map<string, Example[]>();
  const entries: [string, SplitLocation][] = o.kind === 'single' ? [['data', o.location]] : [...o.splits.entries()];
  for (const [name, location] of entries) {
    const l = await loadPlannedSplit({ split: name as SplitName, sourceSplit: name, source: resolved, location }, fields, opts.onInvalid ?? 'error');
    out.set(name, l.examples);
  }
  return out;
}
