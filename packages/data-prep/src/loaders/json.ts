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
  return data.map((v, row): RawRecord => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return { place: { file, row }, problem: { reason: `record is ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}, not an object` } };
    return { place: { file, row }, values: v as Record<string, unknown> };
  });
}
