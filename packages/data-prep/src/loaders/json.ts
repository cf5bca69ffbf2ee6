// SAMSum's original layout: one JSON array of objects. A file that starts with `{` is read as
// JSON Lines instead (Hugging Face writes `.json` files that way).
import type { RawRecord } from '../types.js';
import { DataPrepError } from '../errors.js';
import { lineOf } from '../text-file.js';
import { parseJsonLines } from './jsonl.js';

export function parseJsonArray(text: string, file: string): RawRecord[] {
  const body = text.replace(/^\uFEFF/, '');
  if (/^\s*\{/.test(body)) {
    // One object spread over several lines is a JSON document, not JSON Lines.
    let whole: unknown;
    try { whole = JSON.parse(body); } catch { return parseJsonLines(body, file); }
    if (body.trim().includes('\n')) throw new DataPrepError(`expected a JSON array of records (or JSON Lines), got an object with keys ${Object.keys(whole as object).slice(0, 5).join(', ')}`, { file });
    return parseJsonLines(body, file);
  }
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    throw new DataPrepError(`malformed JSON: ${msg}`, { file, line: pos ? lineOf(body, Number(pos[1])) : undefined });
  }
  if (!Array.isArray(data)) throw new DataPrepError(`expected a JSON array of records, got ${data === null ? 'null' : typeof data}`, { file });
  const lines = elementLines(body);
  return data.map((v, row): RawRecord => {
    const place = { file, row, line: lines[row] };
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return { place, problem: { reason: `record is ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}, not an object` } };
    return { place, values: v as Record<string, unknown> };
  });
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
