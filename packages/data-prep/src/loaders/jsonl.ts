// JSON Lines: one object per line; blank lines are allowed, a malformed line is a row problem
// reported with its line, column and row (so `onInvalid: "skip"` can drop just that line).
import type { RawRecord } from '../types.js';
import { emptyFileError } from '../errors.js';
import { findJsonSyntaxError } from '@switchyard/runtime';
import { checkColumnsPresent } from './columns.js';

export function parseJsonLines(text: string, file: string, columns: readonly string[] = []): RawRecord[] {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw emptyFileError(file, body.length, 'JSON Lines (one JSON object per line)');
  const out: RawRecord[] = [];
  const lines = body.split('\n');
  let row = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const place = { file, line: i + 1, row: row++ };
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (e) {
      const at = findJsonSyntaxError(raw);
      out.push({ place: at ? { ...place, column: at.column } : place, problem: { reason: `malformed JSON line: ${at?.problem ?? (e as Error).message}` } });
      continue;
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) out.push({ place, problem: { reason: `line is ${Array.isArray(v) ? 'an array' : v === null ? 'null' : `a ${typeof v}`}, expected a JSON object` } });
    else out.push({ place, values: v as Record<string, unknown> });
  }
  checkColumnsPresent(out, columns, file);
  return out;
}
