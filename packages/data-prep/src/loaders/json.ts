// SAMSum's original layout: one JSON array of objects. A file that starts with `{` is read as
// JSON Lines instead (Hugging Face writes `.json` files that way).
import type { RawRecord } from '../types.js';
import { checkColumnsPresent } from './columns.js';
import { DataPrepError, emptyFileError } from '../errors.js';
import { parseJsonLocated } from '@switchyard/runtime';
import { parseJsonLines } from './jsonl.js';

export function parseJsonArray(text: string, file: string, columns: readonly string[] = []): RawRecord[] {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw emptyFileError(file, body.length, 'a JSON array of records (or JSON Lines)');
  if (/^\s*\{/.test(body)) {
    // One object spread over several lines is a JSON document, not JSON Lines.
    let whole: unknown;
    try { whole = JSON.parse(body); } catch { return parseJsonLines(body, file, columns); }
    if (body.trim().includes('\n')) throw new DataPrepError(`expected a JSON array of records (or JSON Lines), got an object with keys ${Object.keys(whole as object).slice(0, 5).join(', ')}`, { file });
    return parseJsonLines(body, file, columns);
  }
  const data = parseJsonLocated(body, (e) => new DataPrepError(`malformed JSON: ${e.problem}`, { file, line: e.line, column: e.column }));
  if (!Array.isArray(data)) throw new DataPrepError(`expected a JSON array of records, got ${data === null ? 'null' : typeof data}`, { file });
  const lines = elementLines(body);
  const records = data.map((v, row): RawRecord => {
    const place = { file, row, line: lines[row] };
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return { place, problem: { reason: `record is ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}, expected an object` } };
    return { place, values: v as Record<string, unknown> };
  });
  checkColumnsPresent(records, columns, file);
  return records;
}

/** 1-based line where each element of a top-level JSON array starts (the text is valid JSON). */
export function elementLines(text: string): number[] {
  const out: number[] = [];
  let depth = 0, line = 1, inString = false, expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') continue;
    if (depth === 1 && expectValue && c !== ']') { out.push(line); expectValue = false; }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') { depth++; if (depth === 1) expectValue = true; }
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectValue = true;
  }
  return out;
}
