// JSON Lines: one object per line; blank lines are allowed, a malformed line is a row problem
// reported with its line number (so `onInvalid: "skip"` can drop just that line).
import type { RawRecord } from '../types.js';

export function parseJsonLines(text: string, file: string): RawRecord[] {
  const out: RawRecord[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  let row = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const place = { file, line: i + 1, row: row++ };
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (e) {
      out.push({ place, problem: { reason: `malformed JSON line: ${(e as Error).message}` } });
      continue;
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) out.push({ place, problem: { reason: 'line is not a JSON object' } });
    else out.push({ place, values: v as Record<string, unknown> });
  }
  return out;
}
