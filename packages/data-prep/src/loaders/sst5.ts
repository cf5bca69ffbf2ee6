// SST-5 from the Stanford Sentiment Treebank's original release `trainDevTestTrees_PTB.zip`
// (members trees/train.txt, trees/dev.txt, trees/test.txt; one labelled tree per line, see
// sst5-tree.ts). Each sentence's text is its root's leaves joined by single spaces (original
// case, brackets as -LRB-/-RRB-), its class the root label 0–4. Accepted inputs: the zip, a
// folder holding it, or a folder holding the extracted `trees/` (or the three .txt files).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { DataPrepError } from '../errors.js';
import { readBytes, decodeUtf8 } from '../text-file.js';
import { parseSentimentTree, treeLeaves, TreeSyntaxError } from './sst5-tree.js';
import type { LabelledText } from '../text-classification/types.js';

export const SST5_LABEL_NAMES = ['very negative', 'negative', 'neutral', 'positive', 'very positive'];
export const SST5_ZIP = 'trainDevTestTrees_PTB.zip';
const SPLITS = ['train', 'dev', 'test'] as const;

export interface Sst5Data {
  train: LabelledText[];
  dev: LabelledText[];
  test: LabelledText[];
  files: { train: string; dev: string; test: string };
}

/** Sentences of one trees file (its bytes); `name` names it in errors. */
export function parseSst5Trees(bytes: Uint8Array, name: string): LabelledText[] {
  if (bytes.length === 0) throw new DataPrepError('empty file (expected one sentiment tree per line)', { file: name });
  const lines = decodeUtf8(bytes, name).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((text, k) => {
    const line = k + 1;
    if (text.trim() === '') throw new DataPrepError('blank line (expected a sentiment tree)', { file: name, line });
    try {
      const tree = parseSentimentTree(text);
      return { text: treeLeaves(tree).join(' '), label: tree.label };
    } catch (e) {
      if (e instanceof TreeSyntaxError) throw new DataPrepError(`malformed tree at ${e.message}`, { file: name, line });
      throw e;
    }
  });
}

function fromZip(zip: string): Sst5Data {
  const bytes = readBytes(zip);
  if (bytes.length === 0) throw new DataPrepError(`empty file (expected the zip ${SST5_ZIP})`, { file: zip });
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, { filter: (f) => /(^|\/)(train|dev|test)\.txt$/.test(f.name) });
  } catch (e) {
    throw new DataPrepError(`not a readable zip file (${(e as Error).message})`, { file: zip });
  }
  const names = Object.keys(members).sort();
  const pick = (split: string) => {
    const want = names.filter((n) => n === `trees/${split}.txt` || n === `${split}.txt`);
    if (want.length === 0) throw new DataPrepError(`no member trees/${split}.txt (${names.length ? `.txt members: ${names.join(', ')}` : 'no train/dev/test .txt members'})`, { file: zip });
    return want[0]!;
  };
  const out = { files: {} } as Sst5Data;
  for (const s of SPLITS) {
    const member = pick(s);
    const name = `${zip}:${member}`;
    out[s] = parseSst5Trees(members[member]!, name);
    out.files[s] = name;
  }
  return out;
}

/** SST-5 from the PTB trees zip, a folder holding it, or extracted `trees/*.txt`. */
export function loadSst5(path: string): Sst5Data {
  if (!existsSync(path)) throw new DataPrepError('not found', { file: path });
  if (statSync(path).isFile()) return fromZip(path);
  if (existsSync(join(path, SST5_ZIP))) return fromZip(join(path, SST5_ZIP));
  const dir = existsSync(join(path, 'trees')) ? join(path, 'trees') : path;
  if (!existsSync(join(dir, 'train.txt'))) {
    throw new DataPrepError(`no ${SST5_ZIP}, trees/train.txt or train.txt here (expected the Stanford Sentiment Treebank PTB trees)`, { file: path });
  }
  const out = { files: {} } as Sst5Data;
  for (const s of SPLITS) {
    const file = join(dir, `${s}.txt`);
    out[s] = parseSst5Trees(readBytes(file), file);
    out.files[s] = file;
  }
  return out;
}
