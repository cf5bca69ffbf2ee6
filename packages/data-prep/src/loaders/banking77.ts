// BANKING77 in its original layout (PolyAI `banking_data/`): `train.csv` and `test.csv` with the
// header `text,category` (RFC 4180 quoting, records end in CRLF, some quoted texts hold raw line
// breaks) and `categories.json`, a JSON array of the 77 intent names. Label i = categories[i].
// Without categories.json the label names are the train split's categories in code-point order.
// Texts are kept exactly as written (leading/trailing whitespace and inner line breaks included).
// BANKING77 has no dev split.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataPrepError } from '../errors.js';
import { readBytes, decodeUtf8 } from '../text-file.js';
import { parseCsvRecords } from './csv.js';
import { didYouMean } from '../text-classification/did-you-mean.js';
import type { LabelledText } from '../text-classification/types.js';

export interface Banking77Data {
  labelNames: string[];
  /** Where the label names came from: categories.json or the train CSV. */
  labelSource: string;
  train: LabelledText[];
  test: LabelledText[];
  files: { train: string; test: string };
}

const HEADER = 'text,category';

function readTextStrict(file: string): string {
  const bytes = readBytes(file);
  if (bytes.length === 0) throw new DataPrepError(`empty file (expected a CSV with the header "${HEADER}")`, { file });
  return decodeUtf8(bytes, file);
}

/** The `text,category` rows of one BANKING77 CSV, with the line each record starts on. */
export function readBanking77Csv(file: string): { text: string; category: string; line: number }[] {
  const text = readTextStrict(file);
  const records = parseCsvRecords(text, file);
  const header = records[0]?.fields.join(',');
  if (header !== HEADER) throw new DataPrepError(`header is ${JSON.stringify(header)}, expected "${HEADER}"`, { file, line: 1 });
  const out: { text: string; category: string; line: number }[] = [];
  for (let r = 1; r < records.length; r++) {
    const { fields, line } = records[r]!;
    if (fields.length === 1 && fields[0] === '') continue; // a blank line (the file's last line end)
    if (fields.length !== 2) throw new DataPrepError(`record has ${fields.length} fields, expected 2 (text, category)`, { file, line });
    const [t, category] = fields as [string, string];
    if (t.trim() === '') throw new DataPrepError('empty text', { file, line, field: 'text' });
    if (category === '') throw new DataPrepError('empty category', { file, line, field: 'category' });
    out.push({ text: t, category, line });
  }
  if (out.length === 0) throw new DataPrepError('no records after the header', { file });
  return out;
}

/** categories.json: a JSON array of distinct, non-empty strings. */
export function readBanking77Categories(file: string): string[] {
  const text = decodeUtf8(readBytes(file), file);
  if (text.trim() === '') throw new DataPrepError('empty file (expected a JSON array of intent names)', { file });
  let value: unknown;
  try { value = JSON.parse(text); } catch (e) { throw new DataPrepError(`malformed JSON: ${(e as Error).message}`, { file }); }
  if (!Array.isArray(value)) throw new DataPrepError(`expected a JSON array of intent names, got ${value === null ? 'null' : typeof value}`, { file });
  const seen = new Set<string>();
  value.forEach((v, row) => {
    if (typeof v !== 'string' || v === '') throw new DataPrepError(`entry is ${JSON.stringify(v)}, expected a non-empty string`, { file, row });
    if (seen.has(v)) throw new DataPrepError(`duplicate category ${JSON.stringify(v)}`, { file, row });
    seen.add(v);
  });
  if (value.length === 0) throw new DataPrepError('no categories in the array', { file });
  return value as string[];
}

/** BANKING77 from a folder holding train.csv, test.csv and (optionally) categories.json. */
export function loadBanking77(dir: string): Banking77Data {
  const files = { train: join(dir, 'train.csv'), test: join(dir, 'test.csv') };
  const catFile = join(dir, 'categories.json');
  const train = readBanking77Csv(files.train);
  const test = readBanking77Csv(files.test);
  const fromJson = existsSync(catFile);
  const labelNames = fromJson ? readBanking77Categories(catFile) : [...new Set(train.map((r) => r.category))].sort();
  const index = new Map(labelNames.map((n, i) => [n, i]));
  const label = (split: 'train' | 'test') => (r: { text: string; category: string; line: number }): LabelledText => {
    const i = index.get(r.category);
    if (i === undefined) {
      const expected = fromJson ? `one of the ${labelNames.length} names in ${catFile}` : `a category of the train split ${files.train}`;
      throw new DataPrepError(`unknown category ${JSON.stringify(r.category)}, expected ${expected}${didYouMean(r.category, labelNames)}`, { file: files[split], line: r.line, field: 'category' });
    }
    return { text: r.text, label: i };
  };
  return {
    labelNames, labelSource: fromJson ? catFile : `${files.train} (categories in code-point order; no categories.json)`,
    train: train.map(label('train')), test: test.map(label('test')), files,
  };
}
