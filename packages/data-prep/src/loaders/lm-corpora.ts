// Token streams of the language-modelling corpora of the CompeteSMoE / adaptive-span / Transformer-XL
// studies, from a user's files:
//   enwik8 — bytes (vocabulary 256, id = byte value); the raw `enwik8`, `enwik8.zip`, or a gzip'd prefix.
//   text8  — characters (vocabulary 27: id 0 = space, 1..26 = a..z); raw `text8`, `text8.zip`, or .gz.
//   wikitext-2 / wikitext-103 — whitespace tokens with `<eos>` after every line (empty lines give
//            just `<eos>`), vocabulary in order of first appearance over train, valid, test (the
//            reference `Corpus`); `wiki.{train,valid,test}.tokens` (or .gz) in a folder, or the
//            `wikitext-*-v1.zip`.
// Splits: the complete enwik8/text8 (10^8 bytes/characters) → the standard [0, 90M) / [90M, 95M)
// / [95M, 100M); any other length (a prefix) → the proportional 90/5/5 split, contiguous, taken
// from the end: test = the last ⌊0.05·n⌋ tokens, valid = the ⌊0.05·n⌋ before them, train = the rest.
// WikiText uses its own files. Differences from the reference preprocessing (ids only, NLL unchanged):
// enwik8 ids are byte values (the reference numbers bytes, with newline as `<eos>`, by first
// appearance); text8 ids are fixed (the reference's dictionary order is by first appearance).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataPrepError } from '../errors.js';
import { embeddedDatasetDir } from '../embedded-datasets.js';
import { decodeUtf8, readBytes } from '../text-file.js';
import { readZipMember, zipMembers } from './zip-archive.js';

export type LmCorpusKind = 'enwik8' | 'text8' | 'wikitext-2' | 'wikitext-103';
export type LmSplitName = 'train' | 'valid' | 'test';
export type LmSplitRule = 'auto' | 'standard' | 'proportional';

export interface LmCorpusOptions {
  kind: LmCorpusKind;
  /** A file (raw, .gz, .zip) or a folder holding one. */
  path: string;
  /** enwik8/text8: `auto` (standard for a complete file, else proportional), or force one. */
  split?: LmSplitRule;
  /** WikiText: the splits that must exist (default all three). */
  splits?: LmSplitName[];
}

export interface LmCorpus {
  kind: LmCorpusKind;
  /** What each token is. */
  unit: 'byte' | 'character' | 'word';
  /** The file(s) read. */
  source: string;
  /** `standard`, `proportional-90-5-5` (enwik8/text8 prefix) or `files` (WikiText). */
  splitRule: 'standard' | 'proportional-90-5-5' | 'files';
  /** Token string of each id. */
  vocab: string[];
  splits: Partial<Record<LmSplitName, Int32Array>>;
  /** Tokens of the whole source (enwik8/text8) before splitting. */
  totalTokens: number;
}

/** enwik8 and text8 are 10^8 bytes/characters. */
export const STANDARD_LENGTH = 100_000_000;
const STANDARD_HELD_OUT = 5_000_000;

export const LM_CORPUS_KINDS: LmCorpusKind[] = ['enwik8', 'text8', 'wikitext-2', 'wikitext-103'];

/** The 90/5/5 (or standard 90M/5M/5M) split of a stream, contiguous, held-out parts at the end. */
export function splitStream(tokens: Int32Array, rule: 'standard' | 'proportional-90-5-5'): Record<LmSplitName, Int32Array> {
  const n = tokens.length;
  const held = rule === 'standard' ? STANDARD_HELD_OUT : Math.floor(n * 0.05);
  return { train: tokens.subarray(0, n - 2 * held), valid: tokens.subarray(n - 2 * held, n - held), test: tokens.subarray(n - held) };
}

function listing(dir: string): string {
  const names = readdirSync(dir);
  return names.length ? names.slice(0, 12).join(', ') + (names.length > 12 ? ', …' : '') : '(empty)';
}

/** The bytes of a single-file corpus: a raw file, a .gz, a .zip holding `member`, or a folder with one of them. */
function singleFileBytes(path: string, member: string): { bytes: Uint8Array; source: string } {
  if (!existsSync(path)) throw new DataPrepError(`not found (expected the ${member} file, ${member}.zip, or a folder holding one)`, { file: path });
  if (statSync(path).isDirectory()) {
    const names = readdirSync(path);
    const pick = [member, `${member}.zip`].find((n) => names.includes(n)) ?? names.find((n) => n.startsWith(member) && n.endsWith('.gz'));
    if (!pick) throw new DataPrepError(`no ${member}, ${member}.zip or ${member}*.gz in this folder; it has ${listing(path)}`, { file: path });
    return singleFileBytes(join(path, pick), member);
  }
  const raw = readBytes(path);
  if (path.endsWith('.zip')) {
    const members = zipMembers(raw, path).filter((m) => !m.name.endsWith('/'));
    const m = members.find((x) => basename(x.name) === member) ?? (members.length === 1 ? members[0] : undefined);
    if (!m) throw new DataPrepError(`no member "${member}" in the archive; it has ${members.map((x) => x.name).join(', ') || 'nothing'}`, { file: path });
    return { bytes: readZipMember(raw, m, path), source: `${path}:${m.name}` };
  }
  if (path.endsWith('.gz')) {
    try { return { bytes: gunzipSync(raw), source: path }; } catch (e) { throw new DataPrepError(`gzip data is corrupt or truncated (${(e as Error).message})`, { file: path }); }
  }
  return { bytes: raw, source: path };
}

function chooseRule(n: number, rule: LmSplitRule, kind: string, unit: string, source: string): 'standard' | 'proportional-90-5-5' {
  if (rule === 'proportional') return 'proportional-90-5-5';
  if (n === STANDARD_LENGTH) return 'standard';
  if (rule === 'standard') {
    throw new DataPrepError(`the standard ${kind} split needs the complete file of ${STANDARD_LENGTH.toLocaleString('en-US')} ${unit}s; this one has ${n.toLocaleString('en-US')} (a prefix?). Use split "proportional" (90/5/5 from the end) or "auto"`, { file: source });
  }
  if (n < 40) throw new DataPrepError(`${n} ${unit}s are too few to split 90/5/5 (need at least 40)`, { file: source });
  return 'proportional-90-5-5';
}

function loadEnwik8(o: LmCorpusOptions): LmCorpus {
  const { bytes, source } = singleFileBytes(o.path, 'enwik8');
  const tokens = Int32Array.from(bytes);
  const rule = chooseRule(tokens.length, o.split ?? 'auto', 'enwik8', 'byte', source);
  return { kind: 'enwik8', unit: 'byte', source, splitRule: rule, vocab: Array.from({ length: 256 }, (_, b) => String(b)), splits: splitStream(tokens, rule), totalTokens: tokens.length };
}

export const TEXT8_VOCAB = [' ', ...'abcdefghijklmnopqrstuvwxyz'];

function loadText8(o: LmCorpusOptions): LmCorpus {
  const { bytes, source } = singleFileBytes(o.path, 'text8');
  const tokens = new Int32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x20) tokens[i] = 0;
    else if (c >= 0x61 && c <= 0x7a) tokens[i] = c - 0x60;
    else throw new DataPrepError(`byte ${i} is 0x${c.toString(16).padStart(2, '0')}${c >= 0x20 && c < 0x7f ? ` ("${String.fromCharCode(c)}")` : ''}; text8 holds only a–z and space (is this enwik8?)`, { file: source });
  }
  const rule = chooseRule(tokens.length, o.split ?? 'auto', 'text8', 'character', source);
  return { kind: 'text8', unit: 'character', source, splitRule: rule, vocab: [...TEXT8_VOCAB], splits: splitStream(tokens, rule), totalTokens: tokens.length };
}

const WIKITEXT_FILE: Record<LmSplitName, string> = { train: 'wiki.train.tokens', valid: 'wiki.valid.tokens', test: 'wiki.test.tokens' };

/** Token ids of one WikiText file: each line's whitespace-separated tokens, then `<eos>`. */
export function tokenizeWikiText(bytes: Uint8Array, file: string, dict: Map<string, number>, vocab: string[]): Int32Array {
  const ids: number[] = [];
  const push = (tok: string) => {
    let id = dict.get(tok);
    if (id === undefined) { id = vocab.length; dict.set(tok, id); vocab.push(tok); }
    ids.push(id);
  };
  // Decode in chunks cut at line ends, so a 500 MB file never becomes one string.
  const CHUNK = 1 << 24;
  let line = 1;
  for (let start = 0; start < bytes.length;) {
    let end = Math.min(bytes.length, start + CHUNK);
    if (end < bytes.length) { const nl = bytes.indexOf(0x0a, end); end = nl < 0 ? bytes.length : nl + 1; }
    const text = decodeUtf8(bytes.subarray(start, end), file, line);
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();   // a final newline ends the last line
    for (const l of lines) {
      for (const tok of l.split(/\s+/)) if (tok !== '') push(tok);
      push('<eos>');
      line++;
    }
    start = end;
  }
  return Int32Array.from(ids);
}

function loadWikiText(o: LmCorpusOptions): LmCorpus {
  const want = o.splits ?? ['train', 'valid', 'test'];
  const kind = o.kind;
  const files = new Map<LmSplitName, { bytes: Uint8Array; source: string }>();
  if (!existsSync(o.path)) throw new DataPrepError(`not found (expected a folder with ${Object.values(WIKITEXT_FILE).join(', ')} or ${kind}-v1.zip)`, { file: o.path });
  if (o.path.endsWith('.zip')) {
    const raw = readBytes(o.path);
    const members = zipMembers(raw, o.path);
    for (const s of want) {
      const m = members.find((x) => basename(x.name) === WIKITEXT_FILE[s]);
      if (!m) {
        const raws = members.some((x) => x.name.endsWith('.raw'));
        throw new DataPrepError(`no ${WIKITEXT_FILE[s]} in the archive${raws ? ' (this is the raw variant; use wikitext-*-v1.zip, the tokenized one)' : ''}; it has ${members.map((x) => x.name).join(', ')}`, { file: o.path });
      }
      files.set(s, { bytes: readZipMember(raw, m, o.path), source: `${o.path}:${m.name}` });
    }
  } else {
    let dir = o.path;
    if (!statSync(dir).isDirectory()) throw new DataPrepError(`expected a folder or a .zip`, { file: dir });
    if (!existsSync(join(dir, WIKITEXT_FILE.valid)) && !existsSync(join(dir, `${WIKITEXT_FILE.valid}.gz`)) && existsSync(join(dir, kind))) dir = join(dir, kind);
    for (const s of want) {
      const plain = join(dir, WIKITEXT_FILE[s]);
      if (existsSync(plain)) files.set(s, { bytes: readBytes(plain), source: plain });
      else if (existsSync(`${plain}.gz`)) {
        try { files.set(s, { bytes: gunzipSync(readBytes(`${plain}.gz`)), source: `${plain}.gz` }); } catch (e) { throw new DataPrepError(`gzip data is corrupt or truncated (${(e as Error).message})`, { file: `${plain}.gz` }); }
      } else throw new DataPrepError(`no ${WIKITEXT_FILE[s]} (or .gz) for the ${s} split; the folder has ${listing(dir)}`, { file: dir });
    }
  }
  const dict = new Map<string, number>();
  const vocab: string[] = [];
  const splits: Partial<Record<LmSplitName, Int32Array>> = {};
  let total = 0;
  for (const s of (['train', 'valid', 'test'] as LmSplitName[]).filter((x) => files.has(x))) {
    const f = files.get(s)!;
    splits[s] = tokenizeWikiText(f.bytes, f.source, dict, vocab);
    total += splits[s]!.length;
  }
  return { kind, unit: 'word', source: [...files.values()].map((f) => f.source).join(', '), splitRule: 'files', vocab, splits, totalTokens: total };
}

/** Read a corpus into token streams and splits (see the file header for formats and split rules). */
export function loadLmCorpus(o: LmCorpusOptions): LmCorpus {
  switch (o.kind) {
    case 'enwik8': return loadEnwik8(o);
    case 'text8': return loadText8(o);
    case 'wikitext-2': case 'wikitext-103': return loadWikiText(o);
    default: throw new DataPrepError(`unknown LM corpus "${String(o.kind)}"; known: ${LM_CORPUS_KINDS.join(', ')}`);
  }
}

/** datasets/embedded-enwik8: enwik8's first 1,000,000 bytes, found from this file. */
export function embeddedEnwik8Path(): string {
  const env = process.env.SWITCHYARD_EMBEDDED_ENWIK8;
  if (env) return env;
  return join(embeddedDatasetDir('embedded-enwik8', 'enwik8.first-1000000.gz'), 'enwik8.first-1000000.gz');
}
