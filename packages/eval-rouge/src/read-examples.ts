// Input files of `switchyard rouge`: predictions and references produced anywhere.
// Formats (chosen per file):
//   - JSONL (`.jsonl`, `.ndjson`, `.json`, or any file whose first non-blank line starts with
//     `{`): one object per line with `id` (string or number) and `prediction` and/or
//     `reference` (string) or `references` (non-empty string array, multi-reference).
//     Blank lines are skipped.
//   - plain text (anything else): one example per line, matched by position. A final line
//     break does not start another example; a trailing "\r" (CRLF files) is removed. Empty
//     lines are examples with empty text. Multi-line texts (rougeLsum) need JSONL.
// Every problem is reported with the file name and 1-based line number.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export class RougeInputError extends Error {
  override name = 'RougeInputError';
}

export interface InputRecord {
  /** `id` from JSONL, or the 1-based line number for plain text. */
  id: string;
  line: number;
  prediction?: string;
  references?: string[];
}

export interface InputFile {
  file: string;
  format: 'jsonl' | 'text';
  records: InputRecord[];
}

function looksLikeJsonl(file: string, text: string): boolean {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return true;
  if (ext === '.txt') return false;
  const first = text.split('\n').find((l) => l.trim().length > 0);
  return first !== undefined && first.trimStart().startsWith('{');
}

function parseJsonl(file: string, text: string): InputRecord[] {
  const records: InputRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim().length === 0) continue;
    const where = `${file}:${i + 1}`;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (e) {
      throw new RougeInputError(`${where}: invalid JSON (${(e as Error).message})`);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw new RougeInputError(`${where}: expected a JSON object per line, got ${Array.isArray(obj) ? 'an array' : JSON.stringify(obj)}`);
    }
    const o = obj as Record<string, unknown>;
    if (typeof o.id !== 'string' && typeof o.id !== 'number') {
      throw new RougeInputError(`${where}: missing "id" (string or number)`);
    }
    const rec: InputRecord = { id: String(o.id), line: i + 1 };
    if ('prediction' in o) {
      if (typeof o.prediction !== 'string') throw new RougeInputError(`${where}: "prediction" must be a string`);
      rec.prediction = o.prediction;
    }
    if ('reference' in o && 'references' in o) throw new RougeInputError(`${where}: give "reference" or "references", not both`);
    if ('reference' in o) {
      if (typeof o.reference !== 'string') throw new RougeInputError(`${where}: "reference" must be a string`);
      rec.references = [o.reference];
    } else if ('references' in o) {
      const refs = o.references;
      if (!Array.isArray(refs) || refs.length === 0 || !refs.every((r) => typeof r === 'string')) {
        throw new RougeInputError(`${where}: "references" must be a non-empty array of strings`);
      }
      rec.references = refs as string[];
    }
    records.push(rec);
  }
  return records;
}

function parseText(text: string, role: 'prediction' | 'reference'): InputRecord[] {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return body.split('\n').map((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const rec: InputRecord = { id: String(i + 1), line: i + 1 };
    if (role === 'prediction') rec.prediction = line;
    else rec.references = [line];
    return rec;
  });
}

/** Parse one input file's text; `role` decides what a plain-text line is. */
export function parseInputText(file: string, text: string, role: 'prediction' | 'reference'): InputFile {
  if (text.length === 0) throw new RougeInputError(`${file}: file is empty (no examples)`);
  const format = looksLikeJsonl(file, text) ? 'jsonl' : 'text';
  const records = format === 'jsonl' ? parseJsonl(file, text) : parseText(text, role);
  if (records.length === 0) throw new RougeInputError(`${file}: no examples (only blank lines)`);
  if (format === 'jsonl') {
    const seen = new Map<string, number>();
    for (const r of records) {
      const prev = seen.get(r.id);
      if (prev !== undefined) throw new RougeInputError(`${file}:${r.line}: duplicate id "${r.id}" (first on line ${prev})`);
      seen.set(r.id, r.line);
    }
  }
  return { file, format, records };
}

export async function readInputFile(file: string, role: 'prediction' | 'reference'): Promise<InputFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new RougeInputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseInputText(file, text.startsWith('\ufeff') ? text.slice(1) : text, role);
}

export interface PairedExample {
  id: string;
  prediction: string;
  references: string[];
}

function requireField(file: InputFile, rec: InputRecord, field: 'prediction' | 'references'): void {
  if (rec[field] === undefined) {
    const what = field === 'prediction' ? '"prediction"' : '"reference" or "references"';
    throw new RougeInputError(`${file.file}:${rec.line}: missing ${what}`);
  }
}

function listIds(recs: readonly InputRecord[], file: string): string {
  const shown = recs.slice(0, 5).map((r) => `"${r.id}" (${file}:${r.line})`).join(', ');
  return recs.length > 5 ? `${shown} and ${recs.length - 5} more` : shown;
}

/**
 * Pair predictions with references. Two JSONL files are matched by id (every id must appear
 * in both); if either is plain text, examples are matched by position and the counts must be
 * equal. Without a references file, each prediction record must carry its references.
 */
export function pairExamples(predictions: InputFile, references?: InputFile): PairedExample[] {
  if (references === undefined) {
    return predictions.records.map((r) => {
      requireField(predictions, r, 'prediction');
      requireField(predictions, r, 'references');
      return { id: r.id, prediction: r.prediction!, references: r.references! };
    });
  }
  for (const r of predictions.records) requireField(predictions, r, 'prediction');
  for (const r of references.records) requireField(references, r, 'references');

  if (predictions.format === 'jsonl' && references.format === 'jsonl') {
    const refById = new Map(references.records.map((r) => [r.id, r] as const));
    const predIds = new Set(predictions.records.map((r) => r.id));
    const missingRef = predictions.records.filter((r) => !refById.has(r.id));
    const missingPred = references.records.filter((r) => !predIds.has(r.id));
    if (missingRef.length > 0 || missingPred.length > 0) {
      const parts: string[] = [];
      if (missingRef.length > 0) parts.push(`${missingRef.length} prediction id(s) have no reference in ${references.file}: ${listIds(missingRef, predictions.file)}`);
      if (missingPred.length > 0) parts.push(`${missingPred.length} reference id(s) have no prediction in ${predictions.file}: ${listIds(missingPred, references.file)}`);
      throw new RougeInputError(`ids do not match: ${parts.join('; ')}`);
    }
    return predictions.records.map((r) => ({ id: r.id, prediction: r.prediction!, references: refById.get(r.id)!.references! }));
  }

  const np = predictions.records.length;
  const nr = references.records.length;
  if (np !== nr) {
    throw new RougeInputError(`${predictions.file} has ${np} examples but ${references.file} has ${nr} (plain-text files are matched line by line)`);
  }
  // Keep the JSONL side's ids when one side has them.
  const idSource = predictions.format === 'jsonl' ? predictions : references.format === 'jsonl' ? references : predictions;
  return predictions.records.map((r, i) => ({
    id: idSource.records[i]!.id,
    prediction: r.prediction!,
    references: references.records[i]!.references!,
  }));
}
