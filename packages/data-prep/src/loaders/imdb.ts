// IMDb (Large Movie Review Dataset v1.0, Maas et al. 2011) in its original `aclImdb/` layout:
// reviews `aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt`, one UTF-8 review per file; label
// pos = 1, neg = 0 (ratings 7–10 and 1–4). Read from the folder, or streamed from its tar.gz
// (`aclImdb_v1.tar.gz` or the labelled-only `aclImdb_v1.labeled.tar.gz`) with tar-stream + zlib,
// never extracted to disk. Everything else in the archive (train/unsup, urls_*.txt, *.feat,
// imdb.vocab, README) is ignored. Reviews are ordered neg then pos, by numeric id.
// Optional truncation (stated in the notes): `maxTokens` keeps the first N whitespace-separated
// tokens of a longer review, joined by single spaces; `maxChars` the first N characters (UTF-16
// code units, never splitting a surrogate pair). Reviews within the limit stay unchanged.
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { DataPrepError } from '../errors.js';
import { readBytes, decodeUtf8 } from '../text-file.js';
import type { LabelledText } from '../text-classification/types.js';

export const IMDB_LABEL_NAMES = ['negative', 'positive'];
export const IMDB_ARCHIVES = ['aclImdb_v1.labeled.tar.gz', 'aclImdb_v1.tar.gz'];

export interface ImdbOptions {
  maxTokens?: number;
  maxChars?: number;
}

export interface ImdbData {
  train: LabelledText[];
  test: LabelledText[];
  /** The folder or archive read. */
  source: string;
  /** Reviews shortened by the truncation options, per split. */
  truncated: { train: number; test: number };
}

interface Review { split: 'train' | 'test'; label: number; id: number; text: string }

const REVIEW_PATH = /(?:^|\/)aclImdb\/(train|test)\/(pos|neg)\/([^/]+)$/;
const REVIEW_NAME = /^(\d+)_(\d+)\.txt$/;

/** Check a review file's name and content; `where` names it in errors. */
function review(split: string, folder: string, name: string, bytes: Uint8Array, where: string): Review {
  const m = REVIEW_NAME.exec(name);
  if (!m) throw new DataPrepError(`unexpected file name ${JSON.stringify(name)} in ${split}/${folder}/, expected <id>_<rating>.txt`, { file: where });
  const rating = Number(m[2]);
  const ok = folder === 'pos' ? rating >= 7 && rating <= 10 : rating >= 1 && rating <= 4;
  if (!ok) throw new DataPrepError(`rating ${rating} in ${folder}/, expected ${folder === 'pos' ? '7-10' : '1-4'}`, { file: where, field: 'rating' });
  if (bytes.length === 0) throw new DataPrepError('empty review file', { file: where });
  const text = decodeUtf8(bytes, where);
  if (text.trim() === '') throw new DataPrepError('review is only whitespace', { file: where });
  return { split: split as 'train' | 'test', label: folder === 'pos' ? 1 : 0, id: Number(m[1]), text };
}

/** Stream `aclImdb/{train,test}/{pos,neg}/*.txt` out of a (gzip'd) tar. */
async function reviewsFromTar(file: string): Promise<Review[]> {
  const out: Review[] = [];
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const m = header.type === 'file' ? REVIEW_PATH.exec(header.name) : null;
    if (!m) { stream.on('end', () => next()); stream.resume(); return; }
    const chunks: Uint8Array[] = [];
    stream.on('data', (c: unknown) => { chunks.push(c as Uint8Array); });
    stream.on('end', () => {
      try {
        out.push(review(m[1]!, m[2]!, m[3]!, Buffer.concat(chunks), `${file}:${header.name}`));
        next();
      } catch (e) { next(e as Error); }
    });
  });
  const gz = file.endsWith('.gz') || file.endsWith('.tgz');
  try {
    await (gz ? pipeline(createReadStream(file), createGunzip(), ex) : pipeline(createReadStream(file), ex));
  } catch (e) {
    if (e instanceof DataPrepError) throw e;
    throw new DataPrepError(`not a readable ${gz ? 'tar.gz' : 'tar'} archive (${(e as Error).message})`, { file });
  }
  return out;
}

function reviewsFromFolder(root: string): Review[] {
  const out: Review[] = [];
  for (const split of ['train', 'test'])
    for (const folder of ['neg', 'pos']) {
      const dir = join(root, split, folder);
      if (!existsSync(dir)) continue; // reported as a missing split below
      for (const name of readdirSync(dir).sort()) out.push(review(split, folder, name, readBytes(join(dir, name)), join(dir, name)));
    }
  return out;
}

export function truncateText(text: string, opts: ImdbOptions): string {
  let t = text;
  if (opts.maxTokens !== undefined) {
    const words = t.split(/\s+/).filter((w) => w !== '');
    if (words.length > opts.maxTokens) t = words.slice(0, opts.maxTokens).join(' ');
  }
  if (opts.maxChars !== undefined && t.length > opts.maxChars) {
    let end = opts.maxChars;
    const c = t.charCodeAt(end - 1);
    if (c >= 0xd800 && c <= 0xdbff) end--; // do not cut a surrogate pair in half
    t = t.slice(0, end);
  }
  return t;
}

function checkLimit(name: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new DataPrepError(`IMDb option ${name} is ${v}, expected a positive integer`);
}

/** Where the reviews are: an archive, or the aclImdb folder. */
function locate(path: string): { kind: 'tar' | 'folder'; path: string } {
  if (!existsSync(path)) throw new DataPrepError('not found', { file: path });
  if (statSync(path).isFile()) {
    if (!/\.(tar\.gz|tgz|tar)$/.test(path)) throw new DataPrepError('expected an aclImdb .tar.gz / .tgz / .tar archive or the aclImdb folder', { file: path });
    return { kind: 'tar', path };
  }
  for (const a of IMDB_ARCHIVES) if (existsSync(join(path, a))) return { kind: 'tar', path: join(path, a) };
  if (existsSync(join(path, 'train')) || existsSync(join(path, 'test'))) return { kind: 'folder', path };
  if (existsSync(join(path, 'aclImdb'))) return { kind: 'folder', path: join(path, 'aclImdb') };
  throw new DataPrepError(`no ${IMDB_ARCHIVES.join(' or ')}, no aclImdb/ folder and no train/, test/ folders here`, { file: path });
}

export async function loadImdb(path: string, opts: ImdbOptions = {}): Promise<ImdbData> {
  checkLimit('maxTokens', opts.maxTokens);
  checkLimit('maxChars', opts.maxChars);
  const where = locate(path);
  const all = where.kind === 'tar' ? await reviewsFromTar(where.path) : reviewsFromFolder(where.path);
  all.sort((a, b) => (a.split === b.split ? 0 : a.split === 'train' ? -1 : 1) || a.label - b.label || a.id - b.id);
  const data: ImdbData = { train: [], test: [], source: where.path, truncated: { train: 0, test: 0 } };
  const seen = new Set<string>();
  for (const r of all) {
    const key = `${r.split}/${r.label}/${r.id}`;
    if (seen.has(key)) throw new DataPrepError(`review id ${r.id} occurs twice in ${r.split}/${r.label ? 'pos' : 'neg'}/ (two ratings for one id)`, { file: where.path });
    seen.add(key);
    const text = truncateText(r.text, opts);
    if (text !== r.text) data.truncated[r.split]++;
    data[r.split].push({ text, label: r.label });
  }
  for (const split of ['train', 'test'] as const)
    for (const [label, folder] of [[0, 'neg'], [1, 'pos']] as const)
      if (!data[split].some((r) => r.label === label)) throw new DataPrepError(`no reviews in aclImdb/${split}/${folder}/ (expected <id>_<rating>.txt files)`, { file: where.path });
  return data;
}
